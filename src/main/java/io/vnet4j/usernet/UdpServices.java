package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The gateway's own UDP services, tried before NAT: DNS at the DNS address, port 53, forwarded to the
 * upstream resolvers (replies appear to come from the DNS address).
 */
final class UdpServices {
    static final int DNS_PORT = 53;

    private final UserConfig config;
    private final UdpNat nat;
    private final List<InetSocketAddress> dnsUpstreams;
    private long dnsDropped;

    UdpServices(UserConfig config, UdpNat nat, List<InetSocketAddress> dnsUpstreams) {
        this.config = config;
        this.nat = nat;
        this.dnsUpstreams = List.copyOf(dnsUpstreams);
    }

    /** Handles a datagram when it is for one of the services; false lets NAT take it. */
    boolean handle(int source, int sourcePort, int destination, int destinationPort, ByteBuffer buffer, int offset,
                   int length, long now) {
        if (destination == config.dns() && destinationPort == DNS_PORT) {
            if (config.restricted() || dnsUpstreams.isEmpty()) {
                dnsDropped++;
            } else {
                nat.sendPinned(source, sourcePort, config.dns(), DNS_PORT, dnsUpstreams.getFirst(), buffer, offset,
                        length, now);
            }
            return true;
        }
        return destination == config.dns();
    }

    long dnsDropped() {
        return dnsDropped;
    }

    List<InetSocketAddress> dnsUpstreams() {
        return dnsUpstreams;
    }
}
