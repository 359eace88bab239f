package io.vnet4j.cli;

import picocli.CommandLine;

/**
 * {@code --keep-warm}'s value: 0 (no keep-warm thread) or a period in ms from 1 to {@value #MAX_MILLIS}
 * (past a minute the thread would not keep anything warm). A bad value is picocli's one-line error naming
 * the option (exit code 2).
 */
final class KeepWarmPeriod implements CommandLine.ITypeConverter<Integer> {
    static final int MAX_MILLIS = 60_000;

    @Override
    public Integer convert(String value) {
        int millis;
        try {
            millis = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 0 || millis > MAX_MILLIS) {
            throw new CommandLine.TypeConversionException("expected 0 (never) or a period in milliseconds from 1 to "
                    + MAX_MILLIS + ", got '" + value + "'");
        }
        return millis;
    }
}
