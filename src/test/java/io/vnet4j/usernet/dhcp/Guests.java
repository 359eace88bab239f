package io.vnet4j.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A server under test with a fake clock, and guests talking to it. */
final class Guests {
    static final long MAC_A = 0x5254_0012_3456L;
    static final long MAC_B = 0x5254_0012_3457L;
    static final long MAC_C = 0x5254_0012_3458L;
    static final int GATEWAY = Ipv4Address.parse("10.0.2.2");
    static final int DNS = Ipv4Address.parse("10.0.2.3");
    static final int FIRST = Ipv4Address.parse("10.0.2.15");
    static final int SECOND = Ipv4Address.parse("10.0.2.16");
    static final long DAY_MILLIS = 86_400_000L;

    final DhcpServer server;
    final ByteBuffer out = ByteBuffer.allocate(1024);
    final DhcpReply reply = new DhcpReply();
    private final DhcpMessage view = new DhcpMessage();
    /** The fake clock, in milliseconds. */
    long now = 5_000_000;

    Guests(DhcpSettings settings) {
        this(settings, AddressesInUse.NONE);
    }

    Guests(DhcpSettings settings, AddressesInUse inUse) {
        server = new DhcpServer(settings, inUse);
    }

    Guests() {
        this(DhcpSettings.qemuDefaults());
    }

    /** Hands a message to the server; the reply as a checked view, or null when there is none. */
    DhcpMessage send(ClientMessage message) {
        ByteBuffer in = message.build();
        int length = server.handle(in, 0, in.limit(), now, out, reply);
        if (length == DhcpServer.NO_REPLY) {
            return null;
        }
        assertThat(view.wrap(out, 0, length).check()).isEqualTo(WireError.NONE);
        return view;
    }

    /** Discover, offer, request, ack; returns the acknowledged address. */
    int dora(long mac) {
        int offered = send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, mac)).yiaddr();
        DhcpMessage ack = send(ClientMessage.dhcp(DhcpMessageType.REQUEST, mac).requested(offered).serverId(GATEWAY));
        assertThat(ack.messageType()).isEqualTo(DhcpMessageType.ACK);
        return ack.yiaddr();
    }

    /** Settings like QEMU's with the pool and static leases changed. */
    static DhcpSettings settings(String network, int prefixLength, String first, Map<Long, Integer> statics) {
        DhcpSettings d = DhcpSettings.qemuDefaults();
        return new DhcpSettings(Ipv4Address.parse(network), prefixLength, d.router(), d.dnsServer(),
                Ipv4Address.parse(first), d.leaseSeconds(), null, List.of(), null, null, null, 0, statics, Set.of());
    }
}
