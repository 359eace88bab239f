package io.vnet4j.control;

import io.vnet4j.base.Log;
import io.vnet4j.config.CaptureConfig;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.UserConfig;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.usernet.UsernetNetdev;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The QEMU HMP commands the control socket runs (through {@code human-monitor-command}, or {@code vnet4j
 * ctl COMMAND ...}), with QEMU 7.2's syntax and messages (net/slirp.c):
 * <ul>
 * <li>{@code info network}, {@code info usernet} ({@link UsernetTable}), {@code info mac-table} (the
 *     learning switches' tables, {@link NetworkReport#macTableText}), {@code info captures} and {@code info version};
 * <li>{@code hostfwd_add [NETDEV_ID] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport}, the rule read
 *     as {@code hostfwd=} is (IPv6 addresses in brackets; no host address is 127.0.0.1);
 * <li>{@code hostfwd_remove [NETDEV_ID] [tcp|udp]:[hostaddr]:hostport};
 * <li>{@code netdev_add TYPE,id=ID,...} (the {@code -netdev} syntax) and {@code netdev_del ID};
 * <li>{@code set_link NAME on|off} ({@link SetLink});
 * <li>{@code object_add filter-dump,id=ID,netdev=ID,file=PATH[,maxlen=N]} and {@code object_del ID}: a capture
 *     started and stopped while the network runs, as QEMU's;
 * <li>{@code capture start NETDEV FILE} and {@code capture stop NETDEV}: the same, with the id
 *     {@code capture-NETDEV} (vnet4j's own shorthand);
 * <li>{@code quit} (or {@code q}): the daemon stops once the command's empty answer is out.
 * </ul>
 * Without NETDEV_ID the first user network is meant. A command returns its text; one that fails throws
 * {@link Failure} with QEMU's line ("unrecognized netdev id 'x'", "Invalid host forwarding rule ...") and the text
 * QEMU's monitor prints for it.
 */
final class HumanMonitor {
    /**
     * A command that could not be carried out; the message is QEMU's line, {@link #text} what QEMU's monitor prints
     * for it (QEMU 7.2, checked: over QMP's {@code human-monitor-command} that text is the command's "return").
     */
    static final class Failure extends Exception {
        private final String text;

        /** A line QEMU's monitor prints as it is (net/slirp.c's monitor_printf and error_report, an unknown command). */
        Failure(String message) {
            this(message, message + "\n");
        }

        private Failure(String message, String text) {
            super(message);
            this.text = text;
        }

        /** A command's error as QEMU's hmp_handle_error prints it (netdev_del, set_link, object_add): "Error: " first. */
        static Failure error(String message) {
            return new Failure(message, "Error: " + message + "\n");
        }

        /**
         * An argument the monitor could not read (monitor/hmp.c monitor_parse_arguments): the line, then
         * {@code Try "help COMMAND" for more information}.
         */
        static Failure syntax(String command, String message) {
            return new Failure(message, message + "\nTry \"help " + command + "\" for more information\n");
        }

        /** What QEMU's monitor prints: the lines, each ending in a newline. */
        String text() {
            return text;
        }
    }

    /**
     * A command line's words as QEMU's monitor reads them (monitor/hmp.c get_str): split at white space, a
     * word in double quotes may hold white space and the escapes {@code \n}, {@code \r}, {@code \\},
     * {@code \'} and {@code \"}; never empty (a blank line is one empty word).
     *
     * @throws Failure on an unterminated string or another escape, with QEMU's line
     */
    static String[] words(String commandLine) throws Failure {
        List<String> words = new java.util.ArrayList<>();
        int i = 0;
        int n = commandLine.length();
        while (true) {
            while (i < n && Character.isWhitespace(commandLine.charAt(i))) {
                i++;
            }
            if (i == n) {
                break;
            }
            StringBuilder word = new StringBuilder();
            if (commandLine.charAt(i) == '"') {
                i++;
                while (i < n && commandLine.charAt(i) != '"') {
                    char c = commandLine.charAt(i++);
                    if (c == '\\') {
                        if (i == n) {
                            throw new Failure("unterminated string");
                        }
                        char e = commandLine.charAt(i++);
                        switch (e) {
                            case 'n' -> c = '\n';
                            case 'r' -> c = '\r';
                            case '\\', '\'', '"' -> c = e;
                            default -> throw new Failure(
                                    "unsupported escape code: '\\" + Log.printable(String.valueOf(e)) + "'");
                        }
                    }
                    word.append(c);
                }
                if (i == n) {
                    throw new Failure("unterminated string");
                }
                i++;
            } else {
                while (i < n && !Character.isWhitespace(commandLine.charAt(i))) {
                    word.append(commandLine.charAt(i++));
                }
            }
            words.add(word.toString());
        }
        return words.isEmpty() ? new String[] {""} : words.toArray(String[]::new);
    }

    /** QEMU's line (and QMP's DeviceNotFound) for a netdev or port named {@code name} that does not run. */
    static String deviceNotFound(String name) {
        return "Device '" + name + "' not found";
    }

    private final Supplier<List<Netdev>> netdevs;
    private final NetworkChanges changes;
    private final Runnable quit;
    private final String version;

    /**
     * @param quit what {@code quit} runs when {@code changes} can quit: the control server's session marks itself to
     *             stop the daemon once the command's (empty) answer is out
     * @param version vnet4j's version, for {@code info version}
     */
    HumanMonitor(Supplier<List<Netdev>> netdevs, NetworkChanges changes, Runnable quit, String version) {
        this.netdevs = netdevs;
        this.changes = changes;
        this.quit = quit;
        this.version = version;
    }

    /** Runs one command line; a blank one runs nothing and says nothing, as QEMU's monitor (monitor/hmp.c). */
    String run(String commandLine) throws Failure {
        if (commandLine.isBlank()) {
            return "";
        }
        String[] words = words(commandLine);
        return switch (words[0]) {
            case "info" -> {
                if (words.length == 1) {
                    yield helpFor("info"); // as QEMU's monitor, which lists its info commands
                }
                if (words.length > 2 && !helpFor("info " + words[1]).isEmpty()) { // one of the info commands below
                    throw extraneous(words[1], "info " + words[1]);
                }
                if (words.length == 2 && words[1].equals("network")) {
                    yield NetworkReport.text(NetworkReport.query(netdevs.get()));
                }
                if (words.length == 2 && words[1].equals("usernet")) {
                    yield UsernetTable.text(netdevs.get());
                }
                if (words.length == 2 && words[1].equals("mac-table")) {
                    yield NetworkReport.macTableText(NetworkReport.query(netdevs.get()));
                }
                if (words.length == 2 && words[1].equals("captures")) {
                    yield captures();
                }
                if (words.length == 2 && words[1].equals("version")) {
                    yield versionLine(version);
                }
                throw new Failure("unknown command: '" + commandLine.trim()
                        + "' (expected: info network, info usernet, info mac-table, info captures, info version)");
            }
            case "hostfwd_add" -> hostfwdAdd(words);
            case "hostfwd_remove" -> hostfwdRemove(words);
            case "netdev_add" -> {
                if (words.length > 2) {
                    throw extraneous(words[0]);
                }
                if (words.length == 1) {
                    throw new Failure("usage: netdev_add [user|tap|socket|stream|dgram|vde|vxlan|vhost-user],id=str[,prop=value][,...]");
                }
                String type = NetdevArguments.typeOf(words[1]);
                String refusal = type == null || type.isEmpty() ? null : NetdevArguments.typeRefusal(type);
                if (refusal != null) {
                    throw Failure.error(refusal);
                }
                Netdev added;
                try {
                    added = changes.add(words[1]);
                } catch (ConfigException e) {
                    // QEMU's monitor says neither the option nor, for an id in use, who has it
                    throw e.duplicateId() != null
                            ? Failure.syntax("netdev_add", "Duplicate ID '" + e.duplicateId() + "' for netdev")
                            : Failure.error(e.reason());
                } catch (IOException e) {
                    throw Failure.error(Log.describe(e));
                }
                String warning = added instanceof UsernetNetdev user ? UsernetNetdev.sharedHub(user, netdevs.get()) : null;
                yield warning == null ? "" : "warning: " + warning + "\n";
            }
            case "netdev_del" -> {
                if (words.length > 2) {
                    throw extraneous(words[0]);
                }
                if (words.length == 1) {
                    throw new Failure("usage: netdev_del id");
                }
                if (!changes.remove(words[1])) {
                    throw Failure.error(deviceNotFound(words[1]));
                }
                yield "";
            }
            case "set_link" -> { // QEMU's lines for its arguments "name:s,up:b" (monitor/hmp.c)
                if (words.length < 2) {
                    throw Failure.syntax("set_link", "set_link: string expected");
                }
                if (words.length < 3 || !words[2].equals("on") && !words[2].equals("off")) {
                    throw Failure.syntax("set_link", "Expected 'on' or 'off'");
                }
                if (words.length > 3) {
                    throw extraneous(words[0]);
                }
                if (!SetLink.apply(netdevs.get(), words[1], words[2].equals("on"))) {
                    throw Failure.error(deviceNotFound(words[1]));
                }
                yield "";
            }
            case "object_add" -> {
                if (words.length > 2) {
                    throw extraneous(words[0]);
                }
                if (words.length == 1) {
                    throw new Failure("usage: object_add filter-dump,id=str,netdev=str,file=str[,maxlen=int]");
                }
                addCapture(words[1]);
                yield "";
            }
            case "object_del" -> {
                if (words.length > 2) {
                    throw extraneous(words[0]);
                }
                if (words.length == 1) {
                    throw new Failure("usage: object_del id");
                }
                if (!changes.removeCapture(words[1])) {
                    throw Failure.error("object '" + words[1] + "' not found");
                }
                yield "";
            }
            case "capture" -> capture(words);
            case "quit", "q" -> { // QEMU names the command as its table does, "quit|q", in this line (monitor/hmp.c)
                if (words.length > 1) {
                    throw Failure.syntax(words[0], "quit|q: extraneous characters at the end of line");
                }
                if (!changes.canQuit()) {
                    throw new Failure("quit: this control socket's program is not stopped from it");
                }
                quit.run();
                yield "";
            }
            case "help", "?" -> {
                if (words.length == 1) {
                    yield HELP;
                }
                // as QEMU's monitor (monitor/hmp.c help_cmd_dump): a command's name, info's with its second word; the
                // words after it are not looked at
                int end = words[1].equals("info") ? Math.min(words.length, 3) : 2;
                String command = String.join(" ", Arrays.copyOfRange(words, 1, end));
                String lines = helpFor(command);
                if (lines.isEmpty()) {
                    throw new Failure("unknown command: '" + command + "' (help lists the commands)");
                }
                yield lines;
            }
            default -> throw new Failure("unknown command: '" + words[0] + "' (expected: info network, info usernet, "
                    + "info mac-table, info captures, info version, hostfwd_add, hostfwd_remove, netdev_add, netdev_del, set_link, object_add, object_del, capture, quit, help)");
        };
    }

    /**
     * {@code info version}: query-version's triple and package as QEMU's hmp_info_version prints them, the package
     * in parentheses as QEMU's build gives its own ("7.2.0 (Debian 1:7.2+dfsg-7)"): {@code 0.1.0 (vnet4j 0.1.0-SNAPSHOT)}.
     */
    static String versionLine(String version) {
        Map<String, Object> info = ControlServer.versionInfo(version);
        Map<?, ?> triple = (Map<?, ?>) info.get("qemu");
        return triple.get("major") + "." + triple.get("minor") + "." + triple.get("micro") + " (" + info.get("package") + ")\n";
    }

    /** QEMU's line for a command given an argument more than it takes (monitor/hmp.c). */
    private static Failure extraneous(String command) {
        return extraneous(command, command);
    }

    /** The same for an info command, which QEMU's line names without "info" ({@code name}) and its help with it. */
    private static Failure extraneous(String name, String command) {
        return Failure.syntax(command, name + ": extraneous characters at the end of line");
    }

    /** {@code help} (or {@code ?}): the commands, one a line, in the shape of QEMU's monitor's own help. */
    static final String HELP = String.join("\n",
            "capture start NETDEV FILE|stop NETDEV -- start or stop a pcap capture of a netdev (as object_add filter-dump)",
            "help|? [cmd] -- show this list, or the help of one command (help info: the info commands)",
            "hostfwd_add [netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport -- redirect TCP or UDP connections from host to guest",
            "hostfwd_remove [netdev_id] [tcp|udp]:[hostaddr]:hostport -- remove host-to-guest TCP or UDP redirection",
            "info captures -- show the captures running",
            "info mac-table -- show each switch's learnt MACs, their ports and ages",
            "info network -- show the hubs, their ports and counters",
            "info usernet -- show the user network's connections and flows",
            "info version -- show the version of vnet4j",
            "netdev_add type,id=str[,prop=value][,...] -- add host network device (the -netdev syntax)",
            "netdev_del id -- remove host network device",
            "object_add filter-dump,id=str,netdev=str,file=str[,maxlen=N] -- start a capture",
            "object_del id -- stop a capture",
            "quit|q -- stop vnet4j, as SIGTERM does, with exit status 0",
            "set_link name on|off -- change the link status of a network adapter") + "\n";

    /**
     * The words that begin the commands of {@link #HELP}, and the info commands' second words, each once, in
     * {@link #HELP}'s order: {@code capture}, {@code help}, {@code ?}, {@code hostfwd_add}, ..., {@code captures},
     * {@code mac-table}, ... (for shell completion).
     */
    static List<String> words() {
        java.util.LinkedHashSet<String> words = new java.util.LinkedHashSet<>();
        for (String line : HELP.split("\n")) {
            words.addAll(names(line));
            if (line.startsWith("info ")) {
                words.add(line.split(" ")[1]);
            }
        }
        return List.copyOf(words);
    }

    /** The names a line of {@link #HELP} gives its command: {@code help|? [cmd] -- ...} gives help and ?. */
    private static List<String> names(String line) {
        return List.of(line.substring(0, line.indexOf(' ')).split("\\|"));
    }

    /**
     * {@code help COMMAND}: the lines of {@link #HELP} for that command, whose name may be an alias
     * ({@code ?}) or its first words ({@code help info}: every info command; {@code help info network}: one).
     */
    private static String helpFor(String command) {
        StringBuilder lines = new StringBuilder();
        for (String line : HELP.split("\n")) {
            if (names(line).contains(command) || line.startsWith(command + " ")) {
                lines.append(line).append('\n');
            }
        }
        return lines.toString();
    }

    private CaptureConfig addCapture(String option) throws Failure {
        try {
            return changes.addCapture(option);
        } catch (ConfigException e) {
            throw Failure.error(e.reason()); // QEMU's monitor does not repeat the object either
        } catch (IOException e) {
            throw Failure.error(Log.describe(e));
        }
    }

    /** {@code info captures}: one line per running capture. */
    private String captures() {
        StringBuilder sb = new StringBuilder();
        for (CaptureConfig c : changes.captures()) {
            sb.append(c.id()).append(": ").append(c.netdev() != null ? "netdev " + c.netdev() : "hub " + c.hub())
                    .append(" -> ").append(c.file().toAbsolutePath()).append(" (maxlen ").append(c.snapLength()).append(")");
            long dropped = changes.captureDrops(c.id());
            if (dropped > 0) {
                sb.append(", ").append(dropped).append(" frames dropped (the file took them too slowly)");
            }
            sb.append('\n');
        }
        return sb.isEmpty() ? "no captures run (capture start NETDEV FILE starts one)\n" : sb.toString();
    }

    /** {@code capture start NETDEV FILE} or {@code capture stop NETDEV}. */
    private String capture(String[] words) throws Failure {
        if (words.length == 4 && words[1].equals("start")) {
            if (netdevs.get().stream().noneMatch(n -> n.id().equals(words[2]))) {
                throw new Failure("no netdev '" + words[2] + "' runs (info network lists them)");
            }
            if (words[3].isEmpty()) { // ctl's capture start vms '' (an unset variable): file= left empty
                throw new Failure("capture start: expected the pcap file's path, got an empty one");
            }
            String id = "capture-" + words[2];
            CaptureConfig c;
            try {
                c = changes.addCapture("filter-dump,id=" + escape(id) + ",netdev=" + escape(words[2])
                        + ",file=" + escape(words[3]));
            } catch (ConfigException e) {
                if (netdevs.get().stream().noneMatch(n -> n.id().equals(words[2]))) {
                    // gone since the check above (netdev_del), which said so to addCapture
                    throw new Failure("no netdev '" + words[2] + "' runs (info network lists them)");
                }
                Optional<CaptureConfig> holder = changes.captures().stream().filter(r -> r.id().equals(id)).findFirst();
                if (holder.isPresent() && words[2].equals(holder.get().netdev())) {
                    throw new Failure("a capture of netdev '" + words[2] + "' runs already (capture stop " + words[2] + " ends it)");
                }
                if (holder.isPresent()) { // object_add gave that id to a capture of another netdev
                    throw new Failure("id " + id + " is already in use (info captures lists it)");
                }
                throw new Failure(e.reason());
            } catch (IOException e) {
                throw new Failure(Log.describe(e));
            }
            return "capturing netdev " + c.netdev() + " to " + c.file().toAbsolutePath() + " (capture stop " + c.netdev()
                    + " ends it)\n";
        }
        if (words.length == 3 && words[1].equals("stop")) {
            // its own capture, else the one capture of the netdev that object_add or -object filter-dump started
            List<String> ofNetdev = changes.captures().stream().filter(c -> words[2].equals(c.netdev()))
                    .map(CaptureConfig::id).toList();
            String own = "capture-" + words[2];
            String id = ofNetdev.size() == 1 ? ofNetdev.getFirst() : own;
            if (ofNetdev.size() > 1 && !ofNetdev.contains(own)) {
                throw new Failure("netdev '" + words[2] + "' has " + ofNetdev.size() + " captures (" + String.join(", ", ofNetdev)
                        + "): object_del ID stops one");
            }
            if (!changes.removeCapture(id)) {
                throw new Failure("no capture of netdev '" + words[2] + "' runs (capture start " + words[2] + " FILE starts one)");
            }
            return "capture of netdev " + words[2] + " stopped\n";
        }
        throw new Failure("usage: capture start NETDEV FILE | capture stop NETDEV");
    }

    /** A value inside an option string: commas doubled, as QEMU's option syntax asks. */
    private static String escape(String value) {
        return value.replace(",", ",,");
    }

    private String hostfwdAdd(String[] words) throws Failure {
        UsernetNetdev user = userNetwork(words, "hostfwd_add [netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport");
        String rule = words[words.length - 1];
        UserConfig.HostForward forward;
        try {
            forward = UserConfig.HostForward.parse(rule, user.config());
        } catch (ConfigException e) {
            throw new Failure(e.getMessage());
        }
        try {
            user.addHostForward(forward);
        } catch (IOException e) {
            throw new Failure("Could not set up host forwarding rule '" + rule + "': " + e.getMessage());
        }
        return "";
    }

    private String hostfwdRemove(String[] words) throws Failure {
        UsernetNetdev user = userNetwork(words, "hostfwd_remove [netdev_id] [tcp|udp]:[hostaddr]:hostport");
        String source = words[words.length - 1];
        Source parsed = Source.parse(source);
        if (parsed == null) {
            throw new Failure("invalid format");
        }
        try {
            boolean removed = user.removeHostForward(parsed.udp, parsed.address, parsed.port);
            return "host forwarding rule for " + source + " " + (removed ? "removed" : "not found") + "\n";
        } catch (IOException e) {
            throw new Failure(e.getMessage());
        }
    }

    /** The user network the words name (one argument before the rule), or the first one. */
    private UsernetNetdev userNetwork(String[] words, String usage) throws Failure {
        if (words.length > 3) {
            throw extraneous(words[0]);
        }
        if (words.length < 2) {
            throw new Failure("usage: " + usage);
        }
        if (words.length == 3) {
            for (Netdev n : netdevs.get()) {
                if (n.id().equals(words[1])) {
                    if (n instanceof UsernetNetdev user) {
                        return user;
                    }
                    throw new Failure("invalid device specified");
                }
            }
            throw new Failure("unrecognized netdev id '" + words[1] + "'");
        }
        for (Netdev n : netdevs.get()) {
            if (n instanceof UsernetNetdev user) {
                return user;
            }
        }
        throw new Failure("user mode network stack not in use");
    }

    /**
     * {@code [tcp|udp]:[hostaddr]:hostport}, an IPv6 address in brackets (and nothing else, as in {@code hostfwd});
     * no address is 127.0.0.1 as in hostfwd.
     */
    private record Source(boolean udp, IpAddress address, int port) {
        static Source parse(String text) {
            int colon = text.indexOf(':');
            if (colon < 0) {
                return null;
            }
            String protocol = text.substring(0, colon);
            if (!protocol.isEmpty() && !protocol.equals("tcp") && !protocol.equals("udp")) {
                return null;
            }
            String rest = text.substring(colon + 1);
            int portAt = rest.startsWith("[") ? rest.indexOf("]:") + 2 : rest.indexOf(':') + 1;
            if (portAt <= 0 || (rest.startsWith("[") && portAt == 1)) {
                return null;
            }
            String host = rest.substring(0, portAt - 1);
            if (host.startsWith("[")) {
                host = host.substring(1, host.length() - 1);
                if (host.indexOf(':') < 0) {
                    return null; // brackets hold an IPv6 address, as in hostfwd_add: "[]" is not 127.0.0.1
                }
            }
            try {
                IpAddress address = host.isEmpty() ? IpAddress.IPV4_LOOPBACK : IpAddress.parse(host);
                int port = Integer.parseInt(rest.substring(portAt));
                return port < 0 || port > 65535 ? null : new Source(protocol.equals("udp"), address, port);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
