package io.vnet4j.peers;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * End to end, in one run: the same tiny QEMU guest downloads and uploads over TCP through vnet4j's user
 * network (started by bin/vnet4j, as a user starts it), reached by a {@code -netdev stream} and by the
 * vhost-user back-end (its NIC without MSI-X, see {@link QemuGuest.Builder#vhostUser}), and through QEMU's
 * built-in {@code -netdev user} (libslirp), timed inside the guest. Prints the median of several runs each and the ratio, and the CPU time
 * vnet4j's daemon took per megabyte ({@link PeerTools#cpuNanos}): under TCG the guest's emulated CPU sets
 * the pace, so the times say little about a change of vnet4j's, and its own CPU per megabyte says what a
 * faster guest (KVM) would find. Run: {@code bench/usernet-vs-qemu.sh}.
 */
public final class UsernetVsQemuBench {
    static final int MB = 1024 * 1024;
    /** {@code ONLY=stream} or {@code ONLY=vhost-user}: that contender alone (a quicker A/B of a change to it). */
    private static final String ONLY = System.getenv().getOrDefault("ONLY", "");
    /** {@code VERBOSE=1}: the daemon's {@code info network} after each transfer (its ports' counters). */
    private static final boolean VERBOSE = System.getenv("VERBOSE") != null;

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] data = new byte[megabytes * MB];
        new java.util.Random(1).nextBytes(data);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, data.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(data);
            }
        });
        http.start();
        try (ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> drain(sink));
            int httpPort = http.getAddress().getPort();
            Path dir = Files.createTempDirectory("vnet4j-bench");
            Path socket = dir.resolve("qemu.sock");
            double[] none = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
            double[] vnet = none;
            if (ONLY.isEmpty() || ONLY.equals("stream")) {
                try (VnetProcess v = VnetProcess.startLauncher("--quiet", "-netdev", "user,id=u",
                        "-netdev", "stream,id=vms,server=on,addr.type=unix,addr.path=" + socket)) {
                    vnet = measure("stream,server=off,addr.type=unix,addr.path=" + socket, httpPort, sink.getLocalPort(),
                            megabytes, runs, v.process().pid());
                }
            }
            Path vhost = dir.resolve("vhost.sock");
            double[] vhostUser = none;
            if (ONLY.isEmpty() || ONLY.equals("vhost-user")) {
                try (VnetProcess v = VnetProcess.startLauncher("--quiet", "-netdev", "user,id=u",
                        "-netdev", "vhost-user,id=vm,path=" + vhost)) {
                    vhostUser = measure(b -> b.vhostUser(vhost), httpPort, sink.getLocalPort(), megabytes, runs,
                            v.process().pid());
                }
            }
            double[] qemu = !ONLY.isEmpty() ? none : measure("user", httpPort, sink.getLocalPort(), megabytes, runs, -1);
            PeerTools.deleteTree(dir);
            System.out.printf(Locale.ROOT, "%d MB over TCP, median of %d runs, seconds in the guest (lower is better)%n",
                    megabytes, runs);
            System.out.printf(Locale.ROOT, "  download: vnet4j usernet %.3f s, QEMU -netdev user %.3f s, ratio %.2fx%n",
                    vnet[0], qemu[0], qemu[0] / vnet[0]);
            System.out.printf(Locale.ROOT, "  upload:   vnet4j usernet %.3f s, QEMU -netdev user %.3f s, ratio %.2fx%n",
                    vnet[1], qemu[1], qemu[1] / vnet[1]);
            System.out.printf(Locale.ROOT, "  vhost-user: download %.3f s (%.2fx QEMU's), upload %.3f s (%.2fx)%n",
                    vhostUser[0], qemu[0] / vhostUser[0], vhostUser[1], qemu[1] / vhostUser[1]);
            System.out.printf(Locale.ROOT, "  vnet4j's daemon, CPU time per MB (all runs): download %.2f ms, upload %.2f ms;"
                    + " with vhost-user %.2f ms, %.2f ms%n", vnet[2], vnet[3], vhostUser[2], vhostUser[3]);
        } finally {
            http.stop(0);
        }
    }

    /**
     * Boots a guest on {@code netdev}; returns the median download and upload times in seconds, then the CPU
     * time process {@code pid} took per megabyte downloaded and uploaded, in ms (NaN with pid -1).
     */
    private static double[] measure(String netdev, int httpPort, int sinkPort, int megabytes, int runs, long pid)
            throws Exception {
        return measure(b -> b.netdev(netdev), httpPort, sinkPort, megabytes, runs, pid);
    }

    /** {@link #measure(String, int, int, int, int, long)} with the guest's NIC set up by {@code nic}. */
    private static double[] measure(java.util.function.Consumer<QemuGuest.Builder> nic, int httpPort, int sinkPort,
                                    int megabytes, int runs, long pid) throws Exception {
        QemuGuest.Builder builder = QemuGuest.builder("bench");
        nic.accept(builder);
        try (QemuGuest guest = builder.boot()) {
            guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
            guest.runOk("head -c " + megabytes * MB + " /dev/urandom > /tmp/up");
            if (pid > 0) {
                PeerTools.awaitWarmUpOver(pid); // its CPU time is not the transfers'
            }
            List<Double> down = new ArrayList<>();
            List<Double> up = new ArrayList<>();
            long downCpu = 0;
            long upCpu = 0;
            for (int i = 0; i < runs; i++) {
                long t0 = pid > 0 ? PeerTools.cpuNanos(pid) : 0;
                down.add(timed(guest, "wget -q -O /dev/null http://10.0.2.2:" + httpPort + "/big"));
                long t1 = pid > 0 ? PeerTools.cpuNanos(pid) : 0;
                showCounters("after download " + (i + 1) + " (" + down.getLast() + " s)", pid);
                up.add(timed(guest, "nc 10.0.2.2 " + sinkPort + " < /tmp/up"));
                long t2 = pid > 0 ? PeerTools.cpuNanos(pid) : 0;
                showCounters("after upload " + (i + 1) + " (" + up.getLast() + " s)", pid);
                downCpu += t1 - t0;
                upCpu += t2 - t1;
            }
            double perMb = 1e6 * runs * megabytes; // ns in a ms, times the megabytes moved each way
            return new double[] {median(down), median(up), pid > 0 ? downCpu / perMb : Double.NaN,
                    pid > 0 ? upCpu / perMb : Double.NaN};
        }
    }

    /** With {@link #VERBOSE}: the daemon's {@code info network} (the counters of its ports), after {@code when}. */
    private static void showCounters(String when, long pid) {
        if (VERBOSE && pid > 0) {
            System.out.println(when + ":");
            System.out.println(VnetProcess.ctl(null, "info", "network").output().strip());
        }
    }

    private static double timed(QemuGuest guest, String command) throws InterruptedException {
        // busybox's date has no %N; its time applet with -p prints "real SECONDS"
        String out = guest.run("time -p sh -c '" + command + "' 2>&1", Duration.ofSeconds(300)).output();
        int at = out.lastIndexOf("real ");
        if (at < 0) {
            throw new IllegalStateException("no timing in the guest's output: " + out);
        }
        return Double.parseDouble(out.substring(at + 5).trim().split("\\s+")[0]);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void drain(ServerSocket sink) {
        while (!sink.isClosed()) {
            try {
                Socket s = sink.accept();
                Thread.ofVirtual().start(() -> {
                    try (s; InputStream in = s.getInputStream()) {
                        in.transferTo(OutputStream.nullOutputStream());
                    } catch (Exception e) {
                        // the guest closed early: nothing to measure from here
                    }
                });
            } catch (Exception e) {
                return;
            }
        }
    }
}
