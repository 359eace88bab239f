package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.base.SocketAddresses;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.UserConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnsUpstreamsTest {

    @Test
    void theLookAtResolvConfIsPreparedOncePerProcessHoweverManyNetworksAsk(@TempDir Path dir) throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        Files.writeString(resolvConf, "nameserver 192.0.2.53\n");
        DnsUpstreams.prepareCode(resolvConf); // the first here, unless another test of this JVM came first
        assertThat(DnsUpstreams.prepareCode(resolvConf)).isFalse();
        assertThat(DnsUpstreams.prepareCode(resolvConf)).isFalse();
    }

    @Test
    void resolvConfNameserversOfBothFamiliesAreTakenAndNamesAreNeverLookedUp(@TempDir Path dir) throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        Files.writeString(resolvConf, """
                search vnet.test.
                nameserver 2001:db8:1::3
                nameserver 127.0.0.53
                nameserver fe80::1%lo
                nameserver fe80::1%no-such-interface0
                nameserver resolver.example.test
                nameserver 10.0.2
                """);
        ConfigParser parser = new ConfigParser();
        parser.netdev("user,id=u");
        UserConfig config = ((NetdevConfig.User) parser.build().netdevs().getFirst()).user();

        assertThat(SocketAddresses.format(new DnsUpstreams("u", config, resolvConf, System::nanoTime).current()))
                .isEqualTo("[2001:db8:1::3]:53, 127.0.0.53:53, [fe80::1%lo]:53");
        assertThat(((java.net.Inet6Address) DnsUpstreams.nameserver("fe80::1%lo")).getScopeId()).isPositive();
    }

    /** helper-78's replay of gvisor-tap-vsock PR #696: resolv.conf rewritten under a running network. */
    @Test
    void aChangedResolvConfIsFollowedWithinASecondAsLibslirpFollowsIt(@TempDir Path dir) throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u", resolvConf, now);
        assertThat(SocketAddresses.format(upstreams.current())).isEqualTo("127.0.0.1:53");

        Files.writeString(resolvConf, "# rewritten by NetworkManager\nnameserver 127.0.0.2\n");
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.RECHECK_MILLIS) - 1;
        assertThat(SocketAddresses.format(upstreams.current())).as("looked at once a second at most").isEqualTo("127.0.0.1:53");
        now[0] += 1;
        assertThat(SocketAddresses.format(upstreams.current())).isEqualTo("127.0.0.2:53");

        Files.delete(resolvConf);
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.RECHECK_MILLIS);
        assertThat(upstreams.current()).as("gone: no upstream").isEmpty();
    }

    @Test
    void givenUpstreamsAreKeptWhateverResolvConfSays(@TempDir Path dir) throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u,dns-upstream=127.0.0.9", resolvConf, now);
        Files.writeString(resolvConf, "nameserver 127.0.0.2\n");
        now[0] += java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        assertThat(SocketAddresses.format(upstreams.current())).isEqualTo("127.0.0.9:53");
    }

    /** slirp4netns#347: the upstreams are tried in order, a silent one given up for the next after 2 s. */
    @Test
    void anUpstreamThatLeavesAQueryUnansweredForTwoSecondsGivesWayToTheNext(@TempDir Path dir) throws Exception {
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u,dns-upstream=127.0.0.7,dns-upstream=127.0.0.8,dns-upstream=127.0.0.9",
                dir.resolve("resolv.conf"), now);
        long failover = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.FAILOVER_MILLIS);
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.7:53");
        upstreams.sent();
        now[0] += failover - 1;
        upstreams.sent(); // a second query: the first one's time counts
        assertThat(SocketAddresses.format(upstreams.target())).as("not yet").isEqualTo("127.0.0.7:53");
        now[0] += 1;
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.8:53");
        assertThat(SocketAddresses.format(upstreams.target())).as("the next one waits for its own silence")
                .isEqualTo("127.0.0.8:53");

        upstreams.sent();
        now[0] += failover;
        upstreams.answered(at("127.0.0.7")); // the one moved away from, late: says nothing of the one in use
        upstreams.answered(at("127.0.0.8")); // late, but an answer
        assertThat(SocketAddresses.format(upstreams.target())).as("it answered").isEqualTo("127.0.0.8:53");

        upstreams.sent();
        now[0] += failover - 1;
        upstreams.answered(at("127.0.0.7"));
        now[0] += 1;
        assertThat(SocketAddresses.format(upstreams.target())).as("another's answer did not stop the clock")
                .isEqualTo("127.0.0.9:53");
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.BACK_TO_FIRST_MILLIS);
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.7:53");
        upstreams.sent();
        now[0] += failover;
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.8:53");

        upstreams.sent();
        now[0] += failover;
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.9:53");
        upstreams.sent();
        now[0] += failover;
        assertThat(SocketAddresses.format(upstreams.target())).as("after the last, the first again").isEqualTo("127.0.0.7:53");
        assertThat(upstreams.failovers()).isEqualTo(5);
    }

    /** A first upstream that was slow once (the only one that knows a company's names) is tried again 30 s later. */
    @Test
    void theFirstUpstreamIsTriedAgainThirtySecondsAfterAMove(@TempDir Path dir) throws Exception {
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u,dns-upstream=127.0.0.7,dns-upstream=127.0.0.8", dir.resolve("resolv.conf"), now);
        upstreams.target();
        upstreams.sent();
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.FAILOVER_MILLIS);
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.8:53");
        upstreams.sent();
        upstreams.answered(at("127.0.0.8"));
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.BACK_TO_FIRST_MILLIS) - 1;
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.8:53");
        now[0] += 1;
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.7:53");
        assertThat(upstreams.failovers()).as("the return is no move on").isOne();
    }

    /** A port unreachable (nothing listens there) moves on at once, when it is the upstream in use that refused. */
    @Test
    void anUpstreamThatRefusesGivesWayAtOnce(@TempDir Path dir) throws Exception {
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u,dns-upstream=127.0.0.7,dns-upstream=127.0.0.8", dir.resolve("resolv.conf"), now);
        upstreams.failed(new java.net.InetSocketAddress("127.0.0.8", 53));
        assertThat(SocketAddresses.format(upstreams.target())).as("not the one in use").isEqualTo("127.0.0.7:53");
        upstreams.sent();
        upstreams.failed(new java.net.InetSocketAddress("127.0.0.7", 53)); // as a send that fails at once
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.8:53");
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.FAILOVER_MILLIS);
        assertThat(SocketAddresses.format(upstreams.target())).as("the next one was sent nothing yet").isEqualTo("127.0.0.8:53");
        assertThat(upstreams.failovers()).isOne();
    }

    /**
     * A refused query is asked of the next upstream, once round them: not of the one that refused, not of one that
     * refused in the last 2 s, and with a single upstream not at all (the guest hears the error, as from libslirp).
     */
    @Test
    void aRefusedQueryIsAskedOfTheNextOnceRound(@TempDir Path dir) throws Exception {
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u,dns-upstream=127.0.0.7,dns-upstream=127.0.0.8", dir.resolve("resolv.conf"), now);
        java.net.InetSocketAddress first = new java.net.InetSocketAddress("127.0.0.7", 53);
        java.net.InetSocketAddress second = new java.net.InetSocketAddress("127.0.0.8", 53);
        upstreams.sent();
        upstreams.failed(first);
        assertThat(SocketAddresses.format(upstreams.askAgain(first))).isEqualTo("127.0.0.8:53");
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);
        upstreams.failed(second);
        assertThat(upstreams.askAgain(second)).as("the first refused 100 ms ago").isNull();
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.FAILOVER_MILLIS);
        upstreams.sent();
        upstreams.failed(first);
        assertThat(SocketAddresses.format(upstreams.askAgain(first))).as("2 s later: round again").isEqualTo("127.0.0.8:53");
        assertThat(upstreams.failovers()).isEqualTo(3);

        DnsUpstreams single = upstreams("user,id=u,dns-upstream=127.0.0.7", dir.resolve("resolv.conf"), now);
        single.sent();
        single.failed(first);
        assertThat(single.askAgain(first)).isNull();
    }

    @Test
    void aSingleUpstreamIsKeptAndAChangedResolvConfStartsAtItsFirst(@TempDir Path dir) throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u", resolvConf, now);
        upstreams.sent();
        now[0] += java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.1:53");
        assertThat(upstreams.failovers()).isZero();

        Files.writeString(resolvConf, "nameserver 127.0.0.2\nnameserver 127.0.0.3\n");
        now[0] += java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.2:53");
        upstreams.sent();
        now[0] += java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
        assertThat(SocketAddresses.format(upstreams.target())).isEqualTo("127.0.0.3:53");
        Files.writeString(resolvConf, "nameserver 127.0.0.44\nnameserver 127.0.0.3\n"); // a size of its own: on
        // kernels before 6.13 two writes within a tick can share a modification time
        now[0] += java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
        assertThat(SocketAddresses.format(upstreams.target())).as("a new list: its first").isEqualTo("127.0.0.44:53");
    }

    /**
     * A refused DNS-over-TCP connection moves the queries on only from an upstream that has not answered over UDP
     * in the last 30 s: one that takes no TCP (unbound's do-tcp: no) but answers over UDP is kept (helper-98).
     */
    @Test
    void aRefusedTcpConnectionMovesOnOnlyFromAnUpstreamSilentOverUdp(@TempDir Path dir) throws Exception {
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u,dns-upstream=127.0.0.7,dns-upstream=127.0.0.8", dir.resolve("resolv.conf"), now);
        upstreams.sent();
        upstreams.answered(at("127.0.0.7"));
        upstreams.failedOverTcp(at("127.0.0.7"));
        assertThat(SocketAddresses.format(upstreams.target())).as("it answers over UDP").isEqualTo("127.0.0.7:53");
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.BACK_TO_FIRST_MILLIS);
        upstreams.failedOverTcp(at("127.0.0.7"));
        assertThat(SocketAddresses.format(upstreams.target())).as("not for 30 s").isEqualTo("127.0.0.8:53");
        upstreams.failedOverTcp(at("127.0.0.8"));
        assertThat(SocketAddresses.format(upstreams.target())).as("never answered since it came into use")
                .isEqualTo("127.0.0.7:53");
    }

    /**
     * DNS over TCP counts as over UDP while the upstream has not answered over UDP lately: a connect or a query it
     * leaves unanswered 2 s moves the queries on (a guest with glibc's use-vc asks only over TCP), one it answers
     * does not, and one to an upstream that answers over UDP never starts the clock.
     */
    @Test
    void aTcpQueryLeftUnansweredTwoSecondsMovesOnFromAnUpstreamSilentOverUdp(@TempDir Path dir) throws Exception {
        long[] now = {0};
        long failover = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.FAILOVER_MILLIS);
        DnsUpstreams upstreams = upstreams("user,id=u,dns-upstream=127.0.0.7,dns-upstream=127.0.0.8", dir.resolve("resolv.conf"), now);
        upstreams.askedOverTcp(at("127.0.0.7"), now[0]);
        now[0] += failover / 2;
        upstreams.answeredOverTcp(at("127.0.0.7")); // the connect completed
        now[0] += failover;
        assertThat(SocketAddresses.format(upstreams.target())).as("it accepted").isEqualTo("127.0.0.7:53");
        upstreams.askedOverTcp(at("127.0.0.8"), now[0]);
        now[0] += failover;
        assertThat(SocketAddresses.format(upstreams.target())).as("not the one in use").isEqualTo("127.0.0.7:53");
        upstreams.askedOverTcp(at("127.0.0.7"), now[0]); // a query on the connection
        now[0] += failover;
        assertThat(SocketAddresses.format(upstreams.target())).as("left unanswered").isEqualTo("127.0.0.8:53");

        upstreams.sent();
        upstreams.answered(at("127.0.0.8"));
        upstreams.askedOverTcp(at("127.0.0.8"), now[0]);
        now[0] += failover;
        assertThat(SocketAddresses.format(upstreams.target())).as("it answers over UDP").isEqualTo("127.0.0.8:53");
    }

    /**
     * A DNS-over-TCP connect that completes says nothing of an upstream that answered over UDP lately and then went
     * silent over UDP: a hung resolver whose kernel still accepts TCP (seen with a stopped upstream: a guest's
     * {@code dig +tcp} made glibc's retry over UDP go to the silent one again, and the lookup took 10 s, not 5).
     */
    @Test
    void aTcpConnectDoesNotStopTheClockOfAUdpQueryToAnUpstreamThatAnsweredOverUdp(@TempDir Path dir) throws Exception {
        long[] now = {0};
        long failover = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.FAILOVER_MILLIS);
        DnsUpstreams upstreams = upstreams("user,id=u,dns-upstream=127.0.0.7,dns-upstream=127.0.0.8", dir.resolve("resolv.conf"), now);
        upstreams.sent();
        upstreams.answered(at("127.0.0.7"));
        now[0] += failover;
        upstreams.sent(); // then it goes silent over UDP
        now[0] += failover / 2;
        upstreams.askedOverTcp(at("127.0.0.7"), now[0]);
        upstreams.answeredOverTcp(at("127.0.0.7")); // the kernel accepted
        now[0] += failover / 2;
        assertThat(SocketAddresses.format(upstreams.target())).as("the UDP query still waits")
                .isEqualTo("127.0.0.8:53");
    }

    private static java.net.InetSocketAddress at(String address) {
        return new java.net.InetSocketAddress(address, 53);
    }

    /** The upstreams of a user network of {@code netdev} whose resolv.conf names 127.0.0.1, on the clock {@code now[0]}. */
    private static DnsUpstreams upstreams(String netdev, Path resolvConf, long[] now) throws Exception {
        Files.writeString(resolvConf, "nameserver 127.0.0.1\n");
        ConfigParser parser = new ConfigParser();
        parser.netdev(netdev);
        UserConfig config = ((NetdevConfig.User) parser.build().netdevs().getFirst()).user();
        return new DnsUpstreams("u", config, resolvConf, () -> now[0]);
    }
}
