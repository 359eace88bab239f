package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.usernet.dhcp.DhcpMessage;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Frames;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Builds the frames a guest would send, for the usernet tests. */
final class GuestFrames {
    static final long GUEST_MAC = 0x5254_0012_3456L;
    /** QEMU's default addresses: the first lease, the gateway and its MAC, the DNS address. */
    static final int GUEST = Ipv4Address.parse("10.0.2.15");
    static final int HOST = Ipv4Address.parse("10.0.2.2");
    static final long HOST_MAC = 0x5255_0a00_0202L;
    static final int DNS = Ipv4Address.parse("10.0.2.3");
    static final int ETH = EthernetFrame.HEADER_LENGTH;
    static final int IP = Ipv4Packet.MIN_HEADER_LENGTH;

    private GuestFrames() {}

    /**
     * The UDP payload of a DHCPREQUEST from {@code chaddr} for 10.0.2.15 from server 10.0.2.2 (RFC 2131 section
     * 4.3.2, SELECTING), BROADCAST flag set; with {@code renewal}, a renewal of 10.0.2.15 instead (ciaddr set,
     * no requested address or server).
     */
    static byte[] dhcpRequest(long chaddr, boolean renewal) {
        ByteBuffer b = ByteBuffer.allocate(260);
        b.put(0, (byte) 1).put(1, (byte) 1).put(2, (byte) 6); // op BOOTREQUEST, htype Ethernet, hlen 6
        b.putInt(4, 0x1234_5678).putShort(10, (short) 0x8000); // xid; flags: BROADCAST
        b.putShort(28, (short) (chaddr >>> 32)).putInt(30, (int) chaddr);
        b.putInt(236, 0x6382_5363); // the magic cookie
        b.position(240);
        if (renewal) {
            b.putInt(12, 0x0A00_020F).put(new byte[] {53, 1, 3, (byte) 255});
        } else {
            b.put(new byte[] {53, 1, 3, 50, 4, 10, 0, 2, 15, 54, 4, 10, 0, 2, 2, (byte) 255});
        }
        return b.array();
    }

    /**
     * The UDP payload of a DHCP message of {@code type} (option 53) from {@code chaddr}, BROADCAST flag set,
     * with ciaddr and the requested address (option 50) when they are not 0, and no server identifier.
     */
    static byte[] dhcp(int type, long chaddr, int requested, int ciaddr) {
        ByteBuffer b = ByteBuffer.allocate(260);
        b.put(0, (byte) 1).put(1, (byte) 1).put(2, (byte) 6); // op BOOTREQUEST, htype Ethernet, hlen 6
        b.putInt(4, 0x1234_5678).putShort(10, (short) 0x8000).putInt(12, ciaddr); // xid; flags: BROADCAST
        b.putShort(28, (short) (chaddr >>> 32)).putInt(30, (int) chaddr);
        b.putInt(236, 0x6382_5363); // the magic cookie
        b.position(240).put(new byte[] {53, 1, (byte) type});
        if (requested != 0) {
            b.put((byte) 50).put((byte) 4).putInt(requested);
        }
        b.put((byte) 255);
        return b.array();
    }

    /** A frame with a DHCPREQUEST from {@code mac} for 10.0.2.{@code host} with host name (option 12) {@code name}. */
    static byte[] dhcpRequestNamed(long mac, int host, String name) {
        byte[] request = Arrays.copyOf(dhcpRequest(mac, false), 280); // room for the name
        ByteBuffer b = ByteBuffer.wrap(request).position(240);
        b.put(new byte[] {53, 1, 3, 50, 4, 10, 0, 2, (byte) host, 54, 4, 10, 0, 2, 2, 12, (byte) name.length()});
        b.put(name.getBytes(StandardCharsets.US_ASCII)).put((byte) 255);
        byte[] frame = udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, request);
        ByteBuffer.wrap(frame).putShort(6, (short) (mac >>> 32)).putInt(8, (int) mac); // the Ethernet source
        return frame;
    }

    /**
     * Waits up to 10 s for a frame to the guest that {@code wanted} accepts (others are skipped); throws
     * {@code AssertionError("no " + what)} when none comes.
     */
    static ByteBuffer await(VirtualNic guest, Predicate<ByteBuffer> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            byte[] frame = guest.receive(1, TimeUnit.SECONDS);
            if (frame != null && wanted.test(ByteBuffer.wrap(frame))) {
                return ByteBuffer.wrap(frame);
            }
        }
        throw new AssertionError("no " + what + " within 10 s");
    }

    /** The IPv4 packet in an Ethernet frame, or null when the frame carries something else. */
    static Ipv4Packet ipv4(ByteBuffer frame) {
        int length = frame.limit();
        return new EthernetFrame().wrap(frame, 0, length).etherType() != EtherType.IPV4 ? null
                : new Ipv4Packet().wrap(frame, ETH, length - ETH);
    }

    static byte[] arpRequest(int senderIp, int targetIp) {
        ByteBuffer b = buffer(0);
        return bytes(b, Ipv4Frames.arpRequest(b, GUEST_MAC, senderIp, targetIp));
    }

    static byte[] echoRequest(long destinationMac, int source, int destination, int id, int sequence, byte[] data) {
        ByteBuffer b = buffer(data.length);
        return bytes(b, Ipv4Frames.echoRequest(b, GUEST_MAC, destinationMac, source, destination, id, sequence, data));
    }

    static byte[] udp(long destinationMac, int source, int sourcePort, int destination, int destinationPort, byte[] data) {
        ByteBuffer b = buffer(data.length);
        return bytes(b, Ipv4Frames.udp(b, GUEST_MAC, destinationMac, source, sourcePort, destination, destinationPort, data));
    }

    /** A TCP segment from the guest (no options), checksum filled. */
    static byte[] tcp(long destinationMac, int source, int sourcePort, int destination, int destinationPort, int flags,
                      int sequence, int acknowledgment, int window, byte[] data) {
        ByteBuffer b = buffer(data.length);
        return bytes(b, Ipv4Frames.tcp(b, GUEST_MAC, destinationMac, source, sourcePort, destination, destinationPort,
                flags, sequence, acknowledgment, window, new byte[0], data));
    }

    /** An IPv4 frame with any payload bytes and fragment fields (for hostile-input tests). */
    static byte[] rawIpv4(long destinationMac, int source, int destination, int protocol, int id, boolean more,
                          int fragmentOffset8, byte[] payload) {
        ByteBuffer b = buffer(payload.length);
        Ipv4Frames.ipv4(b, GUEST_MAC, destinationMac, source, destination, protocol, payload.length);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, ETH, IP + payload.length);
        ip.setIdentification(id);
        ip.setFragmentation(false, more, fragmentOffset8);
        ip.fillChecksum();
        b.put(ETH + IP, payload);
        return bytes(b, Math.max(60, ETH + IP + payload.length));
    }

    /** Room for a frame with {@code payload} bytes after the IPv4 and TCP headers. */
    private static ByteBuffer buffer(int payload) {
        return ByteBuffer.allocate(Math.max(60, ETH + IP + 60 + payload));
    }

    private static byte[] bytes(ByteBuffer b, int length) {
        return java.util.Arrays.copyOf(b.array(), length);
    }

    /** Sends the UDP payload of a DHCP message as a client without an address does: to 255.255.255.255:67. */
    static void broadcastDhcp(VirtualNic wire, byte[] message) {
        wire.send(udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, message));
    }

    /** The next ARP request from the gateway. */
    static ArpPacket awaitArpRequest(VirtualNic wire) throws InterruptedException {
        ByteBuffer f = await(wire, GuestFrames::isArpRequest, "ARP request from the gateway");
        return new ArpPacket().wrap(f, ETH, ArpPacket.LENGTH);
    }

    static boolean isArpRequest(ByteBuffer f) {
        return f.getShort(12) == EtherType.ARP
                && new ArpPacket().wrap(f, ETH, ArpPacket.LENGTH).operation() == ArpPacket.REQUEST;
    }

    /** The next DHCP reply; the gateway's ARP requests before it are named in {@code skipped}. */
    static DhcpMessage awaitDhcpReply(VirtualNic wire, List<String> skipped) throws InterruptedException {
        ByteBuffer frame = await(wire, f -> {
            if (isArpRequest(f)) {
                skipped.add("arp request for " + Ipv4Address.format(
                        new ArpPacket().wrap(f, ETH, ArpPacket.LENGTH).targetIp()));
                return false;
            }
            var ip = ipv4(f);
            return ip != null && ip.protocol() == 17 && f.getShort(ETH + ip.headerLength() + 2) == 68;
        }, "DHCP reply");
        int payload = ETH + IP + 8;
        DhcpMessage m = new DhcpMessage().wrap(frame, payload, frame.limit() - payload);
        assertThat(m.check()).isEqualTo(WireError.NONE);
        return m;
    }
}
