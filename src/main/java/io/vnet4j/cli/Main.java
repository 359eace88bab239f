package io.vnet4j.cli;

import io.vnet4j.Log;
import picocli.CommandLine;

/** Entry point of the vnet4j daemon and its {@code ctl} client. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit code (0 fine, 1 could not start, 2 bad option). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new DaemonCommand());
        cli.getCommandSpec().usageMessage().footer(DaemonCommand.footer(RuntimeDir.get()));
        cli.setParameterExceptionHandler((e, a) -> {
            Log.error(e.getMessage() + " (see vnet4j --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            Log.error(e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }
}
