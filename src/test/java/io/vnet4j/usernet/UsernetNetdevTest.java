package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.fabric.ReadingLoop;
import io.vnet4j.os.TapDevice;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.usernet.dns.DnsMessage;
import io.vnet4j.usernet.dns.DnsTcpFraming;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Icmpv6Packet;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.UdpPacket;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.WireError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway seen from an in-JVM guest NIC on its hub, with host sockets on loopback. */
@Timeout(30)
class UsernetNetdevTest {
    static final int GUEST = Ipv4Address.parse("10.0.2.15");
    static final int HOST = Ipv4Address.parse("10.0.2.2");
    static final int DNS = Ipv4Address.parse("10.0.2.3");
    static final long HOST_MAC = 0x5255_0a00_0202L;

    private Network network;
    private VirtualNic guest;
    /** The MAC of the gateway's DNS address. */
    private static final long DNS_MAC = 0x5255_0a00_0203L;

    private DatagramChannel upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        int upstreamPort = ((InetSocketAddress) upstream.getLocalAddress()).getPort();
        network = new Network();
        guest = network.attachNic("guest", 0);
        network.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + upstreamPort);
    }

    @AfterEach
    void stop() throws Exception {
        network.close();
        upstream.close();
    }

    @Test
    void answersArpForTheGatewayWithQemusMac() throws Exception {
        guest.send(GuestFrames.arpRequest(GUEST, HOST));
        ByteBuffer reply = receive(EtherType.ARP);
        ArpPacket arp = new ArpPacket().wrap(reply, EthernetFrame.HEADER_LENGTH, ArpPacket.LENGTH);
        assertThat(arp.operation()).isEqualTo(ArpPacket.REPLY);
        assertThat(arp.senderIp()).isEqualTo(HOST);
        assertThat(arp.senderMac()).isEqualTo(HOST_MAC);
        assertThat(arp.targetIp()).isEqualTo(GUEST);
    }

    /**
     * An ARP request of hardware type 6 (IEEE 802, RFC 1042's hosts on 802.3) is answered as Linux's arp_process
     * answers it on an Ethernet device, and libslirp's, which reads no hardware type; the reply is Ethernet's (1),
     * as both write it. It was dropped and counted.
     */
    @Test
    void answersAnIeee802ArpRequestForTheGateway() throws Exception {
        byte[] request = GuestFrames.arpRequest(GUEST, HOST);
        request[EthernetFrame.HEADER_LENGTH + 1] = 6;
        guest.send(request);
        ByteBuffer reply = receive(EtherType.ARP);
        ArpPacket arp = new ArpPacket().wrap(reply, EthernetFrame.HEADER_LENGTH, ArpPacket.LENGTH);
        assertThat(reply.getShort(EthernetFrame.HEADER_LENGTH)).as("hardware type").isEqualTo((short) 1);
        assertThat(arp.operation()).isEqualTo(ArpPacket.REPLY);
        assertThat(arp.senderMac()).isEqualTo(HOST_MAC);
        assertThat(arp.targetIp()).isEqualTo(GUEST);
    }

    @Test
    void answersPingToTheGateway() throws Exception {
        byte[] data = "ping-data".getBytes(StandardCharsets.US_ASCII);
        guest.send(GuestFrames.echoRequest(HOST_MAC, GUEST, HOST, 0x1234, 1, data));
        ByteBuffer reply = receive(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
        assertThat(ip.source()).isEqualTo(HOST);
        IcmpPacket icmp = new IcmpPacket().wrap(reply, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.type()).isEqualTo(IcmpType.ECHO_REPLY);
        assertThat(icmp.identifier()).isEqualTo(0x1234);
        assertThat(icmp.checksumValid()).isTrue();
    }

    /**
     * A pass of the loop that ends on an exception (a bug) is said and counted, and the network goes on: it
     * used to end the loop, leaving every guest without the gateway. The exception comes from a port whose
     * reads the loop does ({@link ReadingLoop}), as a TAP's and a VM's are.
     */
    @Test
    void aPassOfTheLoopThatThrowsLeavesTheNetworkAnswering() throws Exception {
        AtomicInteger thrown = new AtomicInteger();
        TapDevice[] pair = TapDevice.pair("faulty");
        try {
            UsernetNetdev user = (UsernetNetdev) network.netdev("u");
            ReadingLoop.Reader faulty = new ReadingLoop.Reader() {
                @Override
                public boolean readWaiting() {
                    if (thrown.getAndIncrement() < 3) {
                        throw new IllegalStateException("deliberate");
                    }
                    try {
                        while (pair[0].readNow() > 0) {
                            // drained: the descriptor is no longer readable
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return true;
                }

                @Override
                public void readsReturned() {
                }
            };
            assertThat(user.adopt(pair[0].descriptor(), faulty)).isTrue();
            pair[1].writeBuffer().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertThat(pair[1].write(64)).isTrue(); // the descriptor is readable: the loop calls the reader
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (thrown.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            user.release(faulty);
        } finally {
            for (TapDevice d : pair) {
                d.close();
                d.release();
            }
        }
        assertThat(thrown.get()).as("passes that threw").isGreaterThanOrEqualTo(3);
        guest.send(GuestFrames.echoRequest(HOST_MAC, GUEST, HOST, 0x4321, 1, new byte[8]));
        ByteBuffer reply = receive(EtherType.IPV4);
        assertThat(new IcmpPacket().wrap(reply, EthernetFrame.HEADER_LENGTH + 20, 8 + 8).type()).isEqualTo(IcmpType.ECHO_REPLY);
    }
    @Test
    void carriesUdpToTheHostsLoopbackAndRepliesBack() throws Exception {
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40000, HOST, port, "hello".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer got = ByteBuffer.allocate(100);
            InetSocketAddress from = (InetSocketAddress) server.receive(got);
            assertThat(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII)).isEqualTo("hello");
            server.send(ByteBuffer.wrap("world".getBytes(StandardCharsets.US_ASCII)), from);

            ByteBuffer reply = receive(EtherType.IPV4);
            Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.source()).isEqualTo(HOST);
            assertThat(ip.destination()).isEqualTo(GUEST);
            UdpPacket udp = new UdpPacket().wrap(reply, ip.payloadOffset(), ip.payloadLength());
            assertThat(udp.sourcePort()).isEqualTo(port);
            assertThat(udp.destinationPort()).isEqualTo(40000);
            assertThat(udp.checksumValid(HOST, GUEST)).isTrue();
            byte[] payload = new byte[udp.payloadLength()];
            reply.get(udp.payloadOffset(), payload);
            assertThat(new String(payload, StandardCharsets.US_ASCII)).isEqualTo("world");
        }
    }

    /**
     * The host's kernel answers a datagram to a closed loopback port with ICMP port unreachable; the flow's
     * socket queues it (IP_RECVERR) and the guest gets it as from the address it sent to, quoting its datagram.
     */
    @Test
    void aDatagramToAClosedHostPortComesBackAsPortUnreachable() throws Exception {
        int port = TestGateways.closedUdpPort("127.0.0.1");
        guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40001, HOST, port, "anyone?".getBytes(StandardCharsets.US_ASCII)));

        ByteBuffer error = receive(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(error, EthernetFrame.HEADER_LENGTH, error.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.source()).isEqualTo(HOST);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
        IcmpPacket icmp = new IcmpPacket().wrap(error, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.checksumValid()).isTrue();
        assertThat(icmp.type()).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(3); // port unreachable
        Ipv4Packet quoted = new Ipv4Packet().wrap(error, ip.payloadOffset() + 8, ip.payloadLength() - 8);
        assertThat(quoted.source()).isEqualTo(GUEST);
        assertThat(quoted.destination()).isEqualTo(HOST);
        assertThat(quoted.protocol()).isEqualTo(IpProtocol.UDP);
        int udpAt = quoted.payloadOffset();
        assertThat(error.getShort(udpAt) & 0xFFFF).isEqualTo(40001);
        assertThat(error.getShort(udpAt + 2) & 0xFFFF).isEqualTo(port);
        assertThat(error.get(udpAt + 8)).isEqualTo((byte) 'a');
    }

    /**
     * A guest socket that sends to several destinations: after a closed port refused it, a datagram it sends to a
     * closed port and at once one to an open port, the second arrives. The refusal from host loopback is queued
     * within the send that drew it, and it failed the socket's next send, the datagram lost unsent and unsaid (the
     * JDK reports a refused send of an unconnected channel as sent). Fails without.
     */
    @Test
    void aDatagramRightAfterOneARefusedIsNotLost() throws Exception {
        int closed = TestGateways.closedUdpPort("127.0.0.1");
        try (DatagramChannel open = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int openPort = ((InetSocketAddress) open.getLocalAddress()).getPort();
            guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40011, HOST, closed, new byte[] {1}));
            receive(EtherType.IPV4); // its port unreachable: the flow had an error
            open.configureBlocking(false);
            for (int round = 0; round < 20; round++) {
                guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40011, HOST, closed, new byte[] {2}));
                guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40011, HOST, openPort, new byte[] {3, (byte) round}));
                ByteBuffer got = ByteBuffer.allocate(10);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (open.receive(got) == null && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(got.position()).as("round %d's datagram to the open port", round).isEqualTo(2);
            }
        }
    }

    /** The same over IPv6: a datagram to fec0::2 (the host's ::1) at a closed port gets ICMPv6 port unreachable. */
    @Test
    void anIpv6DatagramToAClosedHostPortComesBackAsPortUnreachable() throws Exception {
        int port = TestGateways.closedUdpPort("::1");
        IpAddress host6 = IpAddress.parse("fec0::2");
        guest.send(GuestFrames6.udp(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, 40002, host6, port,
                "anyone?".getBytes(StandardCharsets.US_ASCII)));

        while (true) { // router advertisements may come first
            ByteBuffer frame = receive(EtherType.IPV6);
            Ipv6Packet ip = new Ipv6Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.check()).isEqualTo(WireError.NONE);
            if (ip.upperProtocol() != IpProtocol.ICMPV6 || (frame.get(ip.upperOffset()) & 0xFF) != Icmpv6Type.DESTINATION_UNREACHABLE) {
                continue;
            }
            assertThat(ip.source()).isEqualTo(host6);
            assertThat(new Icmpv6Packet().wrap(frame, ip.upperOffset(), ip.upperLength()).checksumValid(ip)).isTrue();
            assertThat(frame.get(ip.upperOffset() + 1)).isEqualTo((byte) 4); // port unreachable
            int quoted = ip.upperOffset() + 8;
            assertThat(IpAddress.read(frame, quoted + 8)).isEqualTo(GuestFrames6.GUEST);
            assertThat(IpAddress.read(frame, quoted + 24)).isEqualTo(host6);
            assertThat(frame.getShort(quoted + 40) & 0xFFFF).isEqualTo(40002);
            assertThat(frame.getShort(quoted + 42) & 0xFFFF).isEqualTo(port);
            return;
        }
    }

    /**
     * A helper's replay: with {@code host-loopback=off}, datagrams and connections a guest addressed to 127.0.0.1
     * or 0.0.0.0 itself (not the host address) reached the host's loopback services. They are refused as the
     * host address is.
     */
    @Test
    void hostLoopbackOffRefusesTheLoopbackAddressesThemselves() throws Exception {
        restartWith("user,id=u,host-loopback=off");
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open()
                     .bind(new InetSocketAddress("127.0.0.1", 0))) {
            server.configureBlocking(false);
            listener.configureBlocking(false);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            int tcpPort = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            for (String to : new String[] {"127.0.0.1", "0.0.0.0", "127.1.2.3"}) {
                int address = Ipv4Address.parse(to);
                guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40010, address, port, "x".getBytes(StandardCharsets.US_ASCII)));
                assertUnreachableFromTheGateway(receive(EtherType.IPV4));
                guest.send(GuestFrames.tcp(HOST_MAC, GUEST, 40011, address, tcpPort, TcpFlags.SYN, 1000, 0, 65535,
                        new byte[0]));
                assertUnreachableFromTheGateway(receive(EtherType.IPV4));
                guest.send(GuestFrames.echoRequest(HOST_MAC, GUEST, address, 7, 1, new byte[8]));
                assertUnreachableFromTheGateway(receive(EtherType.IPV4));
            }
            Thread.sleep(200);
            assertThat(server.receive(ByteBuffer.allocate(4))).isNull();
            assertThat(listener.accept()).isNull();
            UsernetNetdev user = (UsernetNetdev) network.netdevs().stream().filter(n -> n.id().equals("u")).findFirst()
                    .orElseThrow();
            assertThat(user.details()).anySatisfy(line -> assertThat(line).contains("(host-loopback=off) 9"));
        }
    }

    /**
     * A helper's replay against Linux: a protocol the gateway's own address does not speak (GRE, SCTP) got no
     * answer; a host answers Protocol Unreachable (RFC 1122 section 3.2.2.1), quoting the packet.
     */
    @Test
    void anUnknownProtocolToTheGatewayIsAnsweredProtocolUnreachable() throws Exception {
        guest.send(GuestFrames.rawIpv4(HOST_MAC, GUEST, HOST, 47, 9, false, 0, new byte[] {0, 0, 0x08, 0, 1, 2, 3, 4}));
        ByteBuffer frame = receive(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.source()).isEqualTo(HOST);
        assertThat(ip.destination()).isEqualTo(GUEST);
        IcmpPacket icmp = new IcmpPacket().wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.type()).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(2);
        assertThat(icmp.checksumValid()).isTrue();
        assertThat(frame.get(ip.payloadOffset() + 8 + 9)).as("the quoted protocol").isEqualTo((byte) 47);
    }

    /** outbound-addr= (slirp4netns's --outbound-addr): NAT'd datagrams and connections leave from that host address. */
    @Test
    void natSocketsLeaveFromTheOutboundAddress() throws Exception {
        restartWith("user,id=u,outbound-addr=127.0.0.2");
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open()
                     .bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40004, HOST, port, "hello".getBytes(StandardCharsets.US_ASCII)));
            InetSocketAddress from = (InetSocketAddress) server.receive(ByteBuffer.allocate(16));
            assertThat(from.getAddress().getHostAddress()).isEqualTo("127.0.0.2");

            int tcpPort = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            guest.send(GuestFrames.tcp(HOST_MAC, GUEST, 40005, HOST, tcpPort, io.vnet4j.wire.TcpFlags.SYN, 1000, 0, 65535,
                    new byte[0]));
            try (java.nio.channels.SocketChannel accepted = listener.accept()) {
                assertThat(((InetSocketAddress) accepted.getRemoteAddress()).getAddress().getHostAddress()).isEqualTo("127.0.0.2");
            }
        }
    }

    /**
     * A short request whose TCP checksum an offloading TAP left partial (a large segment of one segment, as
     * TapNetdev hands it to the hub) is taken at once, checksum unchecked, and reaches the host.
     */
    @Test
    void aShortRequestWithAPartialChecksumReachesTheHost() throws Exception {
        OffloadingPort tap = new OffloadingPort();
        network.hubs().hub(0).attach(tap);
        try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open()
                .bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            guest.send(GuestFrames.tcp(HOST_MAC, GUEST, 40006, HOST, port, TcpFlags.SYN, 1000, 0, 65535, new byte[0]));
            try (java.nio.channels.SocketChannel accepted = listener.accept()) {
                ByteBuffer synAck = receive(EtherType.IPV4);
                Ipv4Packet ip = new Ipv4Packet().wrap(synAck, EthernetFrame.HEADER_LENGTH,
                        synAck.limit() - EthernetFrame.HEADER_LENGTH);
                int ours = new TcpSegment().wrap(synAck, ip.payloadOffset(), ip.payloadLength()).sequenceNumber();
                guest.send(GuestFrames.tcp(HOST_MAC, GUEST, 40006, HOST, port, TcpFlags.ACK, 1001, ours + 1, 65535,
                        new byte[0]));
                byte[] request = GuestFrames.tcp(HOST_MAC, GUEST, 40006, HOST, port, TcpFlags.ACK | TcpFlags.PSH, 1001,
                        ours + 1, 65535, new byte[] {'q'});
                int tcp = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
                int tcpLength = TcpSegment.MIN_HEADER_LENGTH + 1;
                ByteBuffer.wrap(request).putShort(tcp + 16, (short) Checksum.fold(Checksum.pseudoHeaderSum(GUEST, HOST,
                        IpProtocol.TCP, tcpLength))); // what Linux leaves for the device (CHECKSUM_PARTIAL)
                tap.sendLargeSegment(request, EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH + tcpLength, 1);
                ByteBuffer got = ByteBuffer.allocate(4);
                accepted.socket().setSoTimeout(5000);
                int n = accepted.socket().getInputStream().read(got.array());
                assertThat(n).isEqualTo(1);
                assertThat(got.get(0)).isEqualTo((byte) 'q');
            }
        }
    }

    /** A port that hands the hub large TCP segments with a partial checksum, as an offloading TAP does. */
    private static final class OffloadingPort extends io.vnet4j.fabric.QueuedPort {
        OffloadingPort() {
            super("tap", "tap", 1 << 16);
        }

        void sendLargeSegment(byte[] frame, int length, int segmentSize) {
            deliver(ByteBuffer.wrap(frame), 0, length, segmentSize);
        }

        @Override
        public String describe() {
            return "offloading test port";
        }

        @Override
        public boolean takesLargeSegments() {
            return true;
        }
    }

    @Test
    void forwardsDnsToTheUpstreamAndAnswersFromTheDnsAddress() throws Exception {
        guest.send(GuestFrames.udp(DNS_MAC, GUEST, 5353, DNS, 53, new byte[] {1, 2, 3}));
        ByteBuffer query = ByteBuffer.allocate(100);
        InetSocketAddress from = (InetSocketAddress) upstream.receive(query);
        assertThat(query.position()).isEqualTo(3);
        upstream.send(ByteBuffer.wrap(new byte[] {9, 8, 7, 6}), from);

        ByteBuffer reply = receive(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
        UdpPacket udp = new UdpPacket().wrap(reply, ip.payloadOffset(), ip.payloadLength());
        assertThat(ip.source()).isEqualTo(DNS);
        assertThat(udp.sourcePort()).isEqualTo(53);
        assertThat(udp.payloadLength()).isEqualTo(4);
    }

    /**
     * Through the unprivileged ICMP socket where net.ipv4.ping_group_range allows it, else through a raw
     * one (CAP_NET_RAW, as root on a machine whose range is closed, like this project's CI).
     */
    @Test
    void aPingToAnotherHostIsAnsweredFromThatHost() throws Exception {
        int loopback = Ipv4Address.parse("127.0.0.1");
        guest.send(GuestFrames.echoRequest(HOST_MAC, GUEST, loopback, 0x4321, 7, "far".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer reply = receive(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.source()).isEqualTo(loopback);
        assertThat(ip.destination()).isEqualTo(GUEST);
        IcmpPacket icmp = new IcmpPacket().wrap(reply, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.type()).isEqualTo(IcmpType.ECHO_REPLY);
        assertThat(icmp.identifier()).isEqualTo(0x4321);
        assertThat(icmp.sequence()).isEqualTo(7);
        assertThat(icmp.checksumValid()).isTrue();
        assertThat(reply.get(ip.payloadOffset() + IcmpPacket.HEADER_LENGTH)).isEqualTo((byte) 'f');
    }

    /**
     * The same for IPv6: a guest's echo request to {@code ::1} (a guest cannot route there, but the gateway
     * takes what it is given; loopback keeps the test on this machine) goes out on the proxy's ICMPv6 socket,
     * a ping socket or, as root with a closed range, a raw one, and comes back as an ICMPv6 echo reply.
     */
    @Test
    void anIpv6PingToAnotherHostIsAnsweredFromThatHost() throws Exception {
        IpAddress loopback = IpAddress.IPV6_LOOPBACK;
        byte[] rest = {0x43, 0x21, 0, 7, 'f', 'a', 'r', '6'};
        guest.send(GuestFrames6.icmpv6(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, loopback, 64, Icmpv6Type.ECHO_REQUEST, rest));
        ByteBuffer reply = receiveIcmpv6EchoReply();
        Ipv6Packet ip = new Ipv6Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.source()).isEqualTo(loopback);
        assertThat(ip.destination()).isEqualTo(GuestFrames6.GUEST);
        Icmpv6Packet icmp = new Icmpv6Packet().wrap(reply, ip.upperOffset(), ip.upperLength());
        assertThat(icmp.identifier()).isEqualTo(0x4321);
        assertThat(icmp.sequence()).isEqualTo(7);
        assertThat(icmp.checksumValid(ip)).isTrue();
        assertThat(reply.get(ip.upperOffset() + Icmpv6Packet.HEADER_LENGTH + 3)).isEqualTo((byte) '6');
        UsernetNetdev user = (UsernetNetdev) network.netdevs().stream().filter(n -> n.id().equals("u")).findFirst().orElseThrow();
        String pings = user.details().stream().filter(line -> line.contains("pings dropped")).findFirst().orElseThrow();
        assertThat(pings).contains("pings dropped: 0").containsPattern("ipv6 by (ping|raw) socket");
        System.out.println("the IPv6 ping went: " + pings.substring(pings.indexOf("pings dropped")));
    }

    private ByteBuffer receiveIcmpv6EchoReply() throws InterruptedException {
        while (true) { // router advertisements may come first
            ByteBuffer frame = receive(EtherType.IPV6);
            Ipv6Packet ip = new Ipv6Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.check()).isEqualTo(WireError.NONE);
            if (ip.upperProtocol() == IpProtocol.ICMPV6 && (frame.get(ip.upperOffset()) & 0xFF) == Icmpv6Type.ECHO_REPLY) {
                return frame;
            }
        }
    }

    /**
     * slirp4netns#347 replayed: with two upstreams and the first silent, a guest's retry goes to the second (the
     * guest knows only 10.0.2.3, so it cannot fall back by itself); libslirp asks only the first.
     */
    @Test
    void aQueryTheFirstUpstreamLeavesUnansweredIsAskedOfTheNext() throws Exception {
        try (Network two = new Network(); DatagramChannel silent = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            VirtualNic nic = two.attachNic("guest", 0);
            two.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + ((InetSocketAddress) silent.getLocalAddress()).getPort()
                    + ",dns-upstream=127.0.0.1:" + ((InetSocketAddress) upstream.getLocalAddress()).getPort());
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5355, DNS, 53, new byte[DnsMessage.HEADER_LENGTH])); // header-long at least
            ByteBuffer query = ByteBuffer.allocate(100);
            silent.receive(query); // and never answers
            Thread.sleep(DnsUpstreams.FAILOVER_MILLIS + 100); // the failover's own time, not a measurement
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5355, DNS, 53, new byte[] {1})); // the guest's retry
            InetSocketAddress from = (InetSocketAddress) upstream.receive(query.clear());
            upstream.send(ByteBuffer.wrap(new byte[] {9}), from);
            ByteBuffer reply = receive(nic, EtherType.IPV4);
            Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.source()).isEqualTo(DNS);
            UsernetNetdev user = (UsernetNetdev) two.netdev("u");
            assertThat(user.details()).anySatisfy(line -> assertThat(line).contains("upstream in use: 127.0.0.1:"
                    + ((InetSocketAddress) upstream.getLocalAddress()).getPort() + ", moved on to the next upstream: 1,"));
            assertThat(user.counts().dnsUpstreamChanges()).isOne();
        }
    }

    /**
     * helper-95's replay of slirp4netns#347 with a first upstream where nothing listens: the guest hears the port
     * unreachable (glibc then asks again at once), and that next query goes to the second upstream.
     */
    @Test
    void aQueryTheFirstUpstreamRefusesSendsTheNextOneToTheNext() throws Exception {
        try (Network two = new Network()) {
            VirtualNic nic = two.attachNic("guest", 0);
            addRefusedThenUpstream(two);
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5356, DNS, 53, new byte[] {1}));
            ByteBuffer refused = receive(nic, EtherType.IPV4);
            Ipv4Packet ip = new Ipv4Packet().wrap(refused, EthernetFrame.HEADER_LENGTH, refused.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
            assertThat(refused.get(ip.payloadOffset()) & 0xFF).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5356, DNS, 53, new byte[] {1}));
            ByteBuffer query = ByteBuffer.allocate(100);
            InetSocketAddress from = (InetSocketAddress) upstream.receive(query);
            upstream.send(ByteBuffer.wrap(new byte[] {9}), from);
            ByteBuffer reply = receive(nic, EtherType.IPV4);
            Ipv4Packet answer = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(answer.protocol()).isEqualTo(IpProtocol.UDP);
            assertThat(answer.source()).isEqualTo(DNS);
        }
    }

    /**
     * A replay of gvisor-tap-vsock#398 (only the first nameserver used) with a first upstream where nothing listens:
     * the refused query itself is asked of the second at once, and the guest gets its answer and hears no error
     * (it heard the port unreachable: dig +tries=1 and busybox's nslookup failed with "connection refused", musl
     * waited for its retry, again each time the first was tried again 30 s after a move). Fails without.
     */
    @Test
    void aQueryTheFirstUpstreamRefusesIsAskedOfTheNextAndAnswered() throws Exception {
        try (Network two = new Network()) {
            VirtualNic nic = two.attachNic("guest", 0);
            addRefusedThenUpstream(two);
            byte[] query = new byte[DnsMessage.HEADER_LENGTH + 5];
            query[0] = 0x12;
            query[1] = 0x34;
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5359, DNS, 53, query));
            ByteBuffer asked = ByteBuffer.allocate(100);
            InetSocketAddress from = (InetSocketAddress) upstream.receive(asked);
            assertThat(asked.flip().remaining()).isEqualTo(query.length);
            assertThat(asked.getShort(0)).isEqualTo((short) 0x1234);
            upstream.send(ByteBuffer.wrap(new byte[] {0x12, 0x34, (byte) 0x81, (byte) 0x80}), from);
            ByteBuffer reply = receive(nic, EtherType.IPV4);
            Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.protocol()).as("the answer, no ICMP error before it").isEqualTo(IpProtocol.UDP);
            assertThat(ip.source()).isEqualTo(DNS);
            assertThat(((UsernetNetdev) two.netdev("u")).counts().dnsUpstreamChanges()).isOne();
        }
    }

    /**
     * glibc's getaddrinfo sends A and AAAA together from one socket: with a first upstream that refuses, both reach
     * the second (the refusal of the first failed the socket's send of the second, and glibc waited 5 s for its
     * retry). Fails without.
     */
    @Test
    void twoQueriesTheFirstUpstreamRefusesAreBothAskedOfTheNext() throws Exception {
        try (Network two = new Network()) {
            VirtualNic nic = two.attachNic("guest", 0);
            addRefusedThenUpstream(two);
            byte[] a = new byte[DnsMessage.HEADER_LENGTH + 5];
            byte[] aaaa = a.clone();
            a[1] = 1;
            aaaa[1] = 2;
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5361, DNS, 53, a));
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5361, DNS, 53, aaaa));
            upstream.configureBlocking(false);
            java.util.Set<Integer> ids = new java.util.HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            ByteBuffer asked = ByteBuffer.allocate(100);
            while (ids.size() < 2 && System.nanoTime() < deadline) {
                if (upstream.receive(asked.clear()) != null) {
                    ids.add((int) asked.getShort(0));
                } else {
                    Thread.sleep(1);
                }
            }
            assertThat(ids).containsExactlyInAnyOrder(1, 2);
        }
    }

    /**
     * Adds the user network {@code u} whose first {@code dns-upstream=} refuses (a closed port on loopback: a port
     * unreachable) and whose second is {@link #upstream}.
     */
    private void addRefusedThenUpstream(Network network) throws Exception {
        network.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + TestGateways.closedUdpPort("127.0.0.1")
                + ",dns-upstream=127.0.0.1:" + ((InetSocketAddress) upstream.getLocalAddress()).getPort());
    }

    /** Both upstreams refuse: the query goes round them once, and the guest hears the port unreachable. */
    @Test
    void aQueryEveryUpstreamRefusesIsToldUnreachableAfterOneRound() throws Exception {
        int closedPort;
        int closedPort2;
        try (DatagramChannel closed = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel closed2 = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            closedPort = ((InetSocketAddress) closed.getLocalAddress()).getPort();
            closedPort2 = ((InetSocketAddress) closed2.getLocalAddress()).getPort();
        }
        try (Network two = new Network()) {
            VirtualNic nic = two.attachNic("guest", 0);
            two.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + closedPort + ",dns-upstream=127.0.0.1:" + closedPort2);
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5360, DNS, 53, new byte[DnsMessage.HEADER_LENGTH]));
            ByteBuffer refused = receive(nic, EtherType.IPV4);
            Ipv4Packet ip = new Ipv4Packet().wrap(refused, EthernetFrame.HEADER_LENGTH, refused.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
            assertThat(refused.get(ip.payloadOffset()) & 0xFF).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
            assertThat(ip.source()).isEqualTo(DNS);
            assertThat(((UsernetNetdev) two.netdev("u")).counts().dnsUpstreamChanges()).as("one round").isEqualTo(2);
        }
    }

    /**
     * helper-98's review: a guest's retry comes from the socket of its first try, whose flow held an IPv4 socket;
     * with the next upstream an IPv6 one, the send threw and the retry was lost. The flow now gets a socket of the
     * upstream's family.
     */
    @Test
    void aRetryReachesANextUpstreamOfTheOtherFamily() throws Exception {
        try (Network two = new Network(); DatagramChannel silent = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel upstream6 = DatagramChannel.open().bind(new InetSocketAddress("::1", 0))) {
            VirtualNic nic = two.attachNic("guest", 0);
            two.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + ((InetSocketAddress) silent.getLocalAddress()).getPort()
                    + ",dns-upstream=[::1]:" + ((InetSocketAddress) upstream6.getLocalAddress()).getPort());
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5358, DNS, 53, new byte[DnsMessage.HEADER_LENGTH])); // header-long at least
            ByteBuffer query = ByteBuffer.allocate(100);
            silent.receive(query); // and never answers
            Thread.sleep(DnsUpstreams.FAILOVER_MILLIS + 100); // the failover's own time, not a measurement
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5358, DNS, 53, new byte[] {1})); // the retry, from the same socket
            InetSocketAddress from = (InetSocketAddress) upstream6.receive(query.clear());
            upstream6.send(ByteBuffer.wrap(new byte[] {9}), from);
            ByteBuffer reply = receive(nic, EtherType.IPV4);
            Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.protocol()).isEqualTo(IpProtocol.UDP);
            assertThat(ip.source()).isEqualTo(DNS);
        }
    }

    /** The same from an IPv6 guest to fec0::3, the refusing first upstream on ::1 (its error from an IPv6 socket). */
    @Test
    void anIpv6QueryTheFirstUpstreamRefusesSendsTheNextOneToTheNext() throws Exception {
        int closedPort = TestGateways.closedUdpPort("::1");
        try (Network two = new Network()) {
            VirtualNic nic = two.attachNic("guest", 0);
            two.addNetdev("user,id=u,dns-upstream=[::1]:" + closedPort + ",dns-upstream=127.0.0.1:"
                    + ((InetSocketAddress) upstream.getLocalAddress()).getPort());
            nic.send(GuestFrames6.udp(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, 5357, GuestFrames6.DNS, 53, new byte[] {1}));
            awaitDetail(two, "moved on to the next upstream: 1,");
            nic.send(GuestFrames6.udp(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, 5357, GuestFrames6.DNS, 53, new byte[] {1}));
            ByteBuffer query = ByteBuffer.allocate(100);
            InetSocketAddress from = (InetSocketAddress) upstream.receive(query);
            assertThat(query.position()).isOne();
            upstream.send(ByteBuffer.wrap(new byte[] {9}), from);
        }
    }

    /**
     * helper-113: a call on the loop (hostfwd_add, info network, /metrics) made as netdev_del stops the user
     * network waited its whole 2 s and failed with "state not available: the user network's loop did not
     * answer", the loop having ended without running it; it now fails at once, saying the network stopped.
     */
    @Test
    void aCallOnTheLoopAsTheNetworkIsRemovedFailsAtOnceSayingItStopped() throws Exception {
        long slowest = 0;
        java.util.Set<String> failures = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 8; round++) {
            UsernetNetdev user = (UsernetNetdev) network.addNetdev("user,id=r" + round + ",hubid=7");
            java.util.concurrent.atomic.AtomicLong longest = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.CountDownLatch calling = new java.util.concurrent.CountDownLatch(1);
            Thread caller = Thread.ofPlatform().start(() -> {
                while (true) {
                    long start = System.nanoTime();
                    try {
                        user.hostForwards();
                        calling.countDown();
                    } catch (IOException e) {
                        failures.add(e.getMessage());
                        return;
                    } finally {
                        longest.accumulateAndGet(System.nanoTime() - start, Math::max);
                    }
                }
            });
            calling.await();
            assertThat(network.removeNetdev("r" + round)).isTrue();
            caller.join();
            slowest = Math.max(slowest, longest.get());
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("the slowest call, in ms").isLessThan(1000);
        assertThat(failures).allSatisfy(m -> assertThat(m).doesNotContain("did not answer"));
    }

    private static void awaitDetail(Network network, String detail) throws InterruptedException {
        UsernetNetdev user = (UsernetNetdev) network.netdev("u");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (user.details().stream().noneMatch(line -> line.contains(detail)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(user.details()).anySatisfy(line -> assertThat(line).contains(detail));
    }

    /**
     * helper-97: DNS over TCP to a first upstream where nothing listens (dig +tcp, glibc's use-vc) was refused at
     * every try and never moved on, the failover watching UDP only. The refused connect now moves the queries on,
     * and the query that met it goes to the second upstream on the guest's same connection.
     */
    @Test
    void aDnsQueryOverTcpTheFirstUpstreamRefusesGoesToTheNext() throws Exception {
        int closedPort;
        try (ServerSocketChannel closed = ServerSocketChannel.open()
                .bind(new InetSocketAddress("127.0.0.1", 0))) {
            closedPort = ((InetSocketAddress) closed.getLocalAddress()).getPort();
        }
        assertAQueryOverTcpReachesTheSecondAfter("127.0.0.1:" + closedPort);
    }

    /**
     * DNS over TCP to a first upstream the host has no route to (here the broadcast address, which the kernel
     * refuses at connect with ENETUNREACH and sends nothing to) moves the queries on at once, as a refusal does.
     */
    @Test
    void aDnsQueryOverTcpTheHostCannotRouteGoesToTheNext() throws Exception {
        assertAQueryOverTcpReachesTheSecondAfter("255.255.255.255:53");
    }

    /** A guest's query over TCP, with {@code first} the first upstream, reaches the second on its connection. */
    private void assertAQueryOverTcpReachesTheSecondAfter(String first) throws Exception {
        try (ServerSocketChannel second = tcpBesideUpstream(); Network two = new Network()) {
            VirtualNic nic = two.attachNic("guest", 0);
            two.addNetdev("user,id=u,dns-upstream=" + first + ",dns-upstream=127.0.0.1:"
                    + ((InetSocketAddress) upstream.getLocalAddress()).getPort());
            int ours = openDnsConnection(nic, 5357);
            byte[] query = dnsQuery("example.test");
            sendOverDnsConnection(nic, 5357, ours, query);
            try (SocketChannel accepted = second.accept()) {
                assertThat(DnsTcpFraming.read(Channels.newInputStream(accepted)))
                        .as("the query that met the first reached the second").isEqualTo(query);
            }
            UsernetNetdev user = (UsernetNetdev) two.netdev("u");
            assertThat(user.details()).anySatisfy(line -> assertThat(line).contains("moved on to the next upstream: 1,"));
        }
    }

    /**
     * A first upstream that accepts DNS over TCP and never answers moves the queries on once a query over TCP has
     * waited 2 s: a guest that asks only over TCP (glibc's use-vc) had every lookup fail.
     */
    @Test
    void aDnsQueryOverTcpTheFirstUpstreamLeavesUnansweredSendsTheNextQueryToTheNext() throws Exception {
        try (Network two = new Network(); ServerSocketChannel silent = ServerSocketChannel.open()
                .bind(new InetSocketAddress("127.0.0.1", 0))) { // never accepts: the kernel's backlog does
            VirtualNic nic = two.attachNic("guest", 0);
            two.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + ((InetSocketAddress) silent.getLocalAddress()).getPort()
                    + ",dns-upstream=127.0.0.1:" + ((InetSocketAddress) upstream.getLocalAddress()).getPort());
            int ours = openDnsConnection(nic, 5358);
            sendOverDnsConnection(nic, 5358, ours, dnsQuery("example.test"));
            Thread.sleep(DnsUpstreams.FAILOVER_MILLIS + 100); // the failover's own time, not a measurement
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5358, DNS, 53, dnsQuery("example.test"))); // the guest's next query
            InetSocketAddress from = upstreamReceivesWithin5s();
            assertThat(from).as("the query after the unanswered one over TCP reached the second upstream").isNotNull();
            UsernetNetdev user = (UsernetNetdev) two.netdev("u");
            assertThat(user.details()).anySatisfy(line -> assertThat(line).contains("moved on to the next upstream: 1,"));
        }
    }

    /**
     * A query over TCP that a first upstream accepted and never answered is asked again at the next upstream once
     * the failover moves on, and answered on the guest's same connection: glibc's use-vc waits on its connection
     * without a limit, and its lookup had waited for the session's idle close (30 s).
     */
    @Test
    void aDnsQueryOverTcpTheFirstUpstreamLeavesUnansweredIsAnsweredByTheNextOnItsConnection() throws Exception {
        try (Network two = new Network(); ServerSocketChannel silent = ServerSocketChannel.open()
                .bind(new InetSocketAddress("127.0.0.1", 0)); // never accepts: the kernel's backlog does
             ServerSocketChannel second = tcpBesideUpstream()) {
            VirtualNic nic = two.attachNic("guest", 0);
            two.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + ((InetSocketAddress) silent.getLocalAddress()).getPort()
                    + ",dns-upstream=127.0.0.1:" + ((InetSocketAddress) second.getLocalAddress()).getPort());
            int ours = openDnsConnection(nic, 5364);
            byte[] query = dnsQuery("example.test");
            long sent = System.nanoTime();
            sendOverDnsConnection(nic, 5364, ours, query);
            try (SocketChannel accepted = second.accept()) {
                assertThat(DnsTcpFraming.read(Channels.newInputStream(accepted))).as("asked again at the second")
                        .isEqualTo(query);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent))
                        .as("asked again as the failover moves on, not one more wait later")
                        .isLessThan(DnsUpstreams.FAILOVER_MILLIS + 1000);
                byte[] answer = query.clone();
                answer[2] |= (byte) 0x80; // QR: the same message as a response, enough for the guest's matching by id
                DnsTcpFraming.write(accepted, answer);
                assertThat(receiveOverDnsConnection(nic)).as("on the guest's connection")
                        .isEqualTo(ByteBuffer.allocate(2 + answer.length).putShort((short) answer.length).put(answer).array());
            }
            UsernetNetdev user = (UsernetNetdev) two.netdev("u");
            assertThat(user.counts().dnsForwarded()).as("one query, counted once").isEqualTo(1);
            assertThat(user.details()).anySatisfy(line -> assertThat(line).contains("moved on to the next upstream: 1,"));
        }
    }

    /** A query over TCP that no upstream took is answered SERVFAIL and counted as not forwarded, as UDP's is. */
    @Test
    void aDnsQueryOverTcpNoUpstreamTakesIsCountedNotForwarded() throws Exception {
        int closedPort;
        try (ServerSocketChannel closed = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            closedPort = ((InetSocketAddress) closed.getLocalAddress()).getPort();
        }
        try (Network two = new Network()) {
            VirtualNic nic = two.attachNic("guest", 0);
            two.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + closedPort);
            int ours = openDnsConnection(nic, 5365);
            sendOverDnsConnection(nic, 5365, ours, dnsQuery("example.test"));
            byte[] answer = receiveOverDnsConnection(nic);
            assertThat(answer[2 + 3] & 0x0f).as("RCODE").isEqualTo(DnsMessage.RCODE_SERVFAIL);
            UsernetNetdev user = (UsernetNetdev) two.netdev("u");
            assertThat(user.counts().dnsForwarded()).isZero();
            assertThat(user.details()).anySatisfy(line -> assertThat(line).startsWith("dns not forwarded: 1,"));
        }
    }

    /**
     * A guest's own name over TCP (dig +tcp, glibc's use-vc) is answered as over UDP: it went to the upstream,
     * which does not know it (lima#2017, #2156; gvisor-tap-vsock answers it). The upstream is never asked.
     */
    @Test
    void aGuestsOwnNameOverTcpIsAnsweredByTheGateway() throws Exception {
        try (ServerSocketChannel tcpUpstream = tcpBesideUpstream()) {
            guest.send(GuestFrames.dhcpRequestNamed(GuestFrames.GUEST_MAC, 15, "vm2"));
            assertThat(guest.receive(5, TimeUnit.SECONDS)).as("the DHCPACK").isNotNull();
            int ours = openDnsConnection(guest, 5362);
            sendOverDnsConnection(guest, 5362, ours, dnsQuery("vm2"));
            byte[] answer = receiveOverDnsConnection(guest);
            assertThat(answer.length).isGreaterThan(2 + 12);
            assertThat(ByteBuffer.wrap(answer).getShort(0) & 0xffff).as("the message's length").isEqualTo(answer.length - 2);
            assertThat(ByteBuffer.wrap(answer).getShort(2 + 6)).as("ANCOUNT").isEqualTo((short) 1);
            assertThat(Arrays.copyOfRange(answer, answer.length - 4, answer.length)).as("the A record's address")
                    .containsExactly(10, 0, 2, 15);
            tcpUpstream.configureBlocking(false);
            assertThat(tcpUpstream.accept()).as("no connection to the upstream").isNull();
            assertThat(((UsernetNetdev) network.netdev("u")).counts().dnsAnswered()).isEqualTo(1);
        }
    }

    /** With restrict=on a query over TCP that is not a guest's name is answered REFUSED and counted, as over UDP. */
    @Test
    void aQueryOverTcpWithRestrictOnIsRefused() throws Exception {
        try (ServerSocketChannel tcpUpstream = tcpBesideUpstream(); Network restricted = new Network()) {
            VirtualNic nic = restricted.attachNic("guest", 0);
            restricted.addNetdev("user,id=u,restrict=on,dns-upstream=127.0.0.1:"
                    + ((InetSocketAddress) tcpUpstream.getLocalAddress()).getPort());
            int ours = openDnsConnection(nic, 5363);
            sendOverDnsConnection(nic, 5363, ours, dnsQuery("example.test"));
            byte[] answer = receiveOverDnsConnection(nic);
            assertThat(answer[2 + 3] & 0x0f).as("RCODE").isEqualTo(DnsMessage.RCODE_REFUSED);
            assertThat(((UsernetNetdev) restricted.netdev("u")).details())
                    .anySatisfy(line -> assertThat(line).startsWith("dns not forwarded: 1,"));
            tcpUpstream.configureBlocking(false);
            assertThat(tcpUpstream.accept()).as("nothing goes out").isNull();
        }
    }

    /** A standard query (RD) for {@code name}, type A, class IN, id 0x1234. */
    private static byte[] dnsQuery(String name) {
        ByteBuffer q = ByteBuffer.allocate(12 + name.length() + 2 + 4);
        q.putShort((short) 0x1234).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putInt(0);
        for (String label : name.split("\\.")) {
            q.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.put((byte) 0).putShort((short) 1).putShort((short) 1);
        return q.array();
    }

    /** Sends {@code message}, its two bytes of length first, as the guest's first bytes on its connection from {@code guestPort}. */
    private static void sendOverDnsConnection(VirtualNic nic, int guestPort, int ours, byte[] message) {
        byte[] framed = ByteBuffer.allocate(2 + message.length).putShort((short) message.length).put(message).array();
        nic.send(GuestFrames.tcp(DNS_MAC, GUEST, guestPort, DNS, 53, TcpFlags.ACK | TcpFlags.PSH, 1001, ours + 1, 65535,
                framed));
    }

    /** The payload of the next segment with data the DNS address sends the guest. */
    private static byte[] receiveOverDnsConnection(VirtualNic nic) throws InterruptedException {
        ByteBuffer frame = GuestFrames.await(nic, f -> {
            Ipv4Packet ip = GuestFrames.ipv4(f);
            return ip != null && ip.protocol() == IpProtocol.TCP
                    && new TcpSegment().wrap(f, ip.payloadOffset(), ip.payloadLength()).payloadLength() > 0;
        }, "segment with data from the DNS address");
        Ipv4Packet ip = GuestFrames.ipv4(frame);
        TcpSegment segment = new TcpSegment().wrap(frame, ip.payloadOffset(), ip.payloadLength());
        byte[] payload = new byte[segment.payloadLength()];
        frame.get(segment.payloadOffset(), payload);
        return payload;
    }

    /**
     * A datagram to the DNS address shorter than a DNS header is passed on, but no resolver answers it (dnsmasq
     * drops it): it started the failover's clock, and one such datagram from a guest moved every guest's queries off
     * a first upstream that answers them all, for 30 s.
     */
    @Test
    void aDatagramShorterThanADnsHeaderLeftUnansweredDoesNotMoveTheQueriesOn() throws Exception {
        try (Network two = new Network(); DatagramChannel first = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            VirtualNic nic = two.attachNic("guest", 0);
            two.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + ((InetSocketAddress) first.getLocalAddress()).getPort()
                    + ",dns-upstream=127.0.0.1:" + ((InetSocketAddress) upstream.getLocalAddress()).getPort());
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5360, DNS, 53, new byte[] {1}));
            ByteBuffer query = ByteBuffer.allocate(100);
            first.receive(query); // and, as a resolver, drops it
            Thread.sleep(DnsUpstreams.FAILOVER_MILLIS + 100); // the failover's own time, not a measurement
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5361, DNS, 53, new byte[DnsMessage.HEADER_LENGTH]));
            first.configureBlocking(false);
            query.clear();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (first.receive(query) == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(query.position()).as("the next query went to the first upstream still").isEqualTo(DnsMessage.HEADER_LENGTH);
            UsernetNetdev user = (UsernetNetdev) two.netdev("u");
            assertThat(user.details()).anySatisfy(line -> assertThat(line).contains("moved on to the next upstream: 0,"));
        }
    }

    /**
     * A kept-open DNS-over-TCP connection's keepalive (one byte already acknowledged, as Windows sends it) asks the
     * upstream nothing: it started the failover clock, and the next query 2 s later left an upstream that works
     * (helper-101's review).
     */
    @Test
    void aKeepaliveOnAnIdleDnsConnectionAsksNothing() throws Exception {
        try (ServerSocketChannel accepting = tcpBesideUpstream(); // the first upstream over TCP: its kernel accepts
             Network two = new Network();
             DatagramChannel second = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            VirtualNic nic = two.attachNic("guest", 0);
            int port = ((InetSocketAddress) upstream.getLocalAddress()).getPort();
            two.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + port + ",dns-upstream=127.0.0.1:"
                    + ((InetSocketAddress) second.getLocalAddress()).getPort());
            int ours = openDnsConnection(nic, 5360);
            nic.send(GuestFrames.tcp(DNS_MAC, GUEST, 5360, DNS, 53, TcpFlags.ACK, 1000, ours + 1, 65535, new byte[1]));
            Thread.sleep(DnsUpstreams.FAILOVER_MILLIS + 100); // the failover's own time, not a measurement
            nic.send(GuestFrames.udp(DNS_MAC, GUEST, 5360, DNS, 53, new byte[12]));
            assertThat(upstreamReceivesWithin5s()).as("the first upstream still has the queries").isNotNull();
            UsernetNetdev user = (UsernetNetdev) two.netdev("u");
            assertThat(user.details()).anySatisfy(line -> assertThat(line).contains("moved on to the next upstream: 0,"));
        }
    }

    /** A connection to the DNS address that goes nowhere (here: not port 53) is refused and counted as UDP's are. */
    @Test
    void aDnsConnectionThatGoesNowhereIsRefusedAndCounted() throws Exception {
        guest.send(GuestFrames.tcp(DNS_MAC, GUEST, 5359, DNS, 54, TcpFlags.SYN, 1000, 0, 65535, new byte[0]));
        ByteBuffer reset = receive(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(reset, EthernetFrame.HEADER_LENGTH, reset.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(new TcpSegment().wrap(reset, ip.payloadOffset(), ip.payloadLength()).flags() & TcpFlags.RST).isNotZero();
        UsernetNetdev user = (UsernetNetdev) network.netdev("u");
        assertThat(user.details()).anySatisfy(line -> assertThat(line).startsWith("dns not forwarded: 1,"));
    }

    /**
     * Opens a guest connection from {@code guestPort} to the DNS address's port 53 (the guest's ISN is 1000, so its
     * first byte is 1001): SYN, the gateway's SYN-ACK, ACK. Returns the gateway's ISN.
     */
    private static int openDnsConnection(VirtualNic nic, int guestPort) throws Exception {
        nic.send(GuestFrames.tcp(DNS_MAC, GUEST, guestPort, DNS, 53, TcpFlags.SYN, 1000, 0, 65535, new byte[0]));
        ByteBuffer synAck = receive(nic, EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(synAck, EthernetFrame.HEADER_LENGTH, synAck.limit() - EthernetFrame.HEADER_LENGTH);
        TcpSegment segment = new TcpSegment().wrap(synAck, ip.payloadOffset(), ip.payloadLength());
        assertThat(segment.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        int ours = segment.sequenceNumber();
        nic.send(GuestFrames.tcp(DNS_MAC, GUEST, guestPort, DNS, 53, TcpFlags.ACK, 1001, ours + 1, 65535, new byte[0]));
        return ours;
    }

    /**
     * A TCP listener on 127.0.0.1 at the UDP upstream's port number, as a DNS server has both; when another process
     * holds that TCP port, the upstream moves to another port first (it failed at random so, helper-113).
     */
    private ServerSocketChannel tcpBesideUpstream() throws IOException {
        for (int tries = 1; ; tries++) {
            int port = ((InetSocketAddress) upstream.getLocalAddress()).getPort();
            ServerSocketChannel listener = ServerSocketChannel.open();
            try {
                return listener.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (java.net.BindException e) {
                listener.close();
                if (tries == 20) {
                    throw e;
                }
                upstream.close();
                upstream = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            }
        }
    }

    /** Where the next datagram {@link #upstream} receives within 5 s came from; null when none came. */
    private InetSocketAddress upstreamReceivesWithin5s() throws Exception {
        ByteBuffer query = ByteBuffer.allocate(100);
        upstream.configureBlocking(false);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                InetSocketAddress from = (InetSocketAddress) upstream.receive(query);
                if (from != null) {
                    return from;
                }
                Thread.sleep(10);
            }
            return null;
        } finally {
            upstream.configureBlocking(true);
        }
    }

    @Test
    void aDnsFlowClosesOnceEachOfItsQueriesIsAnswered() throws Exception {
        // a resolver sends its A and AAAA queries from one socket: the flow waits for both answers
        guest.send(GuestFrames.udp(DNS_MAC, GUEST, 5354, DNS, 53, new byte[] {0x11, 0x11, 1}));
        guest.send(GuestFrames.udp(DNS_MAC, GUEST, 5354, DNS, 53, new byte[] {0x22, 0x22, 2}));
        ByteBuffer query = ByteBuffer.allocate(100);
        InetSocketAddress from = (InetSocketAddress) upstream.receive(query);
        upstream.receive(query.clear());
        assertThat(udpFlows()).isEqualTo(1);
        upstream.send(ByteBuffer.wrap(new byte[] {0x22, 0x22, 7}), from); // out of order, as busybox's may come
        receive(EtherType.IPV4);
        assertThat(udpFlows()).isEqualTo(1);
        upstream.send(ByteBuffer.wrap(new byte[] {0x11, 0x11, 8}), from);
        receive(EtherType.IPV4);
        assertThat(udpFlows()).isZero();
    }

    /**
     * A second copy of one query's answer, or a datagram of an id no query has, is passed on but does not end
     * the exchange while another query waits: counting datagrams, the flow closed and the answer still to come
     * was lost (busybox's nslookup waited for its retry; dig, given a stray id first, timed out).
     */
    @Test
    void aDnsFlowWaitsForTheAnswerOfEachQueryNotForAnyDatagrams() throws Exception {
        guest.send(GuestFrames.udp(DNS_MAC, GUEST, 5355, DNS, 53, new byte[] {0x11, 0x11, 1}));
        guest.send(GuestFrames.udp(DNS_MAC, GUEST, 5355, DNS, 53, new byte[] {0x22, 0x22, 2}));
        ByteBuffer query = ByteBuffer.allocate(100);
        InetSocketAddress from = (InetSocketAddress) upstream.receive(query);
        upstream.receive(query.clear());
        upstream.send(ByteBuffer.wrap(new byte[] {0x11, 0x11, 7}), from);
        receive(EtherType.IPV4);
        upstream.send(ByteBuffer.wrap(new byte[] {0x11, 0x11, 7}), from); // the same answer again
        receive(EtherType.IPV4);
        upstream.send(ByteBuffer.wrap(new byte[] {0x33, 0x33, 9}), from); // an id nobody asked
        receive(EtherType.IPV4);
        assertThat(udpFlows()).isEqualTo(1);
        upstream.send(ByteBuffer.wrap(new byte[] {0x22, 0x22, 8}), from);
        ByteBuffer reply = receive(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
        UdpPacket udp = new UdpPacket().wrap(reply, ip.payloadOffset(), ip.payloadLength());
        assertThat(udp.destinationPort()).isEqualTo(5355);
        assertThat(reply.get(udp.payloadOffset())).isEqualTo((byte) 0x22);
        assertThat(udpFlows()).isZero();
    }

    /**
     * A forwarder in the guest (dnsmasq) may have more queries waiting on one socket than the flow keeps ids for:
     * then the flow cannot tell when the last is answered and stays until idle, so the answers of the oldest,
     * whose ids gave way, still reach the guest after the newest are all answered.
     */
    @Test
    void aDnsFlowWithMoreQueriesWaitingThanItKeepsEndsOnlyWhenIdle() throws Exception {
        int queries = UdpNat.MAX_WAITING_IDS + 3;
        ByteBuffer query = ByteBuffer.allocate(100);
        InetSocketAddress from = null;
        for (int id = 0; id < queries; id++) {
            guest.send(GuestFrames.udp(DNS_MAC, GUEST, 5357, DNS, 53, new byte[] {(byte) (id >>> 8), (byte) id, 1}));
            from = (InetSocketAddress) upstream.receive(query.clear());
        }
        for (int i = 0; i < queries; i++) {
            int id = (i + 3) % queries; // the newest first, the three oldest last
            upstream.send(ByteBuffer.wrap(new byte[] {(byte) (id >>> 8), (byte) id, 2}), from);
            ByteBuffer reply = receive(EtherType.IPV4);
            Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
            UdpPacket udp = new UdpPacket().wrap(reply, ip.payloadOffset(), ip.payloadLength());
            assertThat(reply.getShort(udp.payloadOffset()) & 0xffff).isEqualTo(id);
        }
        assertThat(udpFlows()).isEqualTo(1);
    }

    /**
     * Every answer reaches the guest from the DNS address, so the guest cannot check who sent it: a datagram to the
     * flow's host socket from another sender than the upstream it asked is dropped and counted, where it passed as
     * the resolver's answer (slirp4netns passes it on from its real port, which dig then drops).
     */
    @Test
    void aDnsFlowTakesAnswersFromItsUpstreamOnly() throws Exception {
        guest.send(GuestFrames.udp(DNS_MAC, GUEST, 5356, DNS, 53, new byte[] {0x11, 0x11, 1}));
        ByteBuffer query = ByteBuffer.allocate(100);
        InetSocketAddress from = (InetSocketAddress) upstream.receive(query);
        try (DatagramChannel stranger = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            stranger.send(ByteBuffer.wrap(new byte[] {0x11, 0x11, 0x66}), from);
        }
        Thread.sleep(100);
        upstream.send(ByteBuffer.wrap(new byte[] {0x11, 0x11, 0x77}), from);
        ByteBuffer reply = receive(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(reply, EthernetFrame.HEADER_LENGTH, reply.limit() - EthernetFrame.HEADER_LENGTH);
        UdpPacket udp = new UdpPacket().wrap(reply, ip.payloadOffset(), ip.payloadLength());
        assertThat(udp.destinationPort()).isEqualTo(5356);
        assertThat(reply.get(udp.payloadOffset() + 2)).isEqualTo((byte) 0x77);
        UsernetNetdev user = (UsernetNetdev) network.netdevs().stream().filter(n -> n.id().equals("u")).findFirst().orElseThrow();
        assertThat(user.details()).anySatisfy(line -> assertThat(line).contains("answers from others than the upstream dropped: 1,"));
        assertThat(udpFlows()).isZero();
    }

    @Test
    void aGuestWithAnAddressOfItsOwnIsListedAsANeighbour() throws Exception {
        // an address not leased by DHCP, as a configure=on TAP's: info network showed it nowhere
        guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST));
        receive(EtherType.ARP);
        UsernetNetdev user = (UsernetNetdev) network.netdevs().stream().filter(n -> n.id().equals("u")).findFirst().orElseThrow();
        assertThat(user.details()).contains("neighbour 10.0.2.15 52:54:00:12:34:56");
    }

    /** The start line and info network name what DHCP hands out when it is not QEMU's default; they named none of it. */
    @Test
    void theDescriptionNamesWhatDhcpHandsOutBesideTheDefaults() throws Exception {
        try (Network other = new Network()) {
            other.addNetdev("user,id=a");
            other.addNetdev("user,id=b,net=10.0.0.0/16,dhcpstart=10.0.3.1,hostname=vm,domainname=lab.test,"
                    + "dnssearch=a.test,dnssearch=b.test,mtu=9000");
            assertThat(other.netdev("a").describe()).startsWith("net=10.0.2.0/24,restrict=off,host=10.0.2.2,dns=10.0.2.3,ipv6-net=")
                    .doesNotContain("dhcpstart").doesNotContain("mtu=");
            assertThat(other.netdev("b").describe()).contains(",host=10.0.2.2,dns=10.0.2.3,dhcpstart=10.0.3.1,ipv6-net=")
                    .contains(",hostname=vm,domainname=lab.test,dnssearch=a.test,dnssearch=b.test,mtu=9000;");
        }
    }

    /** The UDP flow count of the user network's description, read on its loop. */
    private int udpFlows() {
        UsernetNetdev user = (UsernetNetdev) network.netdevs().stream().filter(n -> n.id().equals("u")).findFirst().orElseThrow();
        user.details(); // runs on the loop: everything handed to it before has been handled
        String info = user.describe();
        return Integer.parseInt(info.substring(info.indexOf("udp flows ") + "udp flows ".length()));
    }

    @Test
    void ignoresFramesBetweenGuestsAndSurvivesGarbage() throws Exception {
        guest.send(new byte[] {1, 2, 3});
        byte[] junk = GuestFrames.echoRequest(HOST_MAC, GUEST, HOST, 1, 1, new byte[8]);
        junk[EthernetFrame.HEADER_LENGTH + 2] = (byte) 0xff; // IPv4 total length lies
        guest.send(junk);
        byte[] otherGuest = GuestFrames.echoRequest(0x5254_0000_0099L, GUEST, Ipv4Address.parse("10.0.2.16"), 1, 1, new byte[8]);
        guest.send(otherGuest);
        guest.send(GuestFrames.echoRequest(HOST_MAC, GUEST, HOST, 2, 2, new byte[8]));
        ByteBuffer reply = receive(EtherType.IPV4);
        IcmpPacket icmp = new IcmpPacket().wrap(reply, EthernetFrame.HEADER_LENGTH + 20, reply.limit() - EthernetFrame.HEADER_LENGTH - 20);
        assertThat(icmp.identifier()).isEqualTo(2);
    }

    /**
     * Small frames may be handled on the sending thread while the gateway's loop sleeps, and are queued
     * for the loop otherwise: several guests pinging at once from their own threads exercise both ways
     * at the same time, and every ping must be answered exactly once.
     */
    @Test
    void guestsPingingAtOnceFromTheirOwnThreadsAreAllAnswered() throws Exception {
        int guests = 4;
        int pings = 300;
        VirtualNic[] nics = new VirtualNic[guests];
        nics[0] = guest;
        for (int g = 1; g < guests; g++) {
            nics[g] = network.attachNic("guest" + g, 0);
        }
        Thread[] senders = new Thread[guests];
        for (int g = 0; g < guests; g++) {
            int id = 0x100 + g;
            VirtualNic nic = nics[g];
            senders[g] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < pings; i++) {
                    nic.send(GuestFrames.echoRequest(HOST_MAC, GUEST, HOST, id, i, new byte[16]));
                }
            });
        }
        for (Thread t : senders) {
            t.join();
        }
        // the hub gives every guest every reply: each NIC counts the replies to its own pings
        for (int g = 0; g < guests; g++) {
            java.util.BitSet answered = new java.util.BitSet(pings);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (answered.cardinality() < pings && System.nanoTime() < deadline) {
                byte[] frame = nics[g].receive(1, TimeUnit.SECONDS);
                if (frame == null || frame.length < EthernetFrame.HEADER_LENGTH + 20 + IcmpPacket.HEADER_LENGTH) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(frame);
                if (new EthernetFrame().wrap(b, 0, frame.length).etherType() != EtherType.IPV4) {
                    continue;
                }
                IcmpPacket icmp = new IcmpPacket().wrap(b, EthernetFrame.HEADER_LENGTH + 20,
                        frame.length - EthernetFrame.HEADER_LENGTH - 20);
                if (icmp.type() == IcmpType.ECHO_REPLY && icmp.identifier() == 0x100 + g) {
                    assertThat(answered.get(icmp.sequence())).as("reply %d answered twice", icmp.sequence()).isFalse();
                    answered.set(icmp.sequence());
                }
            }
            assertThat(answered.cardinality()).as("replies to guest %d", g).isEqualTo(pings);
        }
    }

    private ByteBuffer receive(int etherType) throws InterruptedException {
        return receive(guest, etherType);
    }

    private static ByteBuffer receive(VirtualNic nic, int etherType) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            byte[] frame = nic.receive(1, TimeUnit.SECONDS);
            if (frame != null) {
                ByteBuffer b = ByteBuffer.wrap(frame);
                if (new EthernetFrame().wrap(b, 0, frame.length).etherType() == etherType) {
                    return b;
                }
            }
        }
        throw new AssertionError("no frame of type " + Integer.toHexString(etherType));
    }

    /** The reviewer's find: an error from 127.0.0.1 or 0.0.0.0 is a martian the guest's kernel drops unread. */
    private static void assertUnreachableFromTheGateway(ByteBuffer frame) {
        Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.source()).as("from the gateway's host address").isEqualTo(HOST);
        assertThat(frame.get(ip.payloadOffset())).as("ICMP Destination Unreachable").isEqualTo((byte) 3);
    }

    /** A new network of the guest's NIC and a user network of {@code options}, in place of the one set up. */
    private void restartWith(String options) throws Exception {
        network.close();
        network = new Network();
        guest = network.attachNic("guest", 0);
        network.addNetdev(options);
    }
}
