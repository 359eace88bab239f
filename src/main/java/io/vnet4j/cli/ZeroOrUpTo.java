package io.vnet4j.cli;

import picocli.CommandLine;

/**
 * A whole number from 0 (off) to a largest value: {@code --keep-warm}'s period in ms, {@code --busy-poll}'s
 * window in µs. A bad value is picocli's one-line error naming the option and the range (exit code 2), e.g.
 * "expected 0 (never) or a period in milliseconds from 1 to 60000, got 'soon'".
 */
final class ZeroOrUpTo implements CommandLine.ITypeConverter<Integer> {
    private final int max;
    private final String what;

    /**
     * @param max the largest value taken
     * @param what what a value other than 0 is, for the message ("a period in milliseconds")
     */
    ZeroOrUpTo(int max, String what) {
        this.max = max;
        this.what = what;
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
            throw new CommandLine.TypeConversionException("expected 0 (never) or " + what + " from 1 to " + max
                    + ", got '" + value + "'");
        }
        return n;
    }
}
