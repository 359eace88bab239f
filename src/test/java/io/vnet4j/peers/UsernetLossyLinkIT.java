package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Linux guest that downloads through a link that loses frames: the user network's TCP sender must repair
 * every loss (with the guest's SACK blocks, RFC 6675) and deliver the host's bytes exactly. vnet4j runs
 * {@code -netdev user} and {@code -netdev vxlan} in namespace A; a veth to namespace B, whose end in A is shaped
 * by tbf (its queue overflows as a real link's would), carries the VXLAN to a Linux vxlan device in B, the
 * guest, which downloads a file from a server on A's loopback through the gateway. As
 * bench/usernet-over-shaped-vxlan.sh, which measures the same path.
 */
@Timeout(180)
class UsernetLossyLinkIT {
    private static final int SIZE = 24 << 20;
    /** Serves the file to each connection, then closes it. */
    private static final String SERVER = """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 5000)); s.listen()
            data = open(sys.argv[1], "rb").read()
            while True:
                c, _ = s.accept(); c.sendall(data); c.close()
            """;
    /** Reads to the end and prints the bytes' count and SHA-256. */
    private static final String CLIENT = """
            import hashlib, socket
            c = socket.create_connection(("10.0.2.2", 5000), timeout=60)
            h = hashlib.sha256(); n = 0
            while True:
                b = c.recv(1 << 16)
                if not b: break
                h.update(b); n += len(b)
            print(n, h.hexdigest())
            """;

    private NetNamespace a;
    private NetNamespace b;
    private VnetProcess vnet;
    private Process server;
    private Path dir;

    @BeforeEach
    void start() throws IOException {
        PeerTools.require("tc", "iproute2");
        PeerTools.require("ethtool", "ethtool");
        dir = Files.createTempDirectory("vnet4j-lossy");
        long pid = ProcessHandle.current().pid();
        a = NetNamespace.create("vnet4j-it-lossy-a-" + pid);
        b = NetNamespace.create("vnet4j-it-lossy-b-" + pid);
    }

    @AfterEach
    void stop() throws IOException {
        if (vnet != null) vnet.close();
        if (server != null) server.destroyForcibly();
        b.close();
        a.close();
        PeerTools.deleteTree(dir);
    }

    @Test
    void aDownloadThroughALinkThatLosesFramesArrivesWholeWithItsLossesRepaired() throws Exception {
        byte[] file = new byte[SIZE];
        new Random(6675).nextBytes(file);
        Path served = dir.resolve("file");
        Files.write(served, file);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));

        a.execOk("ip", "link", "set", "lo", "up");
        b.execOk("ip", "link", "set", "lo", "up");
        a.execOk("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.name());
        a.execOk("ip", "addr", "add", "198.51.100.1/24", "dev", "va");
        b.execOk("ip", "addr", "add", "198.51.100.2/24", "dev", "vb");
        a.execOk("ip", "link", "set", "va", "up");
        b.execOk("ip", "link", "set", "vb", "up");
        a.execOk("tc", "qdisc", "add", "dev", "va", "root", "tbf", "rate", "200mbit", "burst", "64kb", "limit", "100kb");
        b.execOk("ip", "link", "add", "vx0", "type", "vxlan", "id", "42", "local", "198.51.100.2", "remote", "198.51.100.1",
                "dstport", "4789", "dev", "vb");
        b.execOk("ethtool", "-K", "vx0", "tx", "off"); // README, vxlan: no checksum offload on a veth path
        b.execOk("ip", "link", "set", "vx0", "mtu", "1450");
        b.execOk("ip", "addr", "add", "10.0.2.15/24", "dev", "vx0");
        b.execOk("ip", "link", "set", "vx0", "up");
        b.execOk("ip", "route", "add", "default", "via", "10.0.2.2");
        server = a.start("python3", "-c", SERVER, served.toString());
        a.await("ss -ltn | grep -q 127.0.0.1:5000", Duration.ofSeconds(10));
        Path control = dir.resolve("control.sock");
        vnet = VnetProcess.startIn(a.name(), "--control", control.toString(), "-netdev", "user,id=u,ipv6=off,mtu=1450",
                "-netdev", "vxlan,id=x,vni=42,local=198.51.100.1,remote=198.51.100.2,dstport=4789");

        String got = b.execOk("python3", "-c", CLIENT).strip();

        assertThat(got).isEqualTo(SIZE + " " + expected);
        PeerTools.Exec info = VnetProcess.ctl(a.name(), "--control", control.toString(), "info", "network");
        assertThat(info.ok()).as(info.output()).isTrue();
        Matcher resent = Pattern.compile("segments resent to guests: (\\d+)").matcher(info.output());
        assertThat(resent.find()).as(info.output()).isTrue();
        // the link lost frames (tbf's queue holds 100 kB, and slow start outgrows it), so recovery ran
        assertThat(Long.parseLong(resent.group(1))).as(info.output()).isPositive();
        assertThat(a.execOk("tc", "-s", "qdisc", "show", "dev", "va")).containsPattern("dropped [1-9]");
    }
}
