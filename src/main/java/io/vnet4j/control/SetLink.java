package io.vnet4j.control;

import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.Port;
import java.util.List;

/**
 * QEMU's {@code set_link NAME on|off} (net/net.c qmp_set_link): NAME is a netdev's id, which takes every port
 * of the netdev now and later, or one port's id ({@code qemu0.2}, a listener's second connection). Off, the
 * ports neither send nor receive (frames the hub offers them are dropped and counted) and a TAP's interface
 * loses its carrier; on gives the backends' own link state back.
 */
final class SetLink {
    private SetLink() {}

    /** @return false when nothing is named {@code name} ({@link HumanMonitor#deviceNotFound}) */
    static boolean apply(List<Netdev> netdevs, String name, boolean up) {
        for (Netdev n : netdevs) {
            if (n.id().equals(name)) {
                n.setLinkDown(!up);
                return true;
            }
        }
        for (Netdev n : netdevs) {
            for (Port p : n.ports()) {
                if (p.id().equals(name)) {
                    p.setLinkDown(!up);
                    return true;
                }
            }
        }
        return false;
    }
}
