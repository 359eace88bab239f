package io.vnet4j.cli;

import io.vnet4j.usernet.BusyPoll;
import picocli.CommandLine;

/**
 * {@code --busy-poll}'s value: microseconds from 0 (no polling) to {@value BusyPoll#MAX_MICROS}. A bad value
 * is picocli's one-line error naming the option (exit code 2).
 */
final class BusyPollWindow implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        int micros;
        try {
            micros = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            micros = -1;
        }
        if (micros < 0 || micros > BusyPoll.MAX_MICROS) {
            throw new CommandLine.TypeConversionException("expected 0 (never) or a window in microseconds from 1 to "
                    + BusyPoll.MAX_MICROS + ", got '" + value + "'");
        }
        return micros;
    }
}
