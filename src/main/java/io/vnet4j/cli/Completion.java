package io.vnet4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * The bash completion script of {@code vnet4j} and its {@code ctl}, made by picocli's {@link AutoComplete} from
 * the real command spec ({@link DaemonCommand} with its subcommand). zsh loads the same script: when sourced
 * there it turns on zsh's {@code bashcompinit} itself. The build runs {@link #main} (pom.xml, the exec plugin's
 * {@code completion} execution) to write {@code target/completion/vnet4j}.
 */
final class Completion {
    private Completion() {}

    /** Writes the script to the path {@code args[0]}, making its directory when missing. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Completion FILE");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, script());
    }

    /** The completion script for the command {@code vnet4j}. */
    static String script() {
        return AutoComplete.bash("vnet4j", new CommandLine(DaemonCommand.spec(new DaemonCommand())));
    }
}
