package io.vnet4j.usernet;

import io.vnet4j.usernet.tcp.TcpNat;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Tells the {@link DnsUpstreams} how the upstream in use answers the guests' DNS over TCP, which goes to the
 * upstream DNS over UDP goes to: the connections to it are watched from the guest's SYN on.
 */
final class DnsOverTcpWatch implements TcpNat.TargetWatch {
    private final DnsUpstreams upstreams;

    DnsOverTcpWatch(DnsUpstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public boolean watches(SocketAddress target) {
        return upstreams.isInUse(target);
    }

    @Override
    public void asked(SocketAddress target) {
        upstreams.askedOverTcp((InetSocketAddress) target);
    }

    @Override
    public void answered(SocketAddress target) {
        upstreams.answeredOverTcp((InetSocketAddress) target);
    }

    @Override
    public void failed(SocketAddress target) {
        upstreams.failedOverTcp((InetSocketAddress) target);
    }
}
