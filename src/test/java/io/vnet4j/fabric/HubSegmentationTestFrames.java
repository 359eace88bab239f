package io.vnet4j.fabric;

import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import java.nio.ByteBuffer;

/** IPv4 TCP frames (10.0.2.15:40000 to 10.0.2.2:5201, sequence 1000) with valid checksums, for segmentation tests. */
public final class HubSegmentationTestFrames {
    private HubSegmentationTestFrames() {}

    public static ByteBuffer tcpFrame(int payload) {
        int length = 14 + 20 + 20 + payload;
        ByteBuffer b = ByteBuffer.allocate(length);
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, length);
        eth.setDestination(0x5255_0a00_0202L);
        eth.setSource(0x5254_0000_0001L);
        eth.setUntagged(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 14, length - 14);
        ip.setHeaderLength(20);
        ip.setTotalLength(length - 14);
        ip.setIdentification(1);
        ip.setFragmentation(true, false, 0);
        ip.setTtl(64);
        ip.setProtocol(IpProtocol.TCP);
        ip.setSource(0x0a00020f);
        ip.setDestination(0x0a000202);
        ip.fillChecksum();
        TcpSegment tcp = new TcpSegment().wrap(b, 34, 20 + payload);
        tcp.setSourcePort(40000);
        tcp.setDestinationPort(5201);
        tcp.setSequenceNumber(1000);
        tcp.setAcknowledgmentNumber(1);
        tcp.setHeaderLength(20);
        tcp.setFlags(TcpFlags.ACK | TcpFlags.PSH);
        tcp.setWindow(65535);
        for (int i = 0; i < payload; i++) {
            b.put(54 + i, (byte) i);
        }
        tcp.fillChecksum(0x0a00020f, 0x0a000202);
        return b;
    }

}
