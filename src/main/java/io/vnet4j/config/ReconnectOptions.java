package io.vnet4j.config;

import java.util.function.BiFunction;
import java.util.function.LongFunction;

/**
 * A client socket's pace of tries, said as QEMU says it: {@code reconnect=SECONDS} (QEMU 8.0 to 10.1) or
 * {@code reconnect-ms=MS} (QEMU 9.2 on), never both: QEMU 9.2's net/stream.c and chardev/char-socket.c refuse
 * the pair ("'reconnect' and 'reconnect-ms' are mutually exclusive"), as this does.
 */
final class ReconnectOptions {
    static final String SECONDS = "reconnect";
    static final String MILLIS = "reconnect-ms";

    private ReconnectOptions() {}

    /**
     * Takes {@code reconnect=} or {@code reconnect-ms=}, within the same bounds said in each one's unit.
     *
     * @param absentMs the pace when neither is given, in ms
     * @param minSeconds the least {@code reconnect=}, in seconds (0 or 1); {@code reconnect-ms=}'s least is 1 ms
     *     when it is 1 (any pace QEMU takes), else 0
     * @param maxSeconds the most {@code reconnect=}, in seconds ({@code reconnect-ms=}'s is 1000 times that)
     * @param outOfBounds words after the refusal of a number outside the bounds, given the number and its key
     * @return the pace in ms
     * @throws ConfigException when both are given, either is given twice, or either is not a whole number within
     *     its bounds
     */
    static long millis(OptionString o, long absentMs, long minSeconds, long maxSeconds,
            BiFunction<String, Long, String> outOfBounds) throws ConfigException {
        if (o.has(SECONDS) && o.has(MILLIS)) {
            throw o.error("'reconnect' and 'reconnect-ms' are mutually exclusive (QEMU's words): give the pace once");
        }
        if (o.has(MILLIS)) {
            LongFunction<String> words = n -> outOfBounds.apply(MILLIS, n);
            return o.takeLong(MILLIS, absentMs, minSeconds > 0 ? 1 : 0, maxSeconds * 1000, words);
        }
        LongFunction<String> words = n -> outOfBounds.apply(SECONDS, n);
        long seconds = o.takeLong(SECONDS, -1, minSeconds, maxSeconds, words);
        return seconds < 0 ? absentMs : seconds * 1000;
    }
}
