package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.os.Errno;
import io.vnet4j.wire.IpAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which ICMP error a guest is told of a host's connect or send that failed at once. */
class IcmpErrorsTest {
    private static final int NET_UNREACHABLE = 3 << 8;
    private static final int NET_UNREACHABLE_V6 = 1 << 8; // ICMPv6 1/0, no route to destination

    /**
     * A helper's replay against slirp4netns: a blackhole route makes connect and sendto fail with EINVAL, and
     * the guest was told nothing (its SYNs went on until its own time-out); libslirp tells it the network is
     * unreachable, as for every error without a code of its own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Invalid argument", "Cannot assign requested address", "Protocol error"})
    void aFailureWithoutACodeOfItsOwnIsNetworkUnreachable(String kernelText) {
        assertThat(IcmpErrors.ofException(new SocketException(kernelText), true)).isEqualTo(NET_UNREACHABLE);
        assertThat(IcmpErrors.ofException(new SocketException(kernelText), false)).isEqualTo(NET_UNREACHABLE_V6);
        assertThat(IcmpErrors.ofFailedCall(22, true)).isEqualTo(NET_UNREACHABLE); // EINVAL from a ping socket
    }

    @ParameterizedTest
    @ValueSource(strings = {"No buffer space available", "Cannot allocate memory", "Resource temporarily unavailable"})
    void aShortageThatPassesIsToldNothingAndThePacketIsLost(String kernelText) {
        assertThat(IcmpErrors.ofException(new SocketException(kernelText), true)).isEqualTo(IcmpErrors.NONE);
        assertThat(IcmpErrors.ofFailedCall(Errno.ENOBUFS, false)).isEqualTo(IcmpErrors.NONE);
    }

    /**
     * EMSGSIZE (a DF datagram above the path MTU, or one longer than IP carries) is queued on the socket as a local
     * error, told as Fragmentation Needed or Packet Too Big with the MTU: the failed call itself tells nothing more.
     * It was told Network Unreachable besides (helper-160's review).
     */
    @Test
    void aDatagramTooLongIsToldByTheQueuedErrorAlone() {
        assertThat(IcmpErrors.ofException(new SocketException("Message too long"), true)).isEqualTo(IcmpErrors.NONE);
        assertThat(IcmpErrors.ofException(new SocketException("Message too long"), false)).isEqualTo(IcmpErrors.NONE);
        assertThat(IcmpErrors.ofFailedCall(Errno.EMSGSIZE, true)).isEqualTo(IcmpErrors.NONE);
    }

    /** Where a queued error comes from to the guest: the gateway, the destination as the guest wrote it, or the router. */
    @Test
    void aQueuedErrorComesFromTheGatewayTheDestinationOrTheRouterAsTheGuestSeesThem() {
        IpAddress guest = IpAddress.parse("10.0.2.15");
        IpAddress gatewayHost = IpAddress.parse("10.0.2.2");
        IpAddress loopback = IpAddress.parse("127.0.0.1");
        IpAddress far = IpAddress.parse("198.51.100.7");
        IpAddress router = IpAddress.parse("192.0.2.1");
        java.util.function.UnaryOperator<IpAddress> seen = a -> a.isLoopback() ? gatewayHost : a;
        assertThat(IcmpErrors.source(null, far, guest, far, gatewayHost, seen)).as("local error").isEqualTo(gatewayHost);
        assertThat(IcmpErrors.source(far, far, guest, far, gatewayHost, seen)).as("port unreachable").isEqualTo(far);
        assertThat(IcmpErrors.source(loopback, loopback, guest, gatewayHost, gatewayHost, seen)).as("host loopback's")
                .isEqualTo(gatewayHost);
        assertThat(IcmpErrors.source(router, far, guest, far, gatewayHost, seen)).as("a router's").isEqualTo(router);
        assertThat(IcmpErrors.source(IpAddress.parse("2001:db8::1"), IpAddress.parse("2001:db8::53"), guest,
                IpAddress.parse("10.0.2.3"), gatewayHost, seen)).as("a router of the other family: the destination speaks for it")
                .isEqualTo(IpAddress.parse("10.0.2.3"));
    }

    @Test
    void theErrorsWithCodesOfTheirOwnKeepThem() {
        assertThat(IcmpErrors.ofException(new NoRouteToHostException("No route to host"), true)).isEqualTo(3 << 8 | 1);
        assertThat(IcmpErrors.ofException(new SocketException("Permission denied"), true)).isEqualTo(3 << 8 | 13);
        assertThat(IcmpErrors.ofException(new SocketException("Network is unreachable"), false)).isEqualTo(NET_UNREACHABLE_V6);
        assertThat(IcmpErrors.ofErrno(22, true)).as("queued errors keep only the known codes").isEqualTo(IcmpErrors.NONE);
    }

    /** A send is made once more after any error that may be an earlier datagram's, pending; not after EMSGSIZE. */
    @Test
    void aSendIsMadeOnceMoreUnlessItWasTooLong() {
        assertThat(IcmpErrors.sendAgainAfter(Errno.EHOSTUNREACH)).isTrue();
        assertThat(IcmpErrors.sendAgainAfter(Errno.ECONNREFUSED)).isTrue();
        assertThat(IcmpErrors.sendAgainAfter(Errno.EMSGSIZE)).isFalse();
        assertThat(IcmpErrors.sendAgainAfter(0)).as("sent").isFalse();
        assertThat(IcmpErrors.sendAgainAfter(new NoRouteToHostException("No route to host"))).isTrue();
        assertThat(IcmpErrors.sendAgainAfter(new SocketException("Message too long"))).isFalse();
    }
}
