package io.vnet4j.usernet;

import static io.vnet4j.usernet.GuestFrames.DNS;
import static io.vnet4j.usernet.GuestFrames.GUEST;
import static io.vnet4j.usernet.GuestFrames.HOST;
import static io.vnet4j.usernet.GuestFrames.HOST_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Guest input the gateway does not answer is counted by cause, and info network shows each count. */
@Timeout(30)
class UnansweredInputTest {
    private Network network;
    private VirtualNic guest;

    private final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    private java.io.PrintStream savedErr;

    @BeforeEach
    void start() throws Exception {
        savedErr = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        io.vnet4j.base.Log.toStandardError(io.vnet4j.base.Log.Format.TEXT);
        network = new Network();
        guest = network.attachNic("guest", 0);
        network.addNetdev("user,id=u,restrict=on");
    }

    @AfterEach
    void stop() {
        network.close();
        System.setErr(savedErr);
    }

    @Test
    void eachUnansweredKindOfInputHasItsOwnCount() {
        guest.send(GuestFrames.echoRequest(0x5254_0000_0099L, GUEST, Ipv4Address.parse("10.0.2.16"), 1, 1, new byte[8]));
        guest.send(GuestFrames.arpRequest(GUEST, Ipv4Address.parse("10.0.2.16")));
        guest.send(GuestFrames.echoRequest(0x3333_0000_0002L, GUEST, HOST, 1, 1, new byte[8])); // IPv6's all-routers MAC
        byte[] notEcho = GuestFrames.echoRequest(HOST_MAC, GUEST, HOST, 1, 1, new byte[8]);
        ByteBuffer icmp = ByteBuffer.wrap(notEcho);
        icmp.put(34, (byte) IcmpType.ECHO_REPLY).putShort(36, (short) 0);
        icmp.putShort(36, (short) io.vnet4j.wire.Checksum.compute(icmp, 34, notEcho.length - 34));
        guest.send(notEcho);
        guest.send(GuestFrames.udp(HOST_MAC, GUEST, 1000, Ipv4Address.parse("8.8.8.8"), 53, new byte[4])); // restrict=on
        byte[] bad = GuestFrames.udp(HOST_MAC, GUEST, 1000, HOST, 2000, new byte[4]);
        bad[14 + 20 + 8] ^= 1; // the payload changed: the checksum no longer matches
        guest.send(bad);
        guest.send(bad);
        guest.send(GuestFrames.udp(0x5255_0a00_0203L, GUEST, 1000, DNS, 53, new byte[4])); // no upstream when restricted
        guest.send(GuestFrames.tcp(0x5255_0a00_0203L, GUEST, 1001, DNS, 54, io.vnet4j.wire.TcpFlags.SYN, 1, 0, 65535,
                new byte[0])); // refused, and counted as the datagram is (port 53's queries are answered REFUSED)

        List<String> details = user().details(); // runs on the loop, after the frames above
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> l.contains("wrong checksum")))
                .as("told once").singleElement().asString()
                .startsWith("vnet4j: u: dropped a UDP packet from 10.0.2.15 with a wrong checksum;").contains("ethtool -K DEV tx off");
        assertThat(details).contains("not answered: malformed 2, unsupported 0, restricted 1, between guests 1, "
                + "multicast 1, arp for others 1, icmp other than echo 1, to unused addresses 0, fragments 0");
        assertThat(details).anySatisfy(line -> assertThat(line).startsWith("dns not forwarded: 2,"));
        assertThat(details).anySatisfy(line -> assertThat(line).startsWith("held for ARP/NDP: 0 waiting"));
        assertThat(details).anySatisfy(line -> assertThat(line).startsWith("dhcp not answered: malformed 0"));
    }

    private UsernetNetdev user() {
        return (UsernetNetdev) network.netdevs().stream().filter(n -> n.id().equals("u")).findFirst().orElseThrow();
    }
}
