package io.vnet4j.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A network namespace made for one test class and deleted by {@link #close()}; needs root and iproute2.
 * It gets a private, empty {@code /etc/netns/NAME/resolv.conf}, which {@code ip netns exec} mounts over
 * {@code /etc/resolv.conf} for what runs inside: a DHCP client there (ISC dhclient's script, say) would
 * otherwise rewrite the machine's own resolver file. Only that file is private: the rest of the file system is the
 * machine's, so a client runs a script of the test's own (Debian's dhclient-script runs hooks that write
 * /var/lib/samba/dhcp.conf and reload smbd), and a daemon's state directories go on tmpfs mounted in the mount
 * namespace {@code ip netns exec} makes for it ({@link DhcpClientsIT}).
 */
public final class NetNamespace implements AutoCloseable {
    private final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    /** Creates namespace {@code name} (deleting a stale one left by a killed run first). */
    public static NetNamespace create(String name) {
        PeerTools.require("ip", "iproute2");
        PeerTools.exec(Duration.ofSeconds(10), List.of("ip", "netns", "del", name)); // stale, usually absent
        PeerTools.execOk("ip", "netns", "add", name);
        try {
            Path etc = Path.of("/etc/netns", name);
            Files.createDirectories(etc);
            Files.writeString(etc.resolve("resolv.conf"), "# " + name + ": a test namespace's own resolver file\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new NetNamespace(name);
    }

    public String name() {
        return name;
    }

    /** Runs {@code command} inside the namespace; fails unless it exits 0. */
    public String execOk(String... command) {
        String[] all = new String[command.length + 4];
        all[0] = "ip";
        all[1] = "netns";
        all[2] = "exec";
        all[3] = name;
        System.arraycopy(command, 0, all, 4, command.length);
        return PeerTools.execOk(all);
    }

    /**
     * Waits until {@code shellCondition} (sh -c, inside the namespace) exits 0, trying every 50 ms;
     * throws an AssertionError naming it when {@code timeout} passes first.
     */
    public void await(String shellCondition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (PeerTools.exec(Duration.ofSeconds(5), List.of("ip", "netns", "exec", name, "sh", "-c", shellCondition)).ok()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not true in " + name + " after " + timeout.toSeconds() + " s: " + shellCondition);
    }

    /**
     * The IPv4 groups joined on interface {@code dev} in this namespace, as /proc/net/igmp lists them under it
     * (one line each, the group in hexadecimal of the host's byte order: 239.1.1.3 is {@code 030101EF}).
     */
    public String igmpGroupsOn(String dev) {
        StringBuilder groups = new StringBuilder();
        boolean in = false;
        for (String line : execOk("cat", "/proc/net/igmp").lines().toList()) {
            if (!line.startsWith("\t") && !line.startsWith(" ")) {
                in = line.matches("\\d+\\s+" + dev + "\\s*:.*");
            } else if (in) {
                groups.append(line.strip()).append('\n');
            }
        }
        return groups.toString();
    }

    /** Starts a long-running {@code command} inside the namespace; the caller destroys it. */
    public Process start(String... command) throws java.io.IOException {
        List<String> all = new java.util.ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(command));
        return new ProcessBuilder(all).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * Starts {@code busybox nc -l -p PORT} inside the namespace, its output into {@code file}, and waits (at
     * most 5 s) until it listens (this namespace's /proc/net/tcp): a sink that ends at its client's end.
     */
    public Process startTcpSink(int port, Path file) throws IOException, InterruptedException {
        Process sink = start("sh", "-c", "busybox nc -l -p " + port + " > " + file);
        String listening = String.format(java.util.Locale.ROOT, "(?s).*:%04X [0-9A-F:]+ 0A .*", port);
        for (int i = 0; i < 100 && !execOk("cat", "/proc/net/tcp", "/proc/net/tcp6").matches(listening); i++) {
            Thread.sleep(50);
        }
        return sink;
    }

    /**
     * Kills what still runs in the namespace ({@code ip netns pids}), then deletes it: a client left behind (a dhclient
     * gone to the background with its lease, a daemon a failed script did not stop) kept running, and its namespace
     * with it, after the test; each CI run left some.
     */
    @Override
    public void close() {
        for (String pid : PeerTools.exec(Duration.ofSeconds(5), List.of("ip", "netns", "pids", name)).output().split("\\s+")) {
            if (pid.matches("[0-9]+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        PeerTools.execOk("ip", "netns", "del", name);
        try {
            PeerTools.deleteTree(Path.of("/etc/netns", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
