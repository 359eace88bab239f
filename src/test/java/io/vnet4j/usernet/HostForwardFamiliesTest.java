package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.config.UserConfig;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.UdpPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Host forwards whose host socket and guest address are of different families. */
@Timeout(30)
class HostForwardFamiliesTest {
    static final long HOST_MAC = 0x5255_0a00_0202L;

    @Test
    void aUdpForwardListeningOnIpv6LoopbackCarriesToTheIpv4GuestAndBack() throws Exception {
        InetSocketAddress listen = freeUdpPort("::1");
        try (Network network = new Network(); DatagramChannel client = DatagramChannel.open()) {
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u,hostfwd=udp:[::1]:" + listen.getPort() + "-10.0.2.15:5000");
            guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST)); // the gateway learns our MAC
            receive(guest, EtherType.ARP);

            client.send(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), listen);
            ByteBuffer frame = receive(guest, EtherType.IPV4);
            Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.source()).isEqualTo(GuestFrames.HOST);
            assertThat(ip.destination()).isEqualTo(GuestFrames.GUEST);
            UdpPacket udp = new UdpPacket().wrap(frame, ip.payloadOffset(), ip.payloadLength());
            assertThat(udp.destinationPort()).isEqualTo(5000);
            byte[] payload = new byte[udp.payloadLength()];
            frame.get(udp.payloadOffset(), payload);
            assertThat(new String(payload, StandardCharsets.US_ASCII)).isEqualTo("hello");

            guest.send(GuestFrames.udp(HOST_MAC, GuestFrames.GUEST, 5000, GuestFrames.HOST, udp.sourcePort(),
                    "world".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer got = ByteBuffer.allocate(100);
            client.receive(got);
            assertThat(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII)).isEqualTo("world");
        }
    }

    /**
     * A UDP client appears from its own port, as libslirp's udp_output gives it (loopback as the gateway's
     * address); a second client that would appear the same gets a port of the gateway's, and each reply
     * reaches its own client.
     */
    @Test
    void aUdpClientAppearsFromItsOwnPortAndRepliesFindEachClient() throws Exception {
        InetSocketAddress listen = freeUdpPort("127.0.0.1");
        try (Network network = new Network(); DatagramChannel first = DatagramChannel.open();
             DatagramChannel second = DatagramChannel.open()) {
            first.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) first.getLocalAddress()).getPort();
            second.bind(new InetSocketAddress("127.0.0.2", port)); // the guest would see both as 10.0.2.2:port
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u,ipv6=off,hostfwd=udp:127.0.0.1:" + listen.getPort() + "-10.0.2.15:5000");
            guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST));
            receive(guest, EtherType.ARP);

            first.send(ByteBuffer.wrap(new byte[] {1}), listen);
            UdpPacket fromFirst = udpTo(guest, 5000);
            assertThat(fromFirst.sourcePort()).isEqualTo(port);
            second.send(ByteBuffer.wrap(new byte[] {2}), listen);
            UdpPacket fromSecond = udpTo(guest, 5000);
            assertThat(fromSecond.sourcePort()).isBetween(VirtualPorts.FIRST, VirtualPorts.LAST).isNotEqualTo(port);
            int secondPort = fromSecond.sourcePort();

            guest.send(GuestFrames.udp(HOST_MAC, GuestFrames.GUEST, 5000, GuestFrames.HOST, secondPort, new byte[] {22}));
            guest.send(GuestFrames.udp(HOST_MAC, GuestFrames.GUEST, 5000, GuestFrames.HOST, port, new byte[] {11}));
            ByteBuffer got = ByteBuffer.allocate(10);
            assertThat(first.receive(got)).isEqualTo(listen);
            assertThat(got.get(0)).isEqualTo((byte) 11);
            assertThat(second.receive(got.clear())).isEqualTo(listen);
            assertThat(got.get(0)).isEqualTo((byte) 22);
        }
    }

    /**
     * Two clients of one rule, the first gone: the guest's reply to it draws a port unreachable, and its reply to the
     * second right after reaches the second. The refusal failed the rule's socket's next send, the reply lost unsent
     * (the JDK says a refused send of an unconnected channel was sent), for whichever client it was. Fails without.
     */
    @Test
    void aReplyToOneClientRightAfterAnotherClientsWasRefusedIsNotLost() throws Exception {
        for (String rule : List.of("127.0.0.1", "0.0.0.0")) {
            InetSocketAddress listen = freeUdpPort(rule);
            InetSocketAddress asked = new InetSocketAddress("127.0.0.1", listen.getPort());
            try (Network network = new Network(); DatagramChannel gone = DatagramChannel.open(StandardProtocolFamily.INET);
                 DatagramChannel staying = DatagramChannel.open(StandardProtocolFamily.INET)) {
                gone.bind(new InetSocketAddress("127.0.0.1", 0));
                staying.bind(new InetSocketAddress("127.0.0.1", 0));
                VirtualNic guest = network.attachNic("guest", 0);
                network.addNetdev("user,id=u,ipv6=off,hostfwd=udp:" + rule + ":" + listen.getPort() + "-10.0.2.15:5000");
                guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST));
                receive(guest, EtherType.ARP);
                gone.send(ByteBuffer.wrap(new byte[] {1}), asked);
                int gonePort = udpTo(guest, 5000).sourcePort();
                staying.send(ByteBuffer.wrap(new byte[] {2}), asked);
                int stayingPort = udpTo(guest, 5000).sourcePort();
                gone.close();
                staying.configureBlocking(false);
                for (int round = 0; round < 20; round++) {
                    guest.send(GuestFrames.udp(HOST_MAC, GuestFrames.GUEST, 5000, GuestFrames.HOST, gonePort, new byte[] {3}));
                    guest.send(GuestFrames.udp(HOST_MAC, GuestFrames.GUEST, 5000, GuestFrames.HOST, stayingPort,
                            new byte[] {4, (byte) round}));
                    ByteBuffer got = ByteBuffer.allocate(10);
                    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
                    while (staying.receive(got) == null && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    assertThat(got.position()).as("%s rule, round %d's reply to the staying client", rule, round).isEqualTo(2);
                }
            }
        }
    }

    /**
     * A rule on a wildcard address answers from the address the client asked (slirp4netns#282, replayed):
     * from the kernel's choice (127.0.0.1 here) the reply never reached a client's connected socket. The
     * IPv6 wildcard takes IPv4 clients too, v4-mapped.
     */
    @Test
    void aWildcardUdpRuleRepliesFromTheAddressTheClientAsked() throws Exception {
        for (String wildcard : List.of("0.0.0.0", "::")) {
            InetSocketAddress listen = freeUdpPort(wildcard);
            InetSocketAddress asked = new InetSocketAddress("127.0.0.3", listen.getPort());
            try (Network network = new Network(); DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
                client.bind(new InetSocketAddress("127.0.0.1", 0)).connect(asked);
                VirtualNic guest = network.attachNic("guest", 0);
                network.addNetdev("user,id=u,ipv6=off,hostfwd=udp:" + (wildcard.contains(":") ? "[::]" : wildcard) + ":"
                        + listen.getPort() + "-10.0.2.15:5000");
                guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST));
                receive(guest, EtherType.ARP);

                client.write(ByteBuffer.wrap(new byte[] {1}));
                UdpPacket request = udpTo(guest, 5000);
                guest.send(GuestFrames.udp(HOST_MAC, GuestFrames.GUEST, 5000, GuestFrames.HOST, request.sourcePort(),
                        new byte[] {2}));
                client.socket().setSoTimeout(5000);
                java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[10], 10);
                client.socket().receive(reply); // a connected socket takes only what comes from 127.0.0.3
                assertThat(reply.getSocketAddress()).as(wildcard).isEqualTo(asked);
                assertThat(reply.getData()[0]).isEqualTo((byte) 2);
            }
        }
    }

    /**
     * orbstack#2620, replayed: its UDP forward silently dropped datagrams over 1472 bytes, the most one
     * 1500-byte frame holds. Through a wildcard rule (the one read with {@code PacketInfoSocket}) a
     * 65000-byte datagram reaches the guest in fragments of the MTU and the guest's 3000-byte answer, sent in
     * two fragments, reaches the client whole.
     */
    @Test
    void aDatagramLargerThanTheMtuCrossesAWildcardUdpForwardBothWays() throws Exception {
        InetSocketAddress listen = freeUdpPort("0.0.0.0");
        try (Network network = new Network(); DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u,ipv6=off,hostfwd=udp:0.0.0.0:" + listen.getPort() + "-10.0.2.15:5000");
            guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST));
            receive(guest, EtherType.ARP);

            byte[] sent = new byte[65000];
            new java.util.Random(2620).nextBytes(sent);
            client.send(ByteBuffer.wrap(sent), new InetSocketAddress("127.0.0.1", listen.getPort()));
            ByteBuffer whole = ByteBuffer.allocate(UdpPacket.HEADER_LENGTH + sent.length);
            int received = 0;
            int fragments = 0;
            while (received < whole.capacity()) {
                ByteBuffer frame = receive(guest, EtherType.IPV4);
                assertThat(frame.limit()).isLessThanOrEqualTo(EthernetFrame.HEADER_LENGTH + 1500);
                Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
                assertThat(ip.protocol()).isEqualTo(IpProtocol.UDP);
                whole.put(ip.fragmentOffset() * 8, frame, ip.payloadOffset(), ip.payloadLength());
                received += ip.payloadLength();
                fragments++;
            }
            assertThat(fragments).isGreaterThan(40);
            UdpPacket udp = new UdpPacket().wrap(whole, 0, whole.capacity());
            assertThat(udp.destinationPort()).isEqualTo(5000);
            assertThat(java.util.Arrays.copyOfRange(whole.array(), UdpPacket.HEADER_LENGTH, whole.capacity())).isEqualTo(sent);

            byte[] answer = new byte[3000];
            new java.util.Random(2621).nextBytes(answer);
            ByteBuffer datagram = ByteBuffer.allocate(UdpPacket.HEADER_LENGTH + answer.length);
            datagram.putShort((short) 5000).putShort((short) udp.sourcePort()).putShort((short) datagram.capacity())
                    .putShort((short) 0).put(answer); // checksum 0: none, as IPv4 allows
            byte[] bytes = datagram.array();
            guest.send(GuestFrames.rawIpv4(HOST_MAC, GuestFrames.GUEST, GuestFrames.HOST, IpProtocol.UDP, 2620, true, 0,
                    java.util.Arrays.copyOfRange(bytes, 0, 1480)));
            guest.send(GuestFrames.rawIpv4(HOST_MAC, GuestFrames.GUEST, GuestFrames.HOST, IpProtocol.UDP, 2620, false, 1480 / 8,
                    java.util.Arrays.copyOfRange(bytes, 1480, bytes.length)));
            client.socket().setSoTimeout(5000);
            java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[65536], 65536);
            client.socket().receive(reply);
            assertThat(java.util.Arrays.copyOf(reply.getData(), reply.getLength())).isEqualTo(answer);
        }
    }

    /**
     * The slirp4netns drop-in's pair on one port (podman#13229): 0.0.0.0 and an IPv6-only [::], both wildcards
     * answering through {@code PacketInfoSocket}. Each family's client reaches its own rule's guest port, and the
     * IPv6 client's reply comes from the address it asked.
     */
    @Test
    void anIpv6OnlyUdpRuleSharesItsPortWithTheIpv4OneEachTakingItsFamily() throws Exception {
        InetSocketAddress listen = freeUdpPort("0.0.0.0");
        int port = listen.getPort();
        try (Network network = new Network(); DatagramChannel v4 = DatagramChannel.open(StandardProtocolFamily.INET);
             DatagramChannel v6 = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            VirtualNic guest = network.attachNic("guest", 0);
            UsernetNetdev user = (UsernetNetdev) network.addNetdev("user,id=u,hostfwd=udp:0.0.0.0:" + port + "-10.0.2.15:5000");
            user.addHostForward(new UserConfig.HostForward(true, IpAddress.IPV6_ANY, port, IpAddress.parse("10.0.2.15"), 6000,
                    false, true));
            guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST));
            receive(guest, EtherType.ARP);

            v4.connect(new InetSocketAddress("127.0.0.1", port)).write(ByteBuffer.wrap(new byte[] {4}));
            assertThat(udpTo(guest, 5000).payloadLength()).isEqualTo(1);
            InetSocketAddress asked = new InetSocketAddress("::1", port);
            v6.connect(asked).write(ByteBuffer.wrap(new byte[] {6}));
            UdpPacket request = udpTo(guest, 6000);
            guest.send(GuestFrames.udp(HOST_MAC, GuestFrames.GUEST, 6000, GuestFrames.HOST, request.sourcePort(),
                    new byte[] {7}));
            v6.socket().setSoTimeout(5000);
            java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[10], 10);
            v6.socket().receive(reply);
            assertThat(reply.getSocketAddress()).isEqualTo(asked);
            assertThat(reply.getData()[0]).isEqualTo((byte) 7);
        }
    }

    /** The next UDP datagram to the guest's {@code port}, from the gateway's host address. */
    private static UdpPacket udpTo(VirtualNic guest, int port) throws InterruptedException {
        ByteBuffer frame = receive(guest, EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.source()).isEqualTo(GuestFrames.HOST);
        UdpPacket udp = new UdpPacket().wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertThat(udp.destinationPort()).isEqualTo(port);
        return udp;
    }

    @Test
    void aTcpForwardListeningOnIpv6LoopbackOpensToTheIpv4Guest() throws Exception {
        InetSocketAddress listen = freeTcpPort("::1");
        try (Network network = new Network(); SocketChannel client = SocketChannel.open()) {
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u,hostfwd=tcp:[::1]:" + listen.getPort() + "-10.0.2.15:22");
            guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST));
            receive(guest, EtherType.ARP);

            client.configureBlocking(false);
            client.bind(new InetSocketAddress("::1", 0));
            client.connect(listen);
            ByteBuffer frame = receive(guest, EtherType.IPV4);
            Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.protocol()).isEqualTo(IpProtocol.TCP);
            assertThat(ip.source()).isEqualTo(GuestFrames.HOST);
            assertThat(ip.destination()).isEqualTo(GuestFrames.GUEST);
            TcpSegment syn = new TcpSegment().wrap(frame, ip.payloadOffset(), ip.payloadLength());
            assertThat(syn.destinationPort()).isEqualTo(22);
            assertThat(syn.flags() & TcpFlags.SYN).isNotZero();
            assertThat(syn.sourcePort()).as("the client's own port, as libslirp keeps it")
                    .isEqualTo(((InetSocketAddress) client.getLocalAddress()).getPort());
        }
    }

    /** A rule on port 0 reports, and is removed by, the port the kernel picked (libslirp's info usernet shows it). */
    @Test
    void aRuleOnPortZeroIsKnownByThePortBound() throws Exception {
        try (Network network = new Network()) {
            UsernetNetdev user = (UsernetNetdev) network.addNetdev("user,id=u,ipv6=off,hostfwd=tcp:127.0.0.1:0-:22");
            user.addHostForward(UserConfig.HostForward.parse("udp:127.0.0.1:0-:53", user.config()));
            List<UserConfig.HostForward> forwards = user.hostForwards();
            assertThat(forwards).hasSize(2).allSatisfy(f -> assertThat(f.hostPort()).isPositive());
            int tcpPort = forwards.getFirst().hostPort();
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", tcpPort))) {
                assertThat(client.isConnected()).as("the forward listens on the port it reports").isTrue();
            }
            assertThat(user.removeHostForward(false, IpAddress.parse("127.0.0.1"), tcpPort)).isTrue();
            assertThat(user.hostForwards()).hasSize(1);
        }
    }

    /**
     * A rule on 0.0.0.0 listens on IPv4 only, as QEMU's and slirp4netns's do: the JDK would bind an IPv4
     * wildcard on its default dual-stack socket as ::, taking the IPv6 port too.
     */
    @Test
    void aForwardOnTheIpv4WildcardLeavesIpv6Alone() throws Exception {
        InetSocketAddress listen = freeTcpPort("0.0.0.0");
        InetSocketAddress udp = freeUdpPort("0.0.0.0");
        try (Network network = new Network()) {
            network.addNetdev("user,id=u,hostfwd=tcp:0.0.0.0:" + listen.getPort() + "-:22,hostfwd=udp:0.0.0.0:"
                    + udp.getPort() + "-:53");
            try (ServerSocketChannel v6 = ServerSocketChannel.open(StandardProtocolFamily.INET6);
                 DatagramChannel v6udp = DatagramChannel.open(StandardProtocolFamily.INET6)) {
                v6.bind(new InetSocketAddress("::1", listen.getPort())); // free: the rule took only IPv4
                v6udp.bind(new InetSocketAddress("::1", udp.getPort()));
            }
        }
    }

    static InetSocketAddress freeTcpPort(String host) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(host, 0));
            return (InetSocketAddress) probe.getLocalAddress();
        } catch (IOException e) {
            Assumptions.abort("no " + host + " here: " + e.getMessage());
            throw e;
        }
    }

    /** A UDP port free on {@code host} now; skips the test where that address does not exist. */
    static InetSocketAddress freeUdpPort(String host) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(host, 0));
            return (InetSocketAddress) probe.getLocalAddress();
        } catch (IOException e) {
            Assumptions.abort("no " + host + " here: " + e.getMessage());
            throw e;
        }
    }

    static ByteBuffer receive(VirtualNic guest, int etherType) throws InterruptedException {
        return GuestFrames.await(guest, b -> new EthernetFrame().wrap(b, 0, b.limit()).etherType() == etherType,
                "frame of type " + Integer.toHexString(etherType));
    }
}
