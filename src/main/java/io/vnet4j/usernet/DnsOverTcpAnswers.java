package io.vnet4j.usernet;

import java.net.InetSocketAddress;

/**
 * The loop's side of the {@link DnsOverTcpBridge}: the guests' queries over TCP get what UDP's get
 * ({@link UdpServices#decideOverTcp}), and how the upstream answers them over TCP is told to the failover
 * ({@link DnsUpstreams}), which must see an upstream that is down over TCP as it sees one over UDP.
 */
final class DnsOverTcpAnswers implements DnsOverTcpBridge.Resolver {
    private final UdpServices services;
    private final DnsUpstreams upstreams;

    DnsOverTcpAnswers(UdpServices services, DnsUpstreams upstreams) {
        this.services = services;
        this.upstreams = upstreams;
    }

    @Override
    public DnsOverTcpBridge.Verdict decide(byte[] query, InetSocketAddress connected) {
        return services.decideOverTcp(query, connected);
    }

    @Override
    public InetSocketAddress upstream() {
        return upstreams.target();
    }

    @Override
    public byte[] serverFailure(byte[] query) {
        return services.serverFailure(query);
    }

    @Override
    public void forwarded(InetSocketAddress upstream, byte[] query, long now) {
        services.forwardedOverTcp(upstream, query, now);
    }

    @Override
    public void asked(InetSocketAddress upstream, long now) {
        upstreams.askedOverTcp(upstream, now);
    }

    @Override
    public void answered(InetSocketAddress upstream) {
        upstreams.answeredOverTcp(upstream);
    }

    @Override
    public void failed(InetSocketAddress upstream) {
        upstreams.failedOverTcp(upstream);
    }
}
