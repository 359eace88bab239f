package io.vnet4j.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Truncated, lying and corrupted messages: the server answers none of them and never throws. */
class DhcpHostileInputTest {
    private static final long SEED = 0x5eed_d4c9L;
    private static final int CORRUPTIONS = 10_000;
    /**
     * Where the golden DISCOVER's options end cleanly: after the fixed fields (an RFC 951 request with no
     * cookie, also when the cut leaves part of it), after the cookie (a BOOTP request) and after each option.
     */
    private static final Set<Integer> CLEAN_CUTS = Set.of(236, 237, 238, 239, 240, 243, 252, 256, 263, 275);
    /** The golden DISCOVER's length up to and including its end option. */
    private static final int DISCOVER_END = 276;
    private final Guests guests = new Guests();

    private int handle(byte[] bytes, int length) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        return guests.server.handle(in, 0, length, guests.now, guests.out, guests.reply);
    }

    private static byte[] discoverWith(int at, int... values) {
        byte[] bytes = DhcpGolden.DISCOVER.clone();
        for (int i = 0; i < values.length; i++) {
            bytes[at + i] = (byte) values[i];
        }
        return bytes;
    }

    @Test
    void answersATruncatedDiscoverOnlyWhereTheCutFallsBetweenOptions() {
        for (int length = 0; length <= DhcpGolden.DISCOVER.length; length++) {
            boolean clean = CLEAN_CUTS.contains(length) || length >= DISCOVER_END;
            assertThat(handle(DhcpGolden.DISCOVER.clone(), length) != DhcpServer.NO_REPLY)
                    .as("length %d", length).isEqualTo(clean);
        }
        assertThat(guests.server.counters().malformed())
                .isEqualTo(DISCOVER_END - CLEAN_CUTS.size());
    }

    @Test
    void answersAnOptionLengthRunningPastTheEnd() {
        byte[] bytes = discoverWith(DhcpMessage.MIN_LENGTH + 3 + 1, 0xff);
        assertThat(handle(bytes, bytes.length)).isEqualTo(DhcpServer.NO_REPLY);
        assertThat(guests.server.counters().malformed()).isEqualTo(1);
    }

    @Test
    void takesABadCookieForAnOldBootpClientWithNoOptions() {
        byte[] bytes = discoverWith(236, 0x63, 0x82, 0x53, 0x64);
        assertThat(handle(bytes, bytes.length)).isGreaterThanOrEqualTo(ReplyWriter.MIN_REPLY_LENGTH);
        assertThat(guests.reply.messageType()).isEqualTo(DhcpMessageType.NONE);
        assertThat(guests.server.counters().malformed()).isZero();
    }

    @Test
    void answersNothingForA16ByteHardwareAddress() {
        byte[] bytes = discoverWith(2, 16);
        assertThat(handle(bytes, bytes.length)).isEqualTo(DhcpServer.NO_REPLY);
        assertThat(guests.server.counters().malformed()).isEqualTo(1);
    }

    @Test
    void ignoresABootReplyFromTheGuest() {
        byte[] bytes = discoverWith(0, DhcpMessage.OP_REPLY);
        assertThat(handle(bytes, bytes.length)).isEqualTo(DhcpServer.NO_REPLY);
        assertThat(guests.server.counters()).isEqualTo(new DhcpCounters(0, 1, 0));
        assertThat(guests.server.leases()).isEmpty();
    }

    @Test
    void survivesSeededRandomCorruptions() {
        Random random = new Random(SEED);
        assertThatCode(() -> {
            for (int i = 0; i < CORRUPTIONS; i++) {
                byte[] bytes = (i % 2 == 0 ? DhcpGolden.DISCOVER : DhcpGolden.REQUEST).clone();
                int flips = 1 + random.nextInt(8);
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(10) < 7
                            ? DhcpMessage.MIN_LENGTH - 4 + random.nextInt(bytes.length - DhcpMessage.MIN_LENGTH + 4)
                            : random.nextInt(bytes.length);
                    bytes[at] = (byte) random.nextInt(256);
                }
                int length = random.nextInt(4) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;
                int replyLength = handle(bytes, length);
                assertThat(replyLength).satisfiesAnyOf(
                        n -> assertThat(n).isEqualTo(DhcpServer.NO_REPLY),
                        n -> assertThat(n).isBetween(ReplyWriter.MIN_REPLY_LENGTH, ReplyWriter.MAX_REPLY_LENGTH));
                guests.now += 1_000;
            }
        }).doesNotThrowAnyException();
        DhcpCounters counters = guests.server.counters();
        assertThat(counters.malformed()).isPositive();
    }
}
