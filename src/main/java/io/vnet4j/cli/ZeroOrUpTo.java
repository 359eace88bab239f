package io.vnet4j.cli;

import picocli.CommandLine;

/**
 * A whole number from 0 (off, or no bound) to a largest value: {@code --keep-warm}'s period in ms,
 * {@code --busy-poll}'s window in µs, {@code ctl --timeout}'s seconds. A bad value is picocli's one-line error naming the option and the range (exit code 2), e.g.
 * "expected 0 (never) or a period in milliseconds from 1 to 60000, got 'soon'".
 */
final class ZeroOrUpTo implements CommandLine.ITypeConverter<Integer> {
    private final int max;
    private final String what;
    private final String zero;

    /**
     * @param max the largest value taken
     * @param what what a value other than 0 is, for the message ("a period in milliseconds")
     */
    ZeroOrUpTo(int max, String what) {
        this(max, what, "never");
    }

    /** @param zero what 0 means, for the message ("for ever") */
    ZeroOrUpTo(int max, String what, String zero) {
        this.max = max;
        this.what = what;
        this.zero = zero;
    }

    @Override
    public Integer convert(String value) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > max) {
            throw new CommandLine.TypeConversionException("expected 0 (" + zero + ") or " + what + " from 1 to " + max
                    + ", got '" + value + "'");
        }
        return n;
    }
}
