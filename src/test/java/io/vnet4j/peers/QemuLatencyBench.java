package io.vnet4j.peers;

import com.sun.net.httpserver.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Round trips from a QEMU guest (TCG), the second vantage point beside bench/latency-vs-peers.sh's
 * namespaces: the same tiny guest on vnet4j's user network (a {@code -netdev stream} to a daemon), on QEMU's
 * built-in {@code -netdev user} (libslirp, inside QEMU) and on passt (QEMU's {@code -netdev stream} to its
 * socket), and the same user network reached through vnet4j's vhost-user back-end (the guest's queues served in
 * its shared memory; the NIC without MSI-X, see {@link QemuGuest.Builder#vhostUser}), in one run, contenders taking turns round by round; vnet4j is started by bin/vnet4j, as a user starts
 * it. Measured inside the guest with busybox:
 * <ol>
 *   <li>pings to the gateway, 10 at 1/s, 25 at 5/s, 300 at 100/s, each cadence's mean RTT. passt has no
 *       gateway of its own: it sends a guest's ping from a ping socket of its namespace to the address. So
 *       for the pings it runs in a namespace of its own ({@value #PASST_NS}), with no route out, in which the
 *       gateway address, 10.0.2.2, is a local address: that namespace's kernel answers, as the gateway of
 *       the other two does (for fetches passt runs on this machine, where the HTTP server is). Its ICMP
 *       socket needs the namespace's {@code net.ipv4.ping_group_range} to take root's group;</li>
 *   <li>connect-request-close: {@code wget} of a 2-byte page from an HTTP server on 127.0.0.1, reached as the
 *       gateway, {@value #FETCHES} times in a loop: fetches per second, each one a process start in the
 *       guest too, the same for every contender.</li>
 * </ol>
 * Every guest boots freshly and waits {@value #SETTLE_SECONDS} s after its lease, as a quiet VM would. Run:
 * {@code bench/qemu-latency.sh [ROUNDS]}.
 */
public final class QemuLatencyBench {
    static final int FETCHES = 200;
    static final int SETTLE_SECONDS = 1;
    private static final String[] CADENCES = {"-c 10 -i 1", "-c 25 -i 0.2", "-c 300 -i 0.01"};
    static final String PASST_NS = "vnqlat-passt";
    private static final String VHOST_USER = "vnet4j vhost-user";

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        PeerTools.require("passt", "passt");
        HttpServer http = PeerTools.serve("/", "ok".getBytes(StandardCharsets.US_ASCII));
        Path dir = Files.createTempDirectory("vnet4j-bench");
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        try {
            for (int round = 1; round <= rounds; round++) {
                System.err.printf("round %d of %d%n", round, rounds);
                Path socket = dir.resolve("vnet4j.sock");
                try (VnetProcess v = VnetProcess.startLauncher("--quiet", "-netdev", "user,id=u,ipv6=off",
                        "-netdev", "stream,id=vms,server=on,addr.type=unix,addr.path=" + socket)) {
                    add(results, "vnet4j", measure("stream,server=off,addr.type=unix,addr.path=" + socket, true,
                            http.getAddress().getPort()));
                }
                Path vhost = dir.resolve("vhost.sock");
                try (VnetProcess v = VnetProcess.startLauncher("--quiet", "-netdev", "user,id=u,ipv6=off",
                        "-netdev", "vhost-user,id=vm,path=" + vhost)) {
                    add(results, VHOST_USER, measure(b -> b.vhostUser(vhost), true, http.getAddress().getPort()));
                }
                add(results, "QEMU -netdev user", measure("user,ipv6=off", true, http.getAddress().getPort()));
                add(results, "passt", merge(measurePasst(dir, null, http.getAddress().getPort()),
                        measurePasstPings(dir)));
            }
        } finally {
            http.stop(0);
            PeerTools.deleteTree(dir);
        }
        print(results, rounds);
    }

    /**
     * passt's pings: passt in namespace {@value #PASST_NS} (made here, deleted after), whose only way out is a
     * veth pair with both ends inside it and in which 10.0.2.2 is an address of the loopback device.
     */
    private static double[] measurePasstPings(Path dir) throws Exception {
        try (NetNamespace ns = NetNamespace.create(PASST_NS)) {
            ns.execOk("ip", "link", "set", "lo", "up");
            ns.execOk("ip", "addr", "add", "10.0.2.2/32", "dev", "lo");
            ns.execOk("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"); // passt's template interface
            ns.execOk("ip", "addr", "add", "198.51.100.1/24", "dev", "v0");
            ns.execOk("ip", "link", "set", "v0", "up");
            ns.execOk("ip", "link", "set", "v1", "up");
            ns.execOk("ip", "route", "add", "default", "via", "198.51.100.2", "dev", "v0");
            // passt answers a guest's echo through an ICMP socket, which the namespace's group range must allow
            ns.execOk("sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647");
            return measurePasst(dir, ns, -1);
        }
    }

    /** Pings from {@code a}, the rest from {@code b}. */
    private static double[] merge(double[] b, double[] a) {
        double[] r = b.clone();
        System.arraycopy(a, 0, r, 0, CADENCES.length);
        return r;
    }

    /**
     * passt on a socket in {@code dir}, the guest's address and gateway as the others' (no port forwards), in
     * namespace {@code ns} (null: this machine's); pings only with {@code httpPort} -1, else fetches only.
     */
    private static double[] measurePasst(Path dir, NetNamespace ns, int httpPort) throws Exception {
        Path socket = dir.resolve("passt.sock");
        String[] command = {"passt", "-f", "-q", "-s", socket.toString(), "-a", "10.0.2.15", "-n", "24",
                "-g", "10.0.2.2", "-t", "none", "-u", "none", "--runas", "0"};
        Process p = ns != null ? ns.start(command) : new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                Thread.sleep(20);
            }
            return measure("stream,server=off,addr.type=unix,addr.path=" + socket, httpPort < 0, httpPort);
        } finally {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(socket);
        }
    }

    /**
     * One freshly booted guest: {ping 1/s, 5/s, 100/s in ms (NaN: not measured), fetches per second (NaN with
     * {@code httpPort} -1)}.
     */
    private static double[] measure(String netdev, boolean pings, int httpPort) throws Exception {
        return measure(b -> b.netdev(netdev), pings, httpPort);
    }

    /** {@link #measure(String, boolean, int)} with the guest's NIC set up by {@code nic}. */
    private static double[] measure(java.util.function.Consumer<QemuGuest.Builder> nic, boolean pings, int httpPort)
            throws Exception {
        QemuGuest.Builder builder = QemuGuest.builder("latency");
        nic.accept(builder);
        try (QemuGuest guest = builder.boot()) {
            guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
            Thread.sleep(SETTLE_SECONDS * 1000L);
            double[] r = new double[CADENCES.length + 1];
            for (int i = 0; i < CADENCES.length; i++) {
                r[i] = pings ? meanPing(guest, CADENCES[i]) : Double.NaN;
            }
            if (httpPort < 0) {
                r[CADENCES.length] = Double.NaN;
                return r;
            }
            String loop = "i=0; while [ $i -lt " + FETCHES + " ]; do wget -q -O /dev/null http://10.0.2.2:" + httpPort
                    + "/ || exit 1; i=$((i+1)); done";
            String out = guest.run("time -p sh -c '" + loop + "' 2>&1", Duration.ofSeconds(300)).output();
            int at = out.lastIndexOf("real ");
            if (at < 0) {
                throw new IllegalStateException("no timing in the guest's output: " + out);
            }
            r[CADENCES.length] = FETCHES / Double.parseDouble(out.substring(at + 5).trim().split("\\s+")[0]);
            return r;
        }
    }

    /** busybox ping's summary line: "round-trip min/avg/max = 0.123/0.456/0.789 ms". */
    private static double meanPing(QemuGuest guest, String cadence) throws InterruptedException {
        String out = guest.run("ping -q " + cadence + " 10.0.2.2", Duration.ofSeconds(60)).output();
        int at = out.indexOf("min/avg/max = ");
        if (at < 0) {
            throw new IllegalStateException("no ping summary in the guest's output: " + out);
        }
        return Double.parseDouble(out.substring(at + 14).split("/")[1]);
    }

    private static void add(Map<String, List<double[]>> results, String contender, double[] r) {
        results.computeIfAbsent(contender, k -> new ArrayList<>()).add(r);
    }

    private static void print(Map<String, List<double[]>> results, int rounds) {
        System.out.printf(Locale.ROOT, "QEMU guest (TCG) to the gateway; median [lowest-highest] of %d rounds%n", rounds);
        System.out.printf(Locale.ROOT, "%-18s %24s %24s %24s %26s%n", "contender", "ping 1/s, ms", "ping 5/s, ms",
                "ping 100/s, ms", "connect-request-close/s");
        Map<String, double[]> medians = new LinkedHashMap<>();
        results.forEach((contender, runs) -> {
            double[] m = new double[4];
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-18s", contender));
            for (int col = 0; col < 4; col++) {
                int c = col;
                List<Double> values = runs.stream().map(r -> r[c]).filter(v -> !v.isNaN()).sorted().toList();
                m[col] = values.isEmpty() ? Double.NaN : values.get(values.size() / 2);
                line.append(values.isEmpty() ? String.format(Locale.ROOT, " %24s", "-")
                        : String.format(Locale.ROOT, " %" + (col == 3 ? 26 : 24) + "s", String.format(Locale.ROOT,
                                "%.3f [%.3f-%.3f]", m[col], values.get(0), values.get(values.size() - 1))));
            }
            medians.put(contender, m);
            System.out.println(line);
        });
        for (String ours : List.of("vnet4j", VHOST_USER)) {
            double[] v = medians.get(ours);
            medians.forEach((contender, m) -> {
                if (!contender.startsWith("vnet4j")) {
                    System.out.printf(Locale.ROOT, "%s / %s: RTT %s at 1/s, %s at 5/s, %s at 100/s; fetches/s %s%n",
                            ours, contender, ratio(v[0], m[0]), ratio(v[1], m[1]), ratio(v[2], m[2]), ratio(v[3], m[3]));
                }
            });
        }
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
    }
}
