package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One regression test per bug class in libslirp's security history: each hostile frame is dropped (no
 * exception escapes the gateway's loop) and the next good frame, a ping to the gateway, is answered.
 */
@Timeout(60)
class UsernetHostileInputTest {
    static final int GUEST = Ipv4Address.parse("10.0.2.15");
    static final int HOST = Ipv4Address.parse("10.0.2.2");
    static final long HOST_MAC = 0x5255_0a00_0202L;

    @TempDir
    Path tftp;
    private Network network;
    private VirtualNic guest;
    private int pingId;

    @BeforeEach
    void start() throws Exception {
        network = new Network();
        guest = network.attachNic("guest", 0);
        network.addNetdev("user,id=u,tftp=" + tftp);
    }

    @AfterEach
    void stop() {
        network.close();
    }

    @Test
    void shortFramesAndHeaders() throws Exception {
        // CVE-2020-29129/29130: frames shorter than the headers they claim
        byte[] ping = GuestFrames.echoRequest(HOST_MAC, GUEST, HOST, 1, 1, new byte[32]);
        for (int cut = 0; cut < 14 + 20 + 8; cut++) {
            guest.send(Arrays.copyOf(ping, cut));
        }
        assertGatewayStillAnswers();
    }

    @Test
    void lengthsBeyondTheFrame() throws Exception {
        byte[] udp = GuestFrames.udp(HOST_MAC, GUEST, 1000, HOST, 2000, new byte[16]);
        ByteBuffer b = ByteBuffer.wrap(udp);
        b.putShort(14 + 2, (short) 1500); // IPv4 total length beyond the frame
        guest.send(udp);
        udp = GuestFrames.udp(HOST_MAC, GUEST, 1000, HOST, 2000, new byte[16]);
        ByteBuffer.wrap(udp).putShort(14 + 20 + 4, (short) 4000); // UDP length beyond the datagram
        guest.send(udp);
        udp = GuestFrames.udp(HOST_MAC, GUEST, 1000, HOST, 2000, new byte[16]);
        ByteBuffer.wrap(udp).putShort(14 + 20 + 4, (short) 3); // UDP length shorter than its header
        guest.send(udp);
        assertGatewayStillAnswers();
    }

    @Test
    void shortUdpBootpAndTftp() throws Exception {
        // CVE-2021-3592..3595: short BOOTP, TFTP (and UDP) payloads
        for (int n = 0; n < 240; n += 7) {
            guest.send(GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, new byte[n]));
        }
        guest.send(GuestFrames.udp(HOST_MAC, GUEST, 1069, HOST, 69, new byte[1]));
        guest.send(GuestFrames.udp(HOST_MAC, GUEST, 1069, HOST, 69, new byte[0]));
        assertGatewayStillAnswers();
    }

    @Test
    void dhcpOptionsThatRunPastThePacket() throws Exception {
        byte[] bootp = new byte[244];
        bootp[0] = 1;
        bootp[1] = 1;
        bootp[2] = 6;
        ByteBuffer.wrap(bootp).putInt(236, 0x63825363);
        bootp[240] = 53;
        bootp[241] = (byte) 200; // an option length far past the end
        bootp[242] = 1;
        guest.send(GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, bootp));
        assertGatewayStillAnswers();
    }

    @Test
    void tftpNamesWithoutTerminatorOrLeavingTheRoot() throws Exception {
        byte[] escape = "\0\1../../etc/passwd\0octet\0".getBytes(StandardCharsets.US_ASCII);
        guest.send(GuestFrames.udp(HOST_MAC, GUEST, 1070, HOST, 69, escape));
        ByteBuffer error = receiveUdpFrom(69);
        assertThat(error.getShort(0)).isEqualTo((short) 5); // ERROR
        assertThat(error.getShort(2)).isEqualTo((short) 2); // Access violation
        byte[] unterminated = "\0\1pxelinux.0".getBytes(StandardCharsets.US_ASCII);
        guest.send(GuestFrames.udp(HOST_MAC, GUEST, 1069, HOST, 69, unterminated));
        error = receiveUdpFrom(69);
        assertThat(error.getShort(0)).isEqualTo((short) 5);
        assertThat(error.getShort(2)).isEqualTo((short) 4); // Illegal TFTP operation
        assertGatewayStillAnswers();
    }

    @Test
    void overlappingAndOversizedFragments() throws Exception {
        // CVE-2019-14378, CVE-2018-11806: reassembly that overlaps or grows past 64 KiB
        guest.send(GuestFrames.rawIpv4(HOST_MAC, GUEST, HOST, IpProtocol.UDP, 77, true, 0, new byte[64]));
        guest.send(GuestFrames.rawIpv4(HOST_MAC, GUEST, HOST, IpProtocol.UDP, 77, false, 4, new byte[64]));
        guest.send(GuestFrames.rawIpv4(HOST_MAC, GUEST, HOST, IpProtocol.UDP, 78, false, 8190, new byte[200]));
        for (int id = 0; id < 500; id++) {
            guest.send(GuestFrames.rawIpv4(HOST_MAC, GUEST, HOST, IpProtocol.UDP, 1000 + id, true, 0, new byte[1024]));
        }
        assertGatewayStillAnswers();
    }

    @Test
    void tcpUrgentDataAndOddSegments() throws Exception {
        byte[] segment = new byte[40];
        ByteBuffer t = ByteBuffer.wrap(segment);
        t.putShort(0, (short) 40000).putShort(2, (short) 9).putInt(4, 1).putInt(8, 0);
        t.put(12, (byte) 0x50).put(13, (byte) (TcpFlags.URG | TcpFlags.ACK)).putShort(14, (short) 1000);
        t.putShort(18, (short) 0xFFFF); // urgent pointer far beyond the data
        byte[] frame = GuestFrames.rawIpv4(HOST_MAC, GUEST, HOST, IpProtocol.TCP, 5, false, 0, segment);
        fillTcpChecksum(frame, segment.length);
        guest.send(frame);
        t.put(12, (byte) 0xF0); // data offset 60 bytes in a 40-byte segment
        frame = GuestFrames.rawIpv4(HOST_MAC, GUEST, HOST, IpProtocol.TCP, 6, false, 0, segment);
        guest.send(frame);
        assertGatewayStillAnswers();
    }

    @Test
    void randomGarbage() throws Exception {
        Random random = new Random(7);
        byte[] template = GuestFrames.udp(HOST_MAC, GUEST, 1000, HOST, 53, new byte[40]);
        for (int i = 0; i < 2000; i++) {
            byte[] f = template.clone();
            for (int k = 0; k < 1 + random.nextInt(6); k++) {
                f[14 + random.nextInt(f.length - 14)] = (byte) random.nextInt(256);
            }
            guest.send(Arrays.copyOf(f, 14 + random.nextInt(f.length - 13)));
        }
        assertGatewayStillAnswers();
    }

    private static void fillTcpChecksum(byte[] frame, int tcpLength) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        io.vnet4j.wire.TcpSegment tcp = new io.vnet4j.wire.TcpSegment().wrap(b, 34, tcpLength);
        tcp.fillChecksum(GUEST, HOST);
    }

    private void assertGatewayStillAnswers() throws InterruptedException {
        int id = ++pingId + 100;
        guest.send(GuestFrames.echoRequest(HOST_MAC, GUEST, HOST, id, 1, new byte[8]));
        GuestFrames.await(guest, b -> {
            Ipv4Packet ip = GuestFrames.ipv4(b);
            return ip != null && ip.protocol() == IpProtocol.ICMP
                    && new IcmpPacket().wrap(b, ip.payloadOffset(), ip.payloadLength()).identifier() == id;
        }, "answer to a ping: the gateway no longer answers");
    }

    private ByteBuffer receiveUdpFrom(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            byte[] frame = guest.receive(1, TimeUnit.SECONDS);
            if (frame == null) {
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(frame);
            if (new EthernetFrame().wrap(b, 0, frame.length).etherType() != EtherType.IPV4) {
                continue;
            }
            Ipv4Packet ip = new Ipv4Packet().wrap(b, 14, frame.length - 14);
            if (ip.protocol() == IpProtocol.UDP && b.getShort(ip.payloadOffset()) == port) {
                int start = ip.payloadOffset() + 8;
                return ByteBuffer.wrap(Arrays.copyOfRange(frame, start, ip.payloadOffset() + ip.payloadLength()));
            }
        }
        throw new AssertionError("no UDP reply from port " + port);
    }
}
