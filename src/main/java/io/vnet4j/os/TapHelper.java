package io.vnet4j.os;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The short-lived helper of {@link UserNamespaceTap}: started by {@code nsenter} inside the target's user
 * and network namespaces (where it holds CAP_NET_ADMIN), it creates the TAP, configures it, hands its
 * descriptor back over a unix socket (SCM_RIGHTS) with {@code ok NAME}, or {@code error MESSAGE}, and
 * exits.
 *
 * <p>Arguments: {@code SOCKET IFNAME on|off SETUP}, SETUP being {@code configure ADDRESS PREFIX GATEWAY MTU MAC}
 * (IPv4 addresses as signed 32-bit integers, the MAC as a 48-bit integer, as {@link InterfaceSetup#configure}
 * takes them),
 * {@code mtu N} or {@code none}.
 */
public final class TapHelper {
    private TapHelper() {}

    public static void main(String[] args) {
        Path socket = Path.of(args[0]);
        try {
            TapDevice tap = TapDevice.create(args[1], args[2].equals("on"));
            switch (args[3]) {
                case "configure" -> InterfaceSetup.configure(tap.name(), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                        Integer.parseInt(args[6]), Integer.parseInt(args[7]), Long.parseLong(args[8]));
                case "mtu" -> InterfaceSetup.mtu(tap.name(), Integer.parseInt(args[4]));
                default -> { }
            }
            DescriptorChannel.send(socket, tap.descriptor(), "ok " + tap.name());
        } catch (IOException | RuntimeException e) {
            try {
                DescriptorChannel.send(socket, -1, "error " + e.getMessage());
            } catch (IOException unreachable) {
                System.err.println("vnet4j tap helper: " + e.getMessage());
            }
            System.exit(1);
        }
    }
}
