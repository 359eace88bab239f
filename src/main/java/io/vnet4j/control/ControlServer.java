package io.vnet4j.control;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.InternalErrors;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.config.ConfigException;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.NetdevEvents;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.SocketFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control socket: a unix socket (mode 0600) speaking QMP-style JSON, requests split as QEMU splits
 * them ({@link QmpRequestReader}: with or without newlines), one answer per line.
 * On connect the server sends {@code {"QMP":{...}}}; a client's commands run once it sent {@code qmp_capabilities}
 * (QMP's negotiation, as QEMU's); it answers {@code qmp_capabilities},
 * {@code query-network}, {@code query-version} and {@code human-monitor-command} with the HMP commands of
 * {@link HumanMonitor} ({@code info network}, {@code hostfwd_add}, {@code hostfwd_remove}, ...), and QEMU's other
 * network commands (netdev_add, netdev_del, set_link, object-add/-del of a filter-dump, quit): an HMP command's text is the
 * "return", with QEMU's line ends (CR LF), that of one that fails too, as QEMU's; {@code ctl} asks for a failure as a
 * GenericError instead ({@code "x-failure-as-error": true}, vnet4j's own argument), so that it can exit with a status
 * that says so. It removes its socket file on close only while the file is still the one it bound.
 *
 * <p>Events go to every session that negotiated capabilities, as QEMU's monitors all hear them: SHUTDOWN after a
 * {@code quit}, and the netdevs' own ({@link #netdevEvents}: a {@code stream} netdev's NETDEV_STREAM_CONNECTED and
 * NETDEV_STREAM_DISCONNECTED). A netdev's event waits for no client: each session has a queue and a thread that
 * sends from it in order; a client that stops reading has its events dropped once {@value #EVENT_BACKLOG} wait,
 * and the count said when its session ends.</p>
 */
public final class ControlServer implements AutoCloseable {
    static final int MAX_REQUEST = 64 * 1024;
    /** How long a quit waits for its SHUTDOWN event to reach the other sessions, in all. */
    static final long EVENT_WAIT_MILLIS = 1000;
    /** The most events a session holds for a client that is slow to read them; more are dropped and counted. */
    static final int EVENT_BACKLOG = 256;

    /**
     * {@code human-monitor-command}'s argument (vnet4j's own, which QEMU refuses as unexpected) that asks for an HMP
     * command's failure as a GenericError with QEMU's line, not as the text QEMU's monitor prints for it.
     */
    public static final String FAILURE_AS_ERROR = "x-failure-as-error";

    private final Path path;
    private final Supplier<List<Netdev>> netdevs;
    private final NetworkChanges changes;
    private final String version;
    /** A request that failed on a bug: said and counted, and answered with an error; the session goes on. */
    private final InternalErrors internalErrors = new InternalErrors("control socket");
    /** The sessions that negotiated capabilities, which events go to (QMP's command mode, as QEMU's monitor/qmp.c). */
    private final Set<Session> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Every client's connection, which {@link #close} closes: its client then reads the end, as at QEMU's exit. */
    private final Set<SocketChannel> clients = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private ServerSocketChannel server;
    private OwnedFile socketFile;
    private volatile boolean closed;

    /** A server that reports and changes forwards but adds and removes no netdevs. */
    public ControlServer(Path path, Supplier<List<Netdev>> netdevs, String version) {
        this(path, netdevs, NetworkChanges.NONE, version);
    }

    public ControlServer(Path path, Supplier<List<Netdev>> netdevs, NetworkChanges changes, String version) {
        this.path = path;
        this.netdevs = netdevs;
        this.changes = changes;
        this.version = version;
    }

    /**
     * Binds the socket (replacing only a stale one, see {@link SocketFiles#prepare}) and starts answering.
     *
     * @throws SocketFiles.InUseException when something answers on the path already
     * @throws IOException when it cannot bind there (the message names the path)
     */
    public void start() throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socketFile = SocketFiles.bind(channel, path);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (SocketFiles.InUseException e) {
            channel.close();
            throw e;
        } catch (IOException e) {
            channel.close();
            throw new IOException("control socket " + SocketFiles.whyNamingPath(path, e), e);
        }
        server = channel;
        Thread.ofVirtual().name("vnet4j-control").start(() -> Acceptor.acceptUntilClosed(server, () -> closed,
                client -> Thread.ofVirtual().name("vnet4j-control-client").start(() -> serve(client)),
                line -> Log.warn("control socket: " + line)));
    }

    /** The words the human monitor's commands begin with (for shell completion; see {@code HumanMonitor.words}). */
    public static List<String> hmpWords() {
        return HumanMonitor.words();
    }

    /**
     * QAPI's VersionInfo, of the greeting and {@code query-version}: {@code qemu} (a VersionTriple: major, minor,
     * micro) and {@code package}, both required by the schema (qapi/control.json); strict clients (typed QMP
     * libraries) refused a greeting without {@code qemu}. The triple is vnet4j's own version, 0.0.0 when that
     * does not start with one ({@code 0.1.0-SNAPSHOT} gives 0.1.0).
     */
    static Map<String, Object> versionInfo(String version) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+).*").matcher(version);
        boolean triple = m.matches() && m.group(1).length() < 10 && m.group(2).length() < 10 && m.group(3).length() < 10;
        return Map.of("qemu", Map.of("major", triple ? Long.parseLong(m.group(1)) : 0L,
                        "minor", triple ? Long.parseLong(m.group(2)) : 0L, "micro", triple ? Long.parseLong(m.group(3)) : 0L),
                "package", "vnet4j " + version);
    }

    /** The socket's path. */
    public Path path() {
        return path;
    }

    private void serve(SocketChannel client) {
        // buffered: the request reader takes a byte at a time, which was a system call each (a client's 1 MB
        // request cost 1.9 s of CPU to refuse, a helper measured)
        Session session = null;
        clients.add(client);
        if (closed) { // close() ran before the add
            Shutdown.closeQuietly(client);
        }
        try (client; InputStream in = new BufferedInputStream(Channels.newInputStream(client), 8192);
             OutputStream out = Channels.newOutputStream(client)) {
            session = new Session(out);
            session.send(Map.of("QMP", Map.of("version", versionInfo(version), "capabilities", List.of())));
            QmpRequestReader requests = new QmpRequestReader(in, MAX_REQUEST);
            while (true) {
                String request;
                try {
                    request = requests.next();
                } catch (QmpRequestReader.TooLong e) {
                    session.send(error("GenericError", e.getMessage()));
                    continue;
                } catch (QmpRequestReader.Malformed e) {
                    session.send(error("GenericError", "JSON parse error, " + e.getMessage()));
                    continue;
                }
                if (request == null) {
                    break;
                }
                session.answering.lock(); // the events a command raises come after its answer, as in QEMU
                try {
                    Map<String, Object> answer = answer(request, session);
                    if (session.quitting) {
                        // QEMU 7.2's order (checked): every session in command mode hears SHUTDOWN, the one that
                        // asked too, and only then does quit's answer come
                        broadcast(shutdownEvent());
                        session.send(answer);
                        changes.quit();
                        break;
                    }
                    session.send(answer);
                } finally {
                    session.answering.unlock();
                }
                if (session.negotiated && sessions.add(session)) { // only once its negotiation's answer is out: no event may come before it
                    session.startEvents();
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            clients.remove(client);
            if (session != null) { // null: the streams could not be made
                sessions.remove(session);
                session.stopEvents();
            }
        }
    }

    /**
     * Sends {@code event} to every session in command mode, each on a thread of its own, and waits at most
     * {@link #EVENT_WAIT_MILLIS} ms in all: a client that has stopped reading with its socket's buffer full holds up
     * nothing but its own copy, and one that has gone (ctl, once it read its answer) just misses it.
     */
    private void broadcast(Map<String, Object> event) {
        List<Thread> sends = sessions.stream().map(s -> Thread.ofVirtual().start(() -> s.sendQuietly(event))).toList();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(EVENT_WAIT_MILLIS);
        try {
            for (Thread send : sends) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !send.join(java.time.Duration.ofNanos(left))) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The netdevs' events as QMP's (qapi/net.json, QEMU 7.2): {@code NETDEV_STREAM_CONNECTED} with {@code netdev-id}
     * and {@code addr} (a {@link QmpSocketAddress}), {@code NETDEV_STREAM_DISCONNECTED} with {@code netdev-id}, queued
     * for every session in command mode; never blocks the netdev's thread.
     */
    public NetdevEvents netdevEvents() {
        return new NetdevEvents() {
            @Override
            public void streamConnected(String netdevId, SocketAddress address) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("netdev-id", netdevId);
                data.put("addr", QmpSocketAddress.of(address));
                post(event("NETDEV_STREAM_CONNECTED", data));
            }

            @Override
            public void streamDisconnected(String netdevId) {
                post(event("NETDEV_STREAM_DISCONNECTED", Map.of("netdev-id", netdevId)));
            }
        };
    }

    private void post(Map<String, Object> event) {
        for (Session session : sessions) {
            session.post(event);
        }
    }

    /** A QMP event as QEMU writes one (qapi/qmp-event.c): the time it happened, its name, its data. */
    private static Map<String, Object> event(String name, Map<String, Object> data) {
        java.time.Instant now = java.time.Instant.now();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("timestamp", Map.of("seconds", now.getEpochSecond(), "microseconds", (long) now.getNano() / 1000));
        event.put("event", name);
        event.put("data", data);
        return event;
    }

    /**
     * One connection: whether its client has negotiated capabilities ({@code qmp_capabilities}) yet, whether its last
     * command was {@code quit} (QMP's, or HMP's through {@code human-monitor-command}), and its output, which its own
     * answers and other sessions' events share, a message at a time.
     */
    private final class Session {
        private final HumanMonitor monitor = new HumanMonitor(netdevs, changes, () -> quitting = true, version);
        private final OutputStream out;
        /** The netdevs' events not yet sent, oldest first; {@link #sender} sends them. */
        private final BlockingQueue<Map<String, Object>> events = new ArrayBlockingQueue<>(EVENT_BACKLOG);
        private final AtomicLong eventsDropped = new AtomicLong();
        /**
         * Held while a command of the session's runs until its answer is out: the sender waits for it, so that an
         * event the command raised (a stream client's NETDEV_STREAM_CONNECTED on netdev_add, its peer's
         * DISCONNECTED on netdev_del) comes after the answer, as QEMU 7.2 sends it (checked), not before.
         */
        final java.util.concurrent.locks.ReentrantLock answering = new java.util.concurrent.locks.ReentrantLock();
        private Thread sender;
        private boolean negotiated;
        private boolean quitting;

        Session(OutputStream out) {
            this.out = out;
        }

        /** Starts sending the events queued for this session (once it is in command mode). */
        void startEvents() {
            sender = Thread.ofVirtual().name("vnet4j-control-events").start(() -> {
                try {
                    while (true) {
                        Map<String, Object> event = events.take();
                        answering.lockInterruptibly();
                        try {
                            send(event);
                        } finally {
                            answering.unlock();
                        }
                    }
                } catch (InterruptedException | IOException e) {
                    // the session ended, or its client went away
                }
            });
        }

        /** Queues {@code event}; dropped (and counted) when {@value #EVENT_BACKLOG} wait already. */
        void post(Map<String, Object> event) {
            if (!events.offer(event)) {
                eventsDropped.incrementAndGet();
            }
        }

        /** Stops the events' sender, and says how many events a client that did not read them missed. */
        void stopEvents() {
            if (sender != null) {
                sender.interrupt();
            }
            long dropped = eventsDropped.get();
            if (dropped > 0) {
                Log.warn("control socket: a client that stopped reading missed " + dropped + " events");
            }
        }

        synchronized void send(Object message) throws IOException {
            ControlServer.send(out, message);
        }

        /** An event: a session whose client went away or cannot take it just misses it. */
        void sendQuietly(Object message) {
            try {
                send(message);
            } catch (IOException e) {
                // its own thread ends the session
            }
        }
    }

    /**
     * The event QEMU sends on {@code quit}, before its answer (qapi/run-state.json SHUTDOWN; the reason host-qmp-quit
     * for QMP's and HMP's quit alike), to every session in command mode, the one that asked too.
     */
    private static Map<String, Object> shutdownEvent() {
        return event("SHUTDOWN", Map.of("guest", false, "reason", "host-qmp-quit"));
    }

    /**
     * Answers one request; never throws on bad input. A request's {@code "id"} comes back in its reply,
     * whatever its JSON type (QMP, docs/interop/qmp-spec.rst, "Issuing Commands"). A command that fails on a
     * bug is answered with an error, and the client's other requests are answered still (QEMU's monitor
     * keeps its session when one command fails).
     */
    private Map<String, Object> answer(String text, Session session) {
        Object request;
        try {
            request = Json.parse(text);
        } catch (IllegalArgumentException e) {
            return error("GenericError", "JSON parse error, " + e.getMessage()); // QEMU's start, Jackson's detail
        }
        Map<String, Object> reply;
        try {
            reply = answer(request, session);
        } catch (RuntimeException e) {
            internalErrors.record("a request was refused", e);
            reply = error("GenericError", "internal error: " + e);
        }
        if (request instanceof Map<?, ?> map && map.containsKey("id")) {
            reply = new LinkedHashMap<>(reply);
            reply.put("id", map.get("id"));
        }
        return reply;
    }

    /**
     * A request that is not an object, or has no string {@code execute}, is refused in QEMU's words
     * (qapi/qmp-dispatch.c). One whose shape is right runs only in its session's mode, as in QEMU's monitor/qmp.c:
     * until {@code qmp_capabilities} every other command is a CommandNotFound "Expecting capabilities negotiation
     * with 'qmp_capabilities'", and after it a second one is a CommandNotFound too (QEMU 7.2, checked).
     */
    private Map<String, Object> answer(Object request, Session session) {
        if (!(request instanceof Map<?, ?> map)) {
            return error("GenericError", "QMP input must be a JSON object");
        }
        // the members first, then whether there is a command, as qmp_dispatch_check_obj: {"exec-oob": ...} (OOB
        // is not offered) and {"foo": 1} are "unexpected" members, not a missing 'execute'
        for (Object key : map.keySet()) {
            if (key.equals("execute") && !(map.get(key) instanceof String)) {
                return error("GenericError", "QMP input member 'execute' must be a string");
            } else if (key.equals("arguments") && !(map.get(key) instanceof Map)) {
                return error("GenericError", "QMP input member 'arguments' must be an object");
            } else if (!key.equals("execute") && !key.equals("arguments") && !key.equals("id")) {
                return error("GenericError", "QMP input member '" + key + "' is unexpected");
            }
        }
        if (!(map.get("execute") instanceof String command)) {
            return error("GenericError", "QMP input lacks member 'execute'");
        }
        Map<String, Object> refused = unexpected(map, command);
        if (refused != null) {
            return refused;
        }
        if (!session.negotiated) {
            if (!command.equals("qmp_capabilities")) {
                return error("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
            }
            Map<String, Object> reply = capabilities(map.get("arguments"));
            session.negotiated = reply.containsKey("return");
            return reply;
        }
        return switch (command) {
            // its arguments are read first, as QEMU 7.2's marshaller does (checked): {"enable": null} is a type error
            // there too; a well-typed one is ignored, "oob" as well
            case "qmp_capabilities" -> {
                Map<String, Object> checked = capabilities(map.get("arguments"));
                yield checked.containsKey("error") && !checked.equals(OOB_NOT_AVAILABLE) ? checked
                        : error("CommandNotFound", "Capabilities negotiation is already complete, command ignored");
            }
            case "query-version" -> Map.of("return", versionInfo(version));
            case "query-network" -> Map.of("return", NetworkReport.query(netdevs.get()));
            case "human-monitor-command" -> humanCommand(map.get("arguments"), session);
            case "netdev_add" -> netdevAdd(map.get("arguments"));
            case "netdev_del" -> netdevDel(map.get("arguments"));
            case "set_link" -> setLink(map.get("arguments"));
            case "object-add", "object_add" -> objectAdd(map.get("arguments")); // QEMU's name; HMP's spelling too
            case "object-del", "object_del" -> objectDel(map.get("arguments"));
            case "query-commands" -> Map.of("return", COMMANDS.stream().map(name -> Map.of("name", name)).toList());
            case "quit" -> quit(session);
            default -> error("CommandNotFound", "The command " + command + " has not been found");
        };
    }

    /**
     * The arguments each command takes; a command not here (netdev_add, object-add) has its arguments checked
     * by its own parser.
     */
    private static final Map<String, Set<String>> ARGUMENTS = Map.of(
            "qmp_capabilities", Set.of("enable"), "query-version", Set.of(), "query-network", Set.of(),
            "query-commands", Set.of(), "human-monitor-command", Set.of("command-line", "cpu-index", FAILURE_AS_ERROR),
            "netdev_del", Set.of("id"), "set_link", Set.of("name", "up"), "object-del", Set.of("id"), "object_del", Set.of("id"),
            "quit", Set.of());

    /**
     * QEMU's refusals of a request's shape (qapi/qmp-dispatch.c, qobject-input-visitor.c): a member other
     * than execute, arguments and id, arguments that are not an object, an argument the command does not
     * take; null when there is none.
     */
    private static Map<String, Object> unexpected(Map<?, ?> request, String command) {
        Object arguments = request.get("arguments");
        Set<String> taken = ARGUMENTS.get(command);
        if (taken != null && arguments instanceof Map<?, ?> args) {
            for (Object key : args.keySet()) {
                if (!taken.contains(key)) {
                    return error("GenericError", "Parameter '" + key + "' is unexpected");
                }
            }
        }
        return null;
    }

    /** What {@code query-commands} lists. */
    static final List<String> COMMANDS = List.of("qmp_capabilities", "query-commands", "query-version", "query-network",
            "human-monitor-command", "netdev_add", "netdev_del", "set_link", "object-add", "object-del", "quit");

    /**
     * {@code qmp_capabilities} in negotiation: {@code enable} lists QMPCapability names to turn on, and none is offered
     * (the greeting's {@code capabilities} is empty), so any is refused with QEMU's words
     * (monitor/qmp-cmds-control.c, qapi/control.json). An element that is no QMPCapability is refused as QEMU 7.2's
     * input visitor words it, element by element: {@code enable[N]} when it is not a string, and 'null' (the
     * visitor's name for a list element) when it is a string but not {@code oob}.
     */
    private static Map<String, Object> capabilities(Object arguments) {
        if (!(arguments instanceof Map<?, ?> args) || !args.containsKey("enable")) {
            return Map.of("return", Map.of());
        }
        if (!(args.get("enable") instanceof List<?> names)) {
            return error("GenericError", "Invalid parameter type for 'enable', expected: array");
        }
        for (int i = 0; i < names.size(); i++) {
            if (!(names.get(i) instanceof String name)) {
                return error("GenericError", "Invalid parameter type for 'enable[" + i + "]', expected: string");
            }
            if (!name.equals("oob")) {
                return error("GenericError", "Parameter 'null' does not accept value '" + name + "'");
            }
        }
        return names.isEmpty() ? Map.of("return", Map.of()) : OOB_NOT_AVAILABLE;
    }

    private static final Map<String, Object> OOB_NOT_AVAILABLE = error("GenericError", "Capability oob not available");

    /**
     * QMP netdev_add: QEMU's Netdev arguments ({@link NetdevArguments}); {"return": {}} once it runs. A refusal says
     * what is wrong without the flattened option, which the client did not write, an id in use as QEMU's
     * "Duplicate ID 'ID'".
     */
    private Map<String, Object> netdevAdd(Object arguments) {
        if (!(arguments instanceof Map<?, ?> args)) {
            return error("GenericError", "Parameter 'id' is missing");
        }
        try {
            changes.add(NetdevArguments.toOption(args));
            return Map.of("return", Map.of());
        } catch (ConfigException e) {
            return error("GenericError", e.duplicateId() != null ? "Duplicate ID '" + e.duplicateId() + "'" : e.reason());
        } catch (IllegalArgumentException | IOException e) {
            return error("GenericError", Log.describe(e));
        }
    }

    /** The string argument {@code key}, or null when it is missing or not a string. */
    private static String string(Object arguments, String key) {
        return arguments instanceof Map<?, ?> args && args.get(key) instanceof String value ? value : null;
    }

    /**
     * Why {@link #string} gave null, in QEMU 7.2's words (its QMP input visitor's, checked): "Parameter 'KEY' is
     * missing", or, for any other JSON type, null too, "Invalid parameter type for 'KEY', expected: string".
     */
    private static Map<String, Object> notAString(Object arguments, String key) {
        boolean present = arguments instanceof Map<?, ?> args && args.containsKey(key);
        return error("GenericError", present ? "Invalid parameter type for '" + key + "', expected: string"
                : "Parameter '" + key + "' is missing");
    }

    /** QMP quit: the SHUTDOWN event, then {"return": {}}, then the daemon stops ({@link NetworkChanges#quit}). */
    private Map<String, Object> quit(Session session) {
        if (!changes.canQuit()) {
            return error("GenericError", "quit: this control socket's program is not stopped from it");
        }
        session.quitting = true;
        return Map.of("return", Map.of());
    }

    /** QMP netdev_del {"id": ID}: QEMU's DeviceNotFound when there is no such netdev. */
    private Map<String, Object> netdevDel(Object arguments) {
        String id = string(arguments, "id");
        if (id == null) {
            return notAString(arguments, "id");
        }
        return changes.remove(id) ? Map.of("return", Map.of()) : error("DeviceNotFound", HumanMonitor.deviceNotFound(id));
    }

    /** QMP set_link {"name": NAME, "up": BOOL} ({@link SetLink}): QEMU's DeviceNotFound when nothing is NAME. */
    private Map<String, Object> setLink(Object arguments) {
        String name = string(arguments, "name");
        if (name == null) {
            return notAString(arguments, "name");
        }
        Object up = ((Map<?, ?>) arguments).get("up");
        if (!(up instanceof Boolean value)) {
            return error("GenericError", up == null ? "Parameter 'up' is missing" : "Invalid parameter type for 'up', expected: boolean");
        }
        return SetLink.apply(netdevs.get(), name, value) ? Map.of("return", Map.of()) : error("DeviceNotFound", HumanMonitor.deviceNotFound(name));
    }

    /**
     * QMP object-add of a {@code filter-dump} ({@code {"qom-type": "filter-dump", "id": ..., "netdev": ...,
     * "file": ...}}, QEMU's flat arguments): a capture starts; {"return": {}}.
     */
    private Map<String, Object> objectAdd(Object arguments) {
        String type = string(arguments, "qom-type");
        if (type == null) {
            return notAString(arguments, "qom-type");
        }
        Map<?, ?> args = (Map<?, ?>) arguments;
        StringBuilder option = new StringBuilder(type);
        for (Map.Entry<?, ?> e : args.entrySet()) {
            if (e.getKey().equals("qom-type")) {
                continue;
            }
            if (!(e.getValue() instanceof String || e.getValue() instanceof Number || e.getValue() instanceof Boolean)) {
                return error("GenericError", "Parameter '" + e.getKey() + "' expects a string, number or boolean");
            }
            option.append(',').append(e.getKey().toString().replace(",", ",,")).append('=')
                    .append(e.getValue().toString().replace(",", ",,"));
        }
        try {
            changes.addCapture(option.toString());
            return Map.of("return", Map.of());
        } catch (ConfigException e) {
            return error("GenericError", e.reason()); // without the -object text, which the client did not write
        } catch (IOException e) {
            return error("GenericError", Log.describe(e));
        }
    }

    /** QMP object-del {"id": ID}: the capture stops and its file is complete. */
    private Map<String, Object> objectDel(Object arguments) {
        String id = string(arguments, "id");
        if (id == null) {
            return notAString(arguments, "id");
        }
        return changes.removeCapture(id) ? Map.of("return", Map.of())
                : error("GenericError", "object '" + id + "' not found");
    }

    /**
     * An HMP command line ({@link HumanMonitor}): what QEMU's monitor prints for it, its text or its failure's
     * ({@code "Error: Device 'x' not found\r\n"}), each line ending in CR LF as QEMU's monitor ends them
     * (monitor/monitor.c monitor_puts); a failure a GenericError when {@link #FAILURE_AS_ERROR} is true.
     */
    private Map<String, Object> humanCommand(Object arguments, Session session) {
        String commandLine = string(arguments, "command-line");
        if (commandLine == null) {
            return notAString(arguments, "command-line");
        }
        Map<?, ?> args = (Map<?, ?>) arguments;
        if (args.containsKey("cpu-index") && !(args.get("cpu-index") instanceof Long)) {
            return error("GenericError", "Invalid parameter type for 'cpu-index', expected: integer");
        }
        Object asError = args.get(FAILURE_AS_ERROR);
        if (asError != null && !(asError instanceof Boolean)) {
            return error("GenericError", "Invalid parameter type for '" + FAILURE_AS_ERROR + "', expected: boolean");
        }
        if (args.containsKey("cpu-index")) { // no CPU is one, as in a QEMU with none (-M none)
            return error("GenericError", "Parameter 'cpu-index' expects a CPU number");
        }
        commandLine = commandLine.trim();
        String text;
        try {
            text = session.monitor.run(commandLine);
        } catch (HumanMonitor.Failure e) {
            if (Boolean.TRUE.equals(asError)) {
                return error("GenericError", e.getMessage());
            }
            text = e.text();
        }
        return Map.of("return", text.replace("\n", "\r\n"));
    }

    private static Map<String, Object> error(String errorClass, String description) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("class", errorClass);
        e.put("desc", description);
        return Map.of("error", e);
    }

    private static void send(OutputStream out, Object message) throws IOException {
        out.write((Json.write(message) + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A line over the limit; the bytes after the limit are still unread. */
    private static final class LineTooLongException extends IOException {
        LineTooLongException(int maxBytes) {
            super("control line longer than " + maxBytes + " bytes");
        }
    }

    /** Reads one line of at most {@code maxBytes}; null at end of stream. */
    static String readLine(InputStream in, int maxBytes) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= maxBytes) {
                throw new LineTooLongException(maxBytes);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /**
     * Stops answering: the socket closes, every client's connection too (a client waiting for events, {@code ctl
     * --events}, reads the end, as when QEMU exits), and the socket file goes while it is still ours.
     */
    @Override
    public void close() {
        closed = true;
        Shutdown.closeQuietly(server);
        clients.forEach(Shutdown::closeQuietly);
        if (socketFile != null) {
            socketFile.delete();
        }
    }
}
