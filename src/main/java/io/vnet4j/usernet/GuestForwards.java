package io.vnet4j.usernet;

import io.vnet4j.base.HostText;
import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code guestfwd=[tcp]:ADDR:PORT-TARGET}: where a guest's TCP connection to a virtual address and port
 * goes instead of the network: a host TCP address, a unix socket, a command ({@link CommandBridge}), or
 * {@code smb=}'s smbd ({@link SmbShare}).
 */
final class GuestForwards implements AutoCloseable {
    private record Key(IpAddress address, int port) {}

    private final Map<Key, SocketAddress> targets = new HashMap<>();
    private final List<CommandBridge> bridges = new ArrayList<>();
    /** {@code smb=}'s configuration and bridge, or null. */
    private SmbShare smbShare;
    /** The user network's name in log lines. */
    private final String logName;
    private SocketAddress smbBridge;

    GuestForwards(String logName, List<UserConfig.GuestForward> rules) throws IOException {
        this.logName = logName;
        try {
            for (UserConfig.GuestForward rule : rules) {
                SocketAddress target = switch (rule.target()) {
                    case UserConfig.GuestForwardTarget.Tcp tcp -> new InetSocketAddress(host(tcp.host()), tcp.port());
                    case UserConfig.GuestForwardTarget.Unix unix -> UnixDomainSocketAddress.of(unix.path());
                    case UserConfig.GuestForwardTarget.Command cmd -> bridge(cmd.command());
                    case UserConfig.GuestForwardTarget.Smb smb -> {
                        if (smbBridge == null) { // one smbd configuration for ports 139 and 445, as QEMU's
                            smbShare = new SmbShare(smb.share(), UserConfig.SMBD);
                            smbBridge = bridge(smbShare.command());
                        }
                        yield smbBridge;
                    }
                };
                targets.put(new Key(IpAddress.ofIpv4(rule.address()), rule.port()), target);
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private SocketAddress bridge(String command) throws IOException {
        CommandBridge bridge = new CommandBridge(logName, command);
        bridges.add(bridge);
        return bridge.address();
    }

    /** The target's address, looked up once at start as QEMU's chardev does (the parser checked its form). */
    private static InetAddress host(String host) throws IOException {
        try {
            return HostText.resolve(host);
        } catch (UnknownHostException e) {
            throw new IOException("guestfwd: unknown host '" + host + "' in the target tcp:" + host + ":PORT", e);
        }
    }

    /** The target for a guest connection to {@code address:port}, or null when no rule names it. */
    SocketAddress target(IpAddress address, int port) {
        return targets.isEmpty() ? null : targets.get(new Key(address, port));
    }

    @Override
    public void close() {
        bridges.forEach(CommandBridge::close);
        if (smbShare != null) {
            smbShare.close();
        }
    }
}
