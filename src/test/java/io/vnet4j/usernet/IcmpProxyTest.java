package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.os.Errno;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Icmpv6Packet;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ICMP proxy's logic without sockets: requests on the socket of their family with our sequence (and
 * identifier and checksum for raw sockets), the one pending table, replies matched and delivered to the
 * guest as echo replies of their family, and the parsing of what each kind of socket receives.
 */
class IcmpProxyTest {
    static final IpAddress GUEST6 = GuestFrames6.GUEST;
    static final IpAddress GUEST4 = IpAddress.parse("10.0.2.15");
    static final IpAddress FAR6 = IpAddress.parse("2001:db8::1");
    static final IpAddress FAR4 = IpAddress.parse("192.0.2.1");
    static final int IDENTIFIER = 0xBEEF;
    static final byte[] DATA = "echo-data".getBytes(StandardCharsets.US_ASCII);

    /** A socket that keeps what was sent on it. */
    static final class FakeSocket implements IcmpProxy.EchoSocket {
        final boolean raw;
        final List<byte[]> sent = new ArrayList<>();
        final List<IpAddress> to = new ArrayList<>();
        final List<Integer> hops = new ArrayList<>();
        final List<Boolean> dontFragment = new ArrayList<>();
        int errno;
        /** The errno of the next send alone (an earlier request's pending error), then {@link #errno}'s; 0: none. */
        int errnoOnce;

        FakeSocket(boolean raw) {
            this.raw = raw;
        }

        @Override
        public boolean raw() {
            return raw;
        }

        @Override
        public int send(byte[] message, int length, IpAddress destination, int hops, boolean dontFragment) {
            sent.add(Arrays.copyOf(message, length));
            to.add(destination);
            this.hops.add(hops);
            this.dontFragment.add(dontFragment);
            int once = errnoOnce;
            errnoOnce = 0;
            return once != 0 ? once : errno;
        }

        @Override
        public void close() {}

        ByteBuffer last() {
            return ByteBuffer.wrap(sent.getLast());
        }
    }

    private final List<ByteBuffer> frames = new ArrayList<>();
    private final NeighborTable neighbors = new NeighborTable();
    private final GuestOutput out = new GuestOutput("u", (frame, offset, length, segmentSize) -> {
        byte[] copy = new byte[length];
        frame.get(offset, copy);
        frames.add(ByteBuffer.wrap(copy));
    }, neighbors, 1500, () -> 0);

    private final IcmpErrors errors = new IcmpErrors(out);
    static final GatewayAddresses GATEWAY = new GatewayAddresses(IpAddress.parse("10.0.2.2"), IpAddress.parse("10.0.2.3"),
            IpAddress.parse("fec0::2"), IpAddress.parse("fec0::3"));

    {
        neighbors.learn(GUEST6, GuestFrames6.GUEST_MAC);
        neighbors.learn(GUEST4, GuestFrames6.GUEST_MAC);
    }

    /** An echo request of the family of {@code ipv6}, as the guest sent it (its checksum is not looked at). */
    static ByteBuffer echoRequest(boolean ipv6, int id, int sequence) {
        ByteBuffer b = ByteBuffer.allocate(IcmpProxy.ECHO_HEADER + DATA.length);
        b.put(0, (byte) (ipv6 ? Icmpv6Type.ECHO_REQUEST : IcmpType.ECHO_REQUEST));
        b.putShort(2, (short) 0x1111);
        b.putShort(4, (short) id).putShort(6, (short) sequence);
        b.put(IcmpProxy.ECHO_HEADER, DATA);
        return b;
    }

    @Test
    void aRequestGoesOutOnTheSocketOfItsFamilyWithOurSequence() {
        FakeSocket v4 = new FakeSocket(false);
        FakeSocket v6 = new FakeSocket(false);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, v4, v6, IDENTIFIER);
        proxy.request(GUEST6, FAR6, 63, false, echoRequest(true, 0x1234, 7), 0, 8 + DATA.length, 0);
        proxy.request(GUEST4, FAR4, 2, false, echoRequest(false, 0x1234, 7), 0, 8 + DATA.length, 0);

        assertThat(v6.to).containsExactly(FAR6);
        assertThat(v4.to).containsExactly(FAR4);
        assertThat(v6.hops).as("the hop limit the gateway passes on").containsExactly(63);
        assertThat(v4.hops).containsExactly(2);
        assertThat(v6.last().get(0) & 0xFF).isEqualTo(Icmpv6Type.ECHO_REQUEST);
        assertThat(v6.last().getShort(6)).isEqualTo((short) 0); // our sequence numbers, one series for both families
        assertThat(v4.last().getShort(6)).isEqualTo((short) 1);
        assertThat(v6.last().getShort(4)).isEqualTo((short) 0x1234); // a ping socket's kernel sets the identifier
        assertThat(Arrays.copyOfRange(v6.sent.getLast(), 8, 8 + DATA.length)).isEqualTo(DATA);
        assertThat(proxy.pendingCount()).isEqualTo(2);
        assertThat(proxy.carriers()).isEqualTo("ipv4 by ping socket, ipv6 by ping socket");
    }

    @Test
    void aRawSocketsRequestCarriesOurIdentifierAndOverIpv4OurChecksum() {
        FakeSocket v4 = new FakeSocket(true);
        FakeSocket v6 = new FakeSocket(true);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, v4, v6, IDENTIFIER);
        proxy.request(GUEST6, FAR6, 63, false, echoRequest(true, 0x1234, 7), 0, 8 + DATA.length, 0);
        proxy.request(GUEST4, FAR4, 63, false, echoRequest(false, 0x1234, 7), 0, 8 + DATA.length, 0);

        assertThat(v6.last().getShort(4)).isEqualTo((short) IDENTIFIER);
        assertThat(v6.last().getShort(2)).isZero(); // the kernel computes an ICMPv6 checksum over its pseudo-header
        assertThat(v4.last().getShort(4)).isEqualTo((short) IDENTIFIER);
        assertThat(Checksum.compute(v4.last(), 0, v4.last().limit())).isZero(); // complete: sums to 0
        assertThat(new IcmpPacket().wrap(v4.last(), 0, v4.last().limit()).checksumValid()).isTrue();
        assertThat(proxy.carriers()).isEqualTo("ipv4 by raw socket, ipv6 by raw socket");
    }

    @Test
    void aReplyReachesTheGuestAsAnIcmpv6EchoReplyFromThePingedAddress() {
        FakeSocket v6 = new FakeSocket(true);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, null, v6, IDENTIFIER);
        ByteBuffer request = ByteBuffer.allocate(100);
        request.put(30, echoRequest(true, 0x1234, 7), 0, 8 + DATA.length); // at an offset, as in a frame
        proxy.request(GUEST6, FAR6, 63, false, request, 30, 8 + DATA.length, 0);
        int ours = v6.last().getShort(6) & 0xFFFF;

        proxy.deliver(new IcmpProxy.Reply(FAR6, ours, DATA, 57));

        assertThat(frames).hasSize(1);
        ByteBuffer frame = frames.getFirst();
        assertThat(new EthernetFrame().wrap(frame, 0, frame.limit()).destination()).isEqualTo(GuestFrames6.GUEST_MAC);
        Ipv6Packet ip = new Ipv6Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.ICMPV6);
        assertThat(ip.source()).isEqualTo(FAR6);
        assertThat(ip.destination()).isEqualTo(GUEST6);
        assertThat(ip.hopLimit()).as("the hop limit it reached the host with, less the gateway's hop").isEqualTo(56);
        Icmpv6Packet icmp = new Icmpv6Packet().wrap(frame, ip.upperOffset(), ip.upperLength());
        assertThat(icmp.check()).isEqualTo(WireError.NONE);
        assertThat(icmp.type()).isEqualTo(Icmpv6Type.ECHO_REPLY);
        assertThat(icmp.code()).isZero();
        assertThat(icmp.identifier()).isEqualTo(0x1234);
        assertThat(icmp.sequence()).isEqualTo(7);
        assertThat(icmp.checksumValid(ip)).isTrue();
        byte[] data = new byte[DATA.length];
        frame.get(ip.upperOffset() + 8, data);
        assertThat(data).isEqualTo(DATA);
        assertThat(proxy.pendingCount()).isZero();
        assertThat(proxy.dropped()).isZero();
    }

    @Test
    void anIpv4ReplyReachesTheGuestAsAnEchoReply() {
        FakeSocket v4 = new FakeSocket(false);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, v4, null, IDENTIFIER);
        proxy.request(GUEST4, FAR4, 63, false, echoRequest(false, 0x4321, 9), 0, 8 + DATA.length, 0);
        proxy.deliver(new IcmpProxy.Reply(FAR4, v4.last().getShort(6) & 0xFFFF, DATA, 57));

        ByteBuffer frame = frames.getFirst();
        Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
        assertThat(IpAddress.ofIpv4(ip.source())).isEqualTo(FAR4);
        assertThat(ip.ttl()).as("the TTL it reached the host with, less the gateway's hop").isEqualTo(56);
        IcmpPacket icmp = new IcmpPacket().wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.type()).isEqualTo(IcmpType.ECHO_REPLY);
        assertThat(icmp.identifier()).isEqualTo(0x4321);
        assertThat(icmp.sequence()).isEqualTo(9);
        assertThat(icmp.checksumValid()).isTrue();
    }

    @Test
    void aReplyGoesOnWithOneHopLessAtLeastOneAndWithTheDefaultWhenTheKernelDidNotSay() {
        assertThat(IcmpProxy.forwardedHopLimit(255)).isEqualTo(254);
        assertThat(IcmpProxy.forwardedHopLimit(2)).isEqualTo(1);
        assertThat(IcmpProxy.forwardedHopLimit(1)).as("delivered, not dropped as a router would").isEqualTo(1);
        assertThat(IcmpProxy.forwardedHopLimit(0)).isEqualTo(1);
        assertThat(IcmpProxy.forwardedHopLimit(-1)).isEqualTo(GuestOutput.DEFAULT_TTL);

        FakeSocket v4 = new FakeSocket(false);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, v4, null, IDENTIFIER);
        proxy.request(GUEST4, FAR4, 63, false, echoRequest(false, 1, 1), 0, 8 + DATA.length, 0);
        proxy.deliver(new IcmpProxy.Reply(FAR4, v4.last().getShort(6) & 0xFFFF, DATA, -1));
        ByteBuffer frame = frames.getFirst();
        assertThat(new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH)
                .ttl()).isEqualTo(GuestOutput.DEFAULT_TTL);
    }

    @Test
    void aReplyFromAnotherAddressOrForNoRequestIsDroppedAndTheRequestKeepsWaiting() {
        FakeSocket v6 = new FakeSocket(true);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, null, v6, IDENTIFIER);
        proxy.request(GUEST6, FAR6, 63, false, echoRequest(true, 1, 1), 0, 8 + DATA.length, 0);
        int ours = v6.last().getShort(6) & 0xFFFF;

        proxy.deliver(new IcmpProxy.Reply(IpAddress.parse("2001:db8::2"), ours, DATA, 57)); // another ping of the host's
        proxy.deliver(new IcmpProxy.Reply(FAR6, ours + 1, DATA, 57));
        proxy.deliver(new IcmpProxy.Reply(IpAddress.parse("192.0.2.1"), ours, DATA, 57));
        assertThat(frames).isEmpty();
        assertThat(proxy.dropped()).isEqualTo(3);
        assertThat(proxy.pendingCount()).isEqualTo(1);

        proxy.deliver(new IcmpProxy.Reply(FAR6, ours, DATA, 57));
        assertThat(frames).hasSize(1);
        proxy.deliver(new IcmpProxy.Reply(FAR6, ours, DATA, 57)); // a duplicate: answered once
        assertThat(frames).hasSize(1);
        assertThat(proxy.dropped()).isEqualTo(4);
    }

    @Test
    void anIpv4RequestLeavesWithTheGuestsDontFragmentBit() {
        FakeSocket v4 = new FakeSocket(false);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, v4, null, IDENTIFIER);
        proxy.request(GUEST4, FAR4, 63, true, echoRequest(false, 1, 1), 0, 8 + DATA.length, 0);
        proxy.request(GUEST4, FAR4, 63, false, echoRequest(false, 1, 2), 0, 8 + DATA.length, 0);
        assertThat(v4.dontFragment).containsExactly(true, false);
    }

    @Test
    void aFamilyWithoutSocketDropsItsPingsAndCountsThem() {
        FakeSocket v4 = new FakeSocket(false);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, v4, null, IDENTIFIER);
        proxy.request(GUEST6, FAR6, 63, false, echoRequest(true, 1, 1), 0, 8 + DATA.length, 0);
        assertThat(proxy.dropped()).isEqualTo(1);
        assertThat(proxy.pendingCount()).isZero();
        assertThat(proxy.carriers()).isEqualTo("ipv4 by ping socket, ipv6 not carried");
        proxy.request(GUEST4, FAR4, 63, false, echoRequest(false, 1, 1), 0, 8 + DATA.length, 0);
        assertThat(v4.sent).hasSize(1);

        v4.errno = 105; // ENOBUFS: not an error to tell the guest
        proxy.request(GUEST4, FAR4, 63, false, echoRequest(false, 1, 2), 0, 8 + DATA.length, 0);
        assertThat(proxy.dropped()).isEqualTo(2);
        assertThat(frames).isEmpty();
    }

    /**
     * A send that fails with an error the kernel kept pending from an earlier request (with IP_RECVERR it sets each
     * error it queues as the socket's pending one, and the next send fails with it, unsent): helper-154 saw a ping
     * to a reachable host answered "unreachable" while another guest pinged an address nobody held. The request
     * is sent once more, and the guest hears nothing of the other's error.
     */
    @Test
    void aSendFailedByAnotherRequestsPendingErrorIsSentAgain() {
        FakeSocket v4 = new FakeSocket(false);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, v4, null, IDENTIFIER);
        v4.errnoOnce = Errno.EHOSTUNREACH;
        proxy.request(GUEST4, FAR4, 63, false, echoRequest(false, 0x4321, 5), 0, 8 + DATA.length, 0);
        assertThat(v4.sent).hasSize(2);
        assertThat(v4.to).containsExactly(FAR4, FAR4);
        assertThat(frames).as("no error for the guest").isEmpty();
        assertThat(proxy.pendingCount()).isEqualTo(1);
        assertThat(proxy.dropped()).isZero();
    }

    /**
     * EMSGSIZE (DF above the path MTU) is the request's own: the kernel queues it as a local error once per try, told
     * to the guest as Fragmentation Needed from the queue, so the request is not sent again (twice told before), as
     * UdpNat does not send a datagram again after it.
     */
    @Test
    void aRequestTooLongToSendIsNotSentAgain() {
        FakeSocket v4 = new FakeSocket(false);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, v4, null, IDENTIFIER);
        v4.errno = Errno.EMSGSIZE;
        proxy.request(GUEST4, FAR4, 63, true, echoRequest(false, 0x4321, 6), 0, 8 + DATA.length, 0);
        assertThat(v4.sent).hasSize(1);
        assertThat(frames).as("told by the queued error alone").isEmpty();
    }

    @Test
    void aRequestTheHostCannotSendComesBackAsDestinationUnreachableFromTheGateway() {
        FakeSocket v4 = new FakeSocket(false);
        FakeSocket v6 = new FakeSocket(true);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, v4, v6, IDENTIFIER);
        v4.errno = Errno.ENETUNREACH;
        v6.errno = Errno.EHOSTUNREACH;
        proxy.request(GUEST4, FAR4, 63, false, echoRequest(false, 0x4321, 3), 0, 8 + DATA.length, 0);
        proxy.request(GUEST6, FAR6, 63, false, echoRequest(true, 0x4321, 4), 0, 8 + DATA.length, 0);
        assertThat(proxy.pendingCount()).isZero();
        assertThat(proxy.dropped()).as("told, not lost").isZero();
        assertThat(frames).hasSize(2);

        ByteBuffer f4 = frames.get(0);
        Ipv4Packet ip = new Ipv4Packet().wrap(f4, EthernetFrame.HEADER_LENGTH, f4.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(IpAddress.ofIpv4(ip.source())).isEqualTo(IpAddress.parse("10.0.2.2"));
        IcmpPacket icmp = new IcmpPacket().wrap(f4, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.checksumValid()).isTrue();
        assertThat(icmp.type()).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
        assertThat(icmp.code()).isZero(); // network unreachable
        int quoted4 = ip.payloadOffset() + 8 + 20; // the guest's own echo request, identifier and sequence
        assertThat(f4.get(quoted4) & 0xFF).isEqualTo(IcmpType.ECHO_REQUEST);
        assertThat(f4.getShort(quoted4 + 4)).isEqualTo((short) 0x4321);
        assertThat(f4.getShort(quoted4 + 6)).isEqualTo((short) 3);

        ByteBuffer f6 = frames.get(1);
        Ipv6Packet ip6 = new Ipv6Packet().wrap(f6, EthernetFrame.HEADER_LENGTH, f6.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip6.check()).isEqualTo(WireError.NONE);
        assertThat(ip6.source()).isEqualTo(IpAddress.parse("fec0::2"));
        assertThat(new Icmpv6Packet().wrap(f6, ip6.upperOffset(), ip6.upperLength()).checksumValid(ip6)).isTrue();
        assertThat(f6.get(ip6.upperOffset()) & 0xFF).isEqualTo(Icmpv6Type.DESTINATION_UNREACHABLE);
        assertThat(f6.get(ip6.upperOffset() + 1)).isEqualTo((byte) 3); // address unreachable
        int quoted6 = ip6.upperOffset() + 8;
        assertThat(IpAddress.read(f6, quoted6 + 24)).isEqualTo(FAR6);
        assertThat(f6.getShort(quoted6 + 40 + 6)).isEqualTo((short) 4);
    }

    @Test
    void anErrorARouterSentForARequestReachesTheGuestFromThatRouter() {
        FakeSocket v6 = new FakeSocket(false);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, null, v6, IDENTIFIER);
        proxy.request(GUEST6, FAR6, 63, false, echoRequest(true, 0x4321, 5), 0, 8 + DATA.length, 0);
        int ours = v6.last().getShort(6) & 0xFFFF;
        IpAddress router = IpAddress.parse("2001:db8:ffff::1");

        proxy.deliver(new IcmpProxy.Failure(FAR6, router, ours, Icmpv6Type.TIME_EXCEEDED << 8, 0, DATA));

        ByteBuffer f = frames.getFirst();
        Ipv6Packet ip = new Ipv6Packet().wrap(f, EthernetFrame.HEADER_LENGTH, f.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.source()).isEqualTo(router);
        assertThat(f.get(ip.upperOffset()) & 0xFF).isEqualTo(Icmpv6Type.TIME_EXCEEDED);
        int quotedEcho = ip.upperOffset() + 8 + 40;
        assertThat(f.getShort(quotedEcho + 4)).isEqualTo((short) 0x4321);
        assertThat(f.getShort(quotedEcho + 6)).isEqualTo((short) 5);
        assertThat(f.get(quotedEcho + 8)).isEqualTo(DATA[0]);
        assertThat(proxy.pendingCount()).isZero();
    }

    @Test
    void requestsWaitThirtySecondsAndAtMostMaxPendingOfThem() {
        FakeSocket v6 = new FakeSocket(false);
        IcmpProxy proxy = new IcmpProxy(out, errors, GATEWAY, null, v6, IDENTIFIER);
        for (int i = 0; i < IcmpProxy.MAX_PENDING + 10; i++) {
            proxy.request(GUEST6, FAR6, 63, false, echoRequest(true, 1, i), 0, 8 + DATA.length, 0);
        }
        assertThat(proxy.pendingCount()).isEqualTo(IcmpProxy.MAX_PENDING);
        proxy.deliver(new IcmpProxy.Reply(FAR6, 0, DATA, 57)); // the oldest gave way
        assertThat(frames).isEmpty();

        long later = TimeUnit.SECONDS.toNanos(IcmpProxy.PENDING_SECONDS) + 1;
        proxy.request(GUEST6, FAR6, 63, false, echoRequest(true, 1, 1), 0, 8 + DATA.length, later);
        assertThat(proxy.pendingCount()).isEqualTo(1);
    }

    @Test
    void anIcmpv6SocketsMessageHasNoIpHeaderAndARawOneIsOursOnlyWithOurIdentifier() {
        ByteBuffer reply = echoReply(Icmpv6Type.ECHO_REPLY, IDENTIFIER, 5, 0);
        int length = reply.limit();
        assertThat(IcmpProxy.echoReplyAt(true, true, IDENTIFIER, reply, length)).isZero();
        assertThat(IcmpProxy.echoReplyAt(true, false, 0, reply, length)).isZero(); // a ping socket's identifier is the kernel's
        assertThat(IcmpProxy.echoReplyAt(true, true, IDENTIFIER + 1, reply, length)).isEqualTo(-1);
        assertThat(IcmpProxy.echoReplyAt(true, true, IDENTIFIER, echoReply(Icmpv6Type.ECHO_REQUEST, IDENTIFIER, 5, 0),
                length)).isEqualTo(-1);
        assertThat(IcmpProxy.echoReplyAt(true, true, IDENTIFIER, reply, 7)).isEqualTo(-1);
        assertThat(IcmpProxy.echoReplyAt(true, true, IDENTIFIER, reply, -1)).isEqualTo(-1); // nothing received

        IcmpProxy.Reply r = IcmpProxy.reply(FAR6, 57, reply, 0, length);
        assertThat(r.source()).isEqualTo(FAR6);
        assertThat(r.sequence()).isEqualTo(5);
        assertThat(r.data()).isEqualTo(DATA);
    }

    @Test
    void aRawIpv4SocketsMessageStartsWithItsIpv4Header() {
        ByteBuffer withOptions = echoReply(IcmpType.ECHO_REPLY, IDENTIFIER, 6, 24);
        withOptions.put(0, (byte) 0x46); // version 4, a 24-byte header
        int length = withOptions.limit();
        assertThat(IcmpProxy.echoReplyAt(false, true, IDENTIFIER, withOptions, length)).isEqualTo(24);
        assertThat(IcmpProxy.reply(FAR4, 57, withOptions, 24, length).data()).isEqualTo(DATA);
        assertThat(IcmpProxy.echoReplyAt(false, true, IDENTIFIER + 1, withOptions, length)).isEqualTo(-1);
        ByteBuffer icmpv6Type = echoReply(Icmpv6Type.ECHO_REPLY, IDENTIFIER, 6, 0);
        assertThat(IcmpProxy.echoReplyAt(false, false, 0, icmpv6Type, icmpv6Type.limit())).isEqualTo(-1);
        ByteBuffer plain = echoReply(IcmpType.ECHO_REPLY, 77, 6, 0);
        assertThat(IcmpProxy.echoReplyAt(false, false, 0, plain, plain.limit())).isZero();
    }

    /** An echo message of {@code type} after {@code at} bytes of IP header. */
    private static ByteBuffer echoReply(int type, int id, int sequence, int at) {
        ByteBuffer b = ByteBuffer.allocate(at + 8 + DATA.length);
        b.put(at, (byte) type);
        b.putShort(at + 4, (short) id).putShort(at + 6, (short) sequence);
        b.put(at + 8, DATA);
        return b;
    }
}
