package io.vnet4j.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * {@code --control}'s value: a unix socket's path, never empty or blank (an empty one read as the current
 * directory and was then called "not a socket"). A bad value is picocli's one-line error naming the option (exit 2).
 */
final class SocketPath implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        if (value.isBlank()) { // " " would be a file of that name, which no one could name back
            throw new CommandLine.TypeConversionException("expected a socket path, got "
                    + (value.isEmpty() ? "an empty one" : "only spaces"));
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("not a path: " + e.getReason());
        }
    }
}
