package io.vnet4j.peers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the warm-up leaves a VM's paths compiled, for the default network's shape (a user network and
 * VMs on a stream socket), as bench/warmup-traps.sh asks for a namespace's TAP: HotSpot throws compiled code
 * away when it first takes a branch it never took (an "uncommon trap"), and the method then runs interpreted
 * and in C1's code until it is compiled again. This starts the daemon by bin/vnet4j with
 * {@code -Xlog:deoptimization}, waits for its warm-up line, then boots a QEMU guest (TCG) on the stream
 * socket, which takes a lease, pings the gateway 25 times at 5/s and 300 times at 100/s, and fetches a page
 * from an HTTP server on 127.0.0.1 three times; and prints each trap in vnet4j's own methods from the warm-up's
 * line on (none is best). Run: {@code bench/vm-warmup-traps.sh}.
 */
public final class VmWarmupTrapsBench {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vnet4j-vmtraps");
        Path log = dir.resolve("deopt.log");
        var http = PeerTools.serve("/", "page".getBytes(StandardCharsets.US_ASCII));
        try (VnetProcess v = VnetProcess.startLauncherWith(
                Map.of("JDK_JAVA_OPTIONS", "-Xlog:deoptimization=debug:file=" + log + ":uptime"),
                "--control", "none", "-netdev", "user,id=u", "-netdev",
                "stream,id=vms,server=on,addr.type=unix,addr.path=" + dir.resolve("vms.sock"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!v.log().contains("warm-up:") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String line = v.log().lines().filter(l -> l.contains("warm-up:")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no warm-up line in 30 s:\n" + v.log()));
            System.out.println(line.substring(line.indexOf("warm-up:")));
            long seen = Files.exists(log) ? Files.size(log) : 0; // the log's end at the warm-up's line
            try (QemuGuest guest = QemuGuest.builder("vmtraps")
                    .netdev("stream,server=off,addr.type=unix,addr.path=" + dir.resolve("vms.sock")).boot()) {
                guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
                System.out.print(guest.runOk("ping -q -c 25 -i 0.2 10.0.2.2 | tail -1"));
                System.out.print(guest.runOk("ping -q -c 300 -i 0.01 10.0.2.2 | tail -1"));
                for (int i = 1; i <= 3; i++) {
                    guest.runOk("wget -q -O /dev/null http://10.0.2.2:" + http.getAddress().getPort() + "/");
                    System.out.println("fetch " + i + ": ok");
                }
            }
            Thread.sleep(500);
            System.out.println("== traps in io.vnet4j methods from the warm-up's line on (-Xlog:deoptimization; none is best)");
            Map<String, Integer> traps = new TreeMap<>();
            String text = Files.readString(log);
            text.substring((int) Math.min(seen, text.length())).lines()
                    .filter(l -> l.contains("io.vnet4j.") && l.contains("trap_bci"))
                    .map(l -> l.replaceFirst("^.*level=", "level=").replaceFirst(" pc=.*", ""))
                    .forEach(t -> traps.merge(t, 1, Integer::sum));
            traps.forEach((t, n) -> System.out.printf("%6d %s%n", n, t));
        } finally {
            http.stop(0);
            PeerTools.deleteTree(dir);
        }
    }
}
