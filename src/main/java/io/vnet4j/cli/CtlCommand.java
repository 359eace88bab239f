package io.vnet4j.cli;

import io.vnet4j.base.Log;
import io.vnet4j.control.ControlClient;
import io.vnet4j.control.ControlServer;
import io.vnet4j.control.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code vnet4j ctl [--control PATH] info network | COMMAND}: asks a running vnet4j. */
final class CtlCommand implements Callable<Integer> {
    private static final String DESCRIPTION = "Ask a running vnet4j through its control socket.";
    private static final String[] FOOTER = {"", "Without --control, ctl talks to control.sock in the runtime directory ($XDG_RUNTIME_DIR/vnet4j or "
                + "/tmp/vnet4j-$USER) or, when that does not answer, to the only control-N.sock there that does.",
                "", "Examples:", "  vnet4j ctl info network", "  vnet4j ctl hostfwd_add tcp::2222-:22",
                "  vnet4j ctl hostfwd_remove tcp::2222", "  vnet4j ctl capture start qemu /tmp/vms.pcap",
                "  vnet4j ctl --control /tmp/v.sock query-network", "  vnet4j ctl --events"};

    Path control;

    /** Seconds each wait for the daemon may take (the connection with its greeting, the answer). */
    int timeout = (int) ControlClient.DEFAULT_TIMEOUT.toSeconds();

    List<String> words = List.of();

    /** After the command, if any: print the QMP events as they come, until the daemon closes the connection. */
    boolean events;

    /** This command's model, for its parameter errors. */
    private CommandSpec spec;

    /** What the shell completes the command's words with: the HMP commands and QMP's query-network. */
    private static final List<String> COMPLETION = java.util.stream.Stream.concat(ControlServer.hmpWords().stream(),
            java.util.stream.Stream.of("query-network")).toList();

    /** The command's picocli model, built in code (see {@link Specs}); parsing writes into {@code command}. */
    static CommandSpec spec(CtlCommand command) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name("ctl").versionProvider(new Version());
        spec.usageMessage().description(DESCRIPTION).footer(FOOTER).width(120);
        spec.addOption(Specs.bound(OptionSpec.builder("--control").paramLabel("PATH").type(Path.class)
                .converters(new SocketPath()).description("Control socket (default: the running vnet4j's in the runtime directory)."),
                () -> command.control, v -> command.control = v).build());
        spec.addOption(Specs.bound(OptionSpec.builder("--timeout").paramLabel("SECONDS").type(int.class)
                .converters(new ZeroOrUpTo(3600, "a time in seconds", "for ever")).description("How long to wait "
                        + "for the daemon to take the connection, and then for each answer, in whole seconds from 1 to 3600 "
                        + "(default: " + ControlClient.DEFAULT_TIMEOUT.toSeconds() + "; 0: for ever)."),
                () -> command.timeout, v -> command.timeout = v).build());
        spec.addOption(Specs.bound(OptionSpec.builder("--events").type(boolean.class).arity("0").description("Then print the "
                        + "daemon's QMP events as they come, one JSON object a line (QEMU's: NETDEV_STREAM_CONNECTED, "
                        + "NETDEV_STREAM_DISCONNECTED, SHUTDOWN), until the daemon stops; COMMAND may be left out."),
                () -> command.events, v -> command.events = v).build());
        spec.addPositional(Specs.bound(PositionalParamSpec.builder().index("0..*").arity("0..*").paramLabel("COMMAND")
                .type(List.class).auxiliaryTypes(String.class).completionCandidates(COMPLETION)
                .description("An HMP command (text, as QEMU's monitor): info network, info usernet, info mac-table, info captures, hostfwd_add [NETDEV_ID] RULE, "
                        + "hostfwd_remove [NETDEV_ID] [tcp|udp]:[HOSTADDR]:HOSTPORT, netdev_add TYPE,id=ID,..., netdev_del ID, set_link NAME on|off, "
                        + "object_add filter-dump,id=ID,netdev=ID,file=PATH, object_del ID, capture start NETDEV FILE, capture stop NETDEV; "
                        + "or a QMP command name such as query-network (JSON); "
                        + "or a whole QMP command as one JSON argument: '{\"execute\":\"netdev_add\",\"arguments\":{...}}'."),
                () -> command.words, v -> command.words = v).build());
        Specs.addHelpOptions(spec);
        command.spec = spec;
        return spec;
    }

    /**
     * The control socket to talk to when none was given; when other daemons answer besides, says on standard error
     * which one this is: a second daemon's user, its socket control-2.sock, otherwise reads the first's answers.
     */
    private static Path found() throws IOException {
        ControlSockets.Found found = ControlSockets.find(RuntimeDir.get());
        if (!found.others().isEmpty()) {
            Log.warn("ctl: talking to " + found.path() + "; other daemons answer on "
                    + String.join(", ", found.others().stream().map(Path::toString).toList())
                    + " (choose one with --control PATH)");
        }
        return found.path();
    }

    @Override
    public Integer call() {
        if (words.isEmpty() && !events) { // optional only with --events
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'COMMAND'");
        }
        Map<String, ?> command = words.isEmpty() ? null : command(); // refused (exit 2) before any connection
        try (ControlClient client = new ControlClient(control != null ? control : found(), Duration.ofSeconds(timeout))) {
            if (command != null) {
                int status = run(client, command);
                if (status != 0 || !events) {
                    return status;
                }
            }
            for (Map<?, ?> event = client.nextEvent(); event != null; event = client.nextEvent()) {
                System.out.print(Json.write(event) + "\n");
                System.out.flush();
            }
            return 0;
        } catch (IOException e) {
            Log.error(Log.describe(e));
            return 1;
        }
    }

    /** COMMAND as the QMP command to send; a parameter error (exit code 2) when it cannot be one. */
    private Map<String, ?> command() {
        String line = commandLine(words);
        if (words.size() > 1 && isQmpName(words.getFirst())) { // HMP would not know it, and say so in its own words
            throw new CommandLine.ParameterException(spec.commandLine(), "COMMAND: a QMP command name stands alone ("
                    + words.getFirst() + "); its arguments go in one JSON object: '{\"execute\":\"" + words.getFirst()
                    + "\",\"arguments\":{...}}'");
        }
        // a JSON object is a QMP command as it is (an array, which no HMP command begins with, is refused as
        // one that is not an object); QMP names are query-* and qmp_capabilities (which the client
        // has sent already: its answer is that negotiation's, not QEMU's "Capabilities negotiation is already
        // complete" to a second one); anything else is an HMP command line, as QEMU's, whose failure comes as an
        // error, for the exit status
        return line.startsWith("{") || line.startsWith("[") ? qmpCommand(line)
                : words.size() == 1 && isQmpName(line)
                ? Map.of("execute", line)
                : Map.of("execute", "human-monitor-command", "arguments", Map.of("command-line", line,
                        ControlServer.FAILURE_AS_ERROR, true));
    }

    /** Sends {@code command} and prints its answer; the exit status. */
    private int run(ControlClient client, Map<String, ?> command) throws IOException {
        Map<?, ?> answer = words.size() == 1 && words.getFirst().equals("qmp_capabilities") ? client.negotiation()
                : client.execute(command);
        if (answer.get("error") instanceof Map<?, ?> error) {
            Log.error(String.valueOf(error.get("desc")));
            return 1;
        }
        Object result = answer.get("return");
        // an HMP command's text has QEMU's line ends, CR LF: a terminal's, not a pipe's
        System.out.print(result instanceof String text ? text.replace("\r\n", "\n") : Json.write(result) + "\n");
        System.out.flush();
        return 0;
    }

    /** A name ctl sends as QMP: query-* and qmp_capabilities. */
    private static boolean isQmpName(String word) {
        return word.startsWith("query-") || word.equals("qmp_capabilities");
    }

    /**
     * The words given as one command line. Each word after the first that holds white space or a double quote (a
     * file name with a space, from {@code ctl capture start t "/tmp/a b.pcap"}) is put in double quotes, as the
     * monitor reads them, so that it stays one word; a single argument ({@code ctl "info network"}, a JSON
     * object) is taken as it is.
     */
    static String commandLine(List<String> words) {
        if (words.size() == 1) {
            return words.getFirst();
        }
        StringBuilder line = new StringBuilder(words.getFirst());
        for (String w : words.subList(1, words.size())) {
            line.append(' ');
            if (w.isEmpty() || w.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"')) {
                line.append('"').append(w.replace("\\", "\\\\").replace("\"", "\\\"")
                        .replace("\n", "\\n").replace("\r", "\\r")).append('"');
            } else {
                line.append(w);
            }
        }
        return line.toString();
    }

    /** A QMP command given as JSON text; a parameter error (exit code 2) when it is not a JSON object. */
    private Map<String, ?> qmpCommand(String text) {
        try {
            if (Json.parse(text) instanceof Map<?, ?> command) {
                Map<String, Object> copy = new java.util.LinkedHashMap<>();
                command.forEach((k, v) -> copy.put(String.valueOf(k), v));
                return copy;
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "COMMAND: not a JSON object: " + e.getMessage());
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "COMMAND: expected a JSON object like "
                + "{\"execute\":\"query-network\"}");
    }
}
