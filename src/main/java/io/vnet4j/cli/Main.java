package io.vnet4j.cli;

import io.vnet4j.base.Log;
import io.vnet4j.slirp4netns.Slirp4netnsMain;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * Entry point of the vnet4j daemon, its {@code ctl} client and the slirp4netns drop-in: {@code vnet4j
 * slirp4netns ARGS} (what {@code bin/vnet4j-slirp4netns} runs) hands ARGS untouched to
 * {@link Slirp4netnsMain}, which reads slirp4netns's command line with slirp4netns's help, messages and
 * exit codes, not vnet4j's; {@code vnet4j aot-training} is the launcher's training run ({@link AotTraining}).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit code (0 fine, 1 could not start, 2 bad option). */
    public static int run(String... args) {
        Log.toStandardError(Log.Format.TEXT); // the daemon adds times once its options are good
        if (args.length > 0 && args[0].equals("slirp4netns")) {
            return Slirp4netnsMain.run(Arrays.copyOfRange(args, 1, args.length));
        }
        if (args.length == 1 && args[0].equals("aot-training")) {
            return AotTraining.run();
        }
        CommandLine cli = new CommandLine(DaemonCommand.spec(new DaemonCommand()));
        cli.getCommandSpec().usageMessage().footer(DaemonCommand.footer(RuntimeDir.get()));
        cli.setHelpFactory(new SpacedHelp());
        // no clusters of short options: with them "-http 9100" was -h and printed the help
        cli.setPosixClusteredShortOptionsAllowed(false);
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine.ParameterException shown = unknownBeforeMissing(e);
            // the command whose option was bad: "vnet4j ctl --help" for ctl's
            Log.error(shown.getMessage() + doubleDashHint(shown) + " (see "
                    + shown.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            Log.error(Log.describe(e));
            return 1;
        });
        return cli.execute(args);
    }

    /**
     * An unknown option that took the place of a required parameter is the fault to name: picocli checks
     * what is missing before what is unknown, so {@code vnet4j ctl --bogus} said "Missing required
     * parameter: 'COMMAND'".
     */
    private static CommandLine.ParameterException unknownBeforeMissing(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.MissingParameterException) {
            CommandLine.ParseResult parsed = e.getCommandLine().getParseResult();
            if (parsed != null && !parsed.unmatched().isEmpty()) {
                return new CommandLine.UnmatchedArgumentException(e.getCommandLine(), parsed.unmatched());
            }
        }
        return e;
    }

    /**
     * For an unknown {@code -http} (QEMU's single dash on one of the GNU-style options), ": did you mean
     * --http?"; for a setting after a space ({@link #settingAfterASpace}), how to write it; otherwise nothing.
     */
    private static String doubleDashHint(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String name = u.getUnmatched().get(0).split("=", 2)[0];
            if (name.matches("-[a-z][a-z-]+") && e.getCommandLine().getCommandSpec().findOption("-" + name) != null) {
                return ": did you mean -" + name + "?";
            }
            return settingAfterASpace(e.getCommandLine(), u.getUnmatched().get(0));
        }
        return "";
    }

    /**
     * For {@code -netdev user,id=u hostfwd=...}, a setting written after a space where QEMU's syntax has a
     * comma, how to write it; otherwise nothing.
     */
    private static String settingAfterASpace(CommandLine command, String word) {
        CommandLine.ParseResult parsed = command.getParseResult();
        if (parsed == null || !word.matches("[a-z][a-z0-9._-]*=.*")) {
            return "";
        }
        List<String> args = parsed.originalArgs();
        int at = args.indexOf(word);
        String option = at >= 2 ? args.get(at - 2) : "";
        String value = at >= 1 ? args.get(at - 1) : "";
        if (!option.matches("--?(netdev|net|object)")) { // also -netdev=user,id=u: the option and its value in one
            java.util.regex.Matcher joined = java.util.regex.Pattern.compile("(--?(?:netdev|net|object))=(.*)").matcher(value);
            if (!joined.matches()) {
                return "";
            }
            option = joined.group(1);
            value = joined.group(2);
        }
        return ": settings follow the type and id after commas, with no spaces (" + option + " " + value
                + "," + word + ")";
    }
}
