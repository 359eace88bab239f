package io.vnet4j.cli;

import java.util.Locale;
import picocli.CommandLine;

/**
 * {@code --log-format}'s value, {@code text} or {@code json} in any case; anything else is picocli's
 * one-line error naming the option, worded as the other options' ("expected ..., got '...'", exit code 2).
 */
final class LogFormatName implements CommandLine.ITypeConverter<DaemonCommand.LogFormat> {
    @Override
    public DaemonCommand.LogFormat convert(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "text" -> DaemonCommand.LogFormat.text;
            case "json" -> DaemonCommand.LogFormat.json;
            default -> throw new CommandLine.TypeConversionException("expected text or json, got '" + value + "'");
        };
    }
}
