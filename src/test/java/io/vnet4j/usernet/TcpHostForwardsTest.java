package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hostfwd listener whose accept fails (EMFILE): a helper's replay under {@code ulimit -n 64} saw the
 * loop meet the waiting client again at once, a core spin and a warning per pass. The rule stops
 * listening for a second, and listens again at the poll after it.
 */
@Timeout(30)
class TcpHostForwardsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final UserConfig CONFIG = config();

    private static UserConfig config() {
        try {
            return TestGateways.config("ipv6=off");
        } catch (io.vnet4j.config.ConfigException e) {
            throw new AssertionError(e);
        }
    }

    /** A gateway's parts on {@code selector}, its frames to guests dropped. */
    private static GatewayParts gateway(LoopSelector selector) throws IOException {
        NeighborTable neighbors = new NeighborTable();
        GuestOutput out = new GuestOutput("u", (frame, offset, length, segmentSize) -> { }, neighbors, CONFIG.mtu(), () -> 0);
        return TestGateways.build(CONFIG, out, neighbors, selector);
    }

    @Test
    void aFailedAcceptPausesTheRuleForASecondAndThePollResumesIt() throws Exception {
        try (Selector jdk = Selector.open()) {
            LoopSelector selector = LoopSelector.of(jdk);
            GatewayParts parts = gateway(selector);
            TcpHostForwards forwards = parts.tcpForwards();
            UserConfig.HostForward rule = forwards.listen(UserConfig.HostForward.parse("tcp:127.0.0.1:0-:22", CONFIG));
            int[] failures = {2};
            forwards.acceptWith(listener -> {
                if (failures[0] > 0) {
                    failures[0]--;
                    throw new SocketException("Too many open files");
                }
                return listener.accept();
            });
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", rule.hostPort()))) {
                long now = 10 * SECOND;
                assertThat(readyRules(selector, forwards, now)).as("the waiting client makes the listener ready").isOne();
                assertThat(forwards.timedStarts()).isOne();
                assertThat(forwards.poll(now)).as("a second to wait").isEqualTo(SECOND);
                assertThat(readyRules(selector, forwards, now)).as("not listening: no spin on the waiting client").isZero();

                assertThat(forwards.poll(now + SECOND)).as("resumed: none paused").isEqualTo(Long.MAX_VALUE);
                assertThat(readyRules(selector, forwards, now + SECOND)).isOne(); // fails again: a second pause
                assertThat(forwards.timedStarts()).isEqualTo(2);
                assertThat(forwards.poll(now + 2 * SECOND)).isEqualTo(Long.MAX_VALUE);
                assertThat(readyRules(selector, forwards, now + 2 * SECOND)).isOne(); // accepted now
                assertThat(parts.tcp().connectionCount()).as("the client forwarded towards the guest").isOne();
            }
            parts.tcp().closeAll();
            forwards.close();
        }
    }

    @Test
    void aRuleRemovedWhilePausedLeavesNothingToResume() throws Exception {
        try (Selector jdk = Selector.open()) {
            LoopSelector selector = LoopSelector.of(jdk);
            GatewayParts parts = gateway(selector);
            TcpHostForwards forwards = parts.tcpForwards();
            UserConfig.HostForward rule = forwards.listen(UserConfig.HostForward.parse("tcp:127.0.0.1:0-:22", CONFIG));
            forwards.acceptWith(listener -> {
                throw new SocketException("Too many open files");
            });
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", rule.hostPort()))) {
                assertThat(readyRules(selector, forwards, 0)).isOne();
                assertThat(forwards.remove(IpAddress.IPV4_LOOPBACK, rule.hostPort())).isTrue();
                assertThat(forwards.poll(0)).isEqualTo(Long.MAX_VALUE);
            }
        }
    }

    /** Selects (up to 300 ms) and hands each ready listener to the forwards; returns how many were ready. */
    private static int readyRules(LoopSelector selector, TcpHostForwards forwards, long now) throws IOException {
        int[] ready = {0};
        if (selector.select(300)) {
            selector.forEachReady(key -> {
                if (key.attachment() instanceof TcpHostForwards.Rule r) {
                    ready[0]++;
                    forwards.acceptable(r, now);
                }
            });
        }
        return ready[0];
    }
}
