package io.vnet4j.control;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Talks to a running vnet4j's control socket: one QMP command, one answer. Every wait (the connect with
 * the greeting, each answer) is bounded: a daemon that cannot take the connection (out of file
 * descriptors, its accept retried every second; or stopped) leaves the connection in its listen queue, and
 * without a bound the client would wait for ever, saying nothing. When no greeting comes within {@link
 * #GREETING_GRACE} the client sends its {@code qmp_capabilities} first: a daemon answers it after its greeting, a
 * socket that waits for its client (a slirp4netns API socket) answers it instead, and is named.
 */
public final class ControlClient implements AutoCloseable {
    /** Answers (query-network of a busy network) can be far longer than the server accepts in a command. */
    static final int MAX_ANSWER = 64 * 1024 * 1024;
    /** How long a wait may take by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long the greeting may take before the client speaks first: QEMU and a daemon greet as they accept, a
     * slirp4netns API socket waits for its client's request (and slirp4netns 1.2's whole loop waits with it, in
     * api.c's read).
     */
    static final Duration GREETING_GRACE = Duration.ofMillis(200);

    private final Path path;
    private final Duration timeout;
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    /** Whether the client sent its qmp_capabilities before a greeting came ({@link #firstLine}). */
    private boolean negotiatedEarly;
    /** The answer to the client's qmp_capabilities. */
    private Map<?, ?> negotiation;

    /**
     * Connects, reads the greeting and negotiates capabilities.
     *
     * @param timeout the longest each wait may take; {@link Duration#ZERO}: no bound
     * @throws IOException one line for the user: the socket cannot be reached, or no greeting came in time
     */
    public ControlClient(Path path, Duration timeout) throws IOException {
        this.path = path;
        this.timeout = timeout;
        try {
            io.vnet4j.os.SocketFiles.refuseTooLong(path);
        } catch (IOException e) {
            throw new IOException("cannot reach the control socket " + e.getMessage(), e);
        }
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            within(() -> channel.connect(UnixDomainSocketAddress.of(path)), QUEUE_FULL);
        } catch (IOException e) {
            channel.close();
            String notASocket = e instanceof NoAnswerException ? null : io.vnet4j.os.SocketFiles.notASocket(path);
            throw e instanceof NoAnswerException ? e
                    : notASocket != null ? new IOException("cannot reach the control socket " + path + ": it is " + notASocket
                            + ", not a socket", e)
                    : new IOException("cannot reach the control socket " + path + " (is vnet4j running?): " + e.getMessage(), e);
        }
        in = new BufferedInputStream(Channels.newInputStream(channel), 8192);
        out = Channels.newOutputStream(channel);
        String greeting;
        try {
            greeting = firstLine();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        Object first = greeting == null ? null : parse(greeting);
        Map<?, ?> banner = first instanceof Map<?, ?> m && m.containsKey("QMP") ? m : null;
        if (banner == null) {
            channel.close();
            // a VM's stream socket or a slirp4netns API socket, say: the user named the wrong file
            throw new IOException(greeting == null
                    ? path + " closed the connection without a greeting: is it a vnet4j control socket?"
                    : negotiatedEarly && slirp4netnsError(first)
                    ? path + " is not a vnet4j control socket: it answered ctl's qmp_capabilities with no greeting first, "
                            + "as a slirp4netns API socket (--api-socket) does: '" + excerpt(greeting) + "'"
                    : path + " is not a vnet4j control socket: it greeted with '" + excerpt(greeting) + "'");
        }
        String vmPackage = foreignPackage(banner);
        if (vmPackage != null) {
            channel.close();
            // QEMU's own QMP socket greets as a daemon does: a command sent there would act on the VM (netdev_add,
            // netdev_del, set_link are QEMU's commands too), so none is (QEMU greets as it accepts: the early
            // qmp_capabilities, which changes nothing, went only to one that greeted late)
            throw new IOException(path + " is not a vnet4j control socket: it greeted as QEMU's QMP monitor does (package '"
                    + excerpt(vmPackage) + "'); " + (negotiatedEarly ? "only qmp_capabilities was" : "nothing was") + " sent to it");
        }
        try {
            negotiation = negotiatedEarly ? answer() : execute(Map.of("execute", "qmp_capabilities"));
        } catch (IOException e) {
            channel.close(); // no one else can: the constructor throws
            throw e;
        }
    }

    /**
     * The first line the socket sends, bounded by the time-out: a greeting, which QEMU and a daemon send as they
     * accept; when none came within {@link #GREETING_GRACE}, the client sends its qmp_capabilities
     * ({@link #negotiatedEarly}), and the line is then a late daemon's greeting or the answer of a socket that waits
     * for its client's request; null when the socket closed without a line.
     */
    private String firstLine() throws IOException {
        FutureTask<String> read = new FutureTask<>(() -> ControlServer.readLine(in, MAX_ANSWER));
        Thread.ofVirtual().name("vnet4j-ctl-greeting").start(read);
        try {
            try {
                return read.get(GREETING_GRACE.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // nothing yet: the client speaks first
            }
            try {
                out.write(NEGOTIATION);
                out.flush();
                negotiatedEarly = true;
            } catch (IOException e) {
                // the socket closed: the read says so
            }
            return timeout.isZero() ? read.get() : read.get(timeout.minus(GREETING_GRACE).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            channel.close(); // ends the read
            throw noAnswer(TAKE);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(path + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
            throw new java.io.InterruptedIOException("interrupted while waiting for " + path + "'s greeting");
        }
    }

    /** The capabilities negotiation, as a line. */
    private static final byte[] NEGOTIATION = "{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.UTF_8);

    /**
     * Whether an answer is a slirp4netns API socket's refusal, as api.c writes it: {@code {"error":{"desc":"..."}}},
     * with no QMP error class.
     */
    private static boolean slirp4netnsError(Object answer) {
        return answer instanceof Map<?, ?> m && m.get("error") instanceof Map<?, ?> error && error.get("desc") instanceof String
                && !error.containsKey("class");
    }

    /** The answer to the capabilities negotiation the client ran as it connected ({@code {"return":{}}}). */
    public Map<?, ?> negotiation() {
        return negotiation;
    }

    /**
     * Sends one command and returns the parsed answer ({@code {"return":...}} or {@code {"error":...}}).
     *
     * @throws IOException one line for the user, naming the socket: it closed, did not answer in time, or
     *     answered with something other than a JSON object
     */
    public Map<?, ?> execute(Map<String, ?> command) throws IOException {
        try {
            out.write((Json.write(command) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new IOException(path + " closed the connection (" + e.getMessage() + ")", e);
        }
        return answer();
    }

    /**
     * Reads the answer to a command sent, keeping the QMP events before it for {@link #nextEvent} (a stream
     * netdev's, which come to every negotiated session, and quit's SHUTDOWN, which QEMU 7.2 sends before quit's
     * answer).
     */
    private Map<?, ?> answer() throws IOException {
        while (true) {
            String line = within(() -> ControlServer.readLine(in, MAX_ANSWER), ANSWER);
            if (line == null) {
                throw new IOException(path + " closed the connection without an answer");
            }
            if (!(parse(line) instanceof Map<?, ?> answer)) {
                throw new IOException(path + " answered with what is not a QMP reply: '" + excerpt(line) + "'");
            }
            if (!isEvent(answer)) {
                return answer;
            }
            if (passedOver.size() < MAX_KEPT_EVENTS) {
                passedOver.add(answer);
            }
        }
    }

    /** The most events kept while an answer is awaited; more are not kept (a command's wait sees few). */
    private static final int MAX_KEPT_EVENTS = 1024;
    /** The events read before an answer, oldest first, for {@link #nextEvent}. */
    private final java.util.ArrayDeque<Map<?, ?>> passedOver = new java.util.ArrayDeque<>();

    private static boolean isEvent(Map<?, ?> message) {
        return message.containsKey("event") && !message.containsKey("return") && !message.containsKey("error");
    }

    /**
     * The next QMP event ({@code {"timestamp": ..., "event": NAME, "data": ...}}), waiting for it as long as it
     * takes: first those read while an answer was awaited. Other lines (none come between commands) are passed over.
     *
     * @return the event, or null when the daemon closed the connection (it stopped)
     * @throws IOException when the connection fails
     */
    public Map<?, ?> nextEvent() throws IOException {
        if (!passedOver.isEmpty()) {
            return passedOver.removeFirst();
        }
        while (true) {
            String line = ControlServer.readLine(in, MAX_ANSWER);
            if (line == null) {
                return null;
            }
            if (parse(line) instanceof Map<?, ?> message && isEvent(message)) {
                return message;
            }
        }
    }

    /**
     * The package a QMP greeting names when it is not a vnet4j daemon's ({@code "vnet4j VERSION"}, as {@link
     * ControlServer#versionInfo} writes it); null for a daemon's greeting.
     */
    static String foreignPackage(Map<?, ?> banner) {
        Object qmp = banner.get("QMP");
        Object version = qmp instanceof Map<?, ?> q ? q.get("version") : null;
        Object pkg = version instanceof Map<?, ?> v ? v.get("package") : null;
        if (pkg instanceof String s && s.startsWith("vnet4j ")) {
            return null;
        }
        return pkg instanceof String s ? s : String.valueOf(pkg);
    }

    /** A line's JSON value, or null when it is not JSON. */
    private static Object parse(String line) {
        try {
            return Json.parse(line.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The start of a line a peer sent, printable (no control characters reach the terminal). */
    private static String excerpt(String line) {
        String text = line.strip();
        return io.vnet4j.base.Log.printable(text.length() > 80 ? text.substring(0, 80) + "..." : text);
    }

    /** Why a connect waits: the listen queue is full, said when the connect does not end in time. */
    private static final String QUEUE_FULL = "the daemon did not take the connection, its listen queue full: one out of file "
            + "descriptors cannot (its log says \"accept failed\"), nor a stopped one";
    /** Why no greeting came, said when none does in time. */
    private static final String TAKE = "no greeting came: the daemon did not take the connection: one out of file descriptors "
            + "cannot (its log says \"accept failed\"), nor a stopped one; or this is not a vnet4j control socket but one that "
            + "waits and says nothing (a VM's stream socket)";
    /** Said when a daemon that took the connection does not answer a command in time. */
    private static final String ANSWER = "the daemon took the connection but did not answer the command";

    /**
     * One blocking call on the channel, interrupted (which closes the channel) when it takes longer than the
     * bound; {@code why} says what that means in the line for the user.
     */
    private <T> T within(Wait<T> wait, String why) throws IOException {
        if (timeout.isZero()) {
            return wait.call();
        }
        Thread caller = Thread.currentThread();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout);
                caller.interrupt();
            } catch (InterruptedException e) {
                // the wait ended in time
            }
        });
        try {
            return wait.call();
        } catch (ClosedByInterruptException e) {
            throw noAnswer(why);
        } finally {
            watchdog.interrupt();
            try {
                watchdog.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Thread.interrupted(); // a time-out that fired just as the wait ended
        }
    }

    /** The time-out's one line, {@code why} saying what its wait was for. */
    private NoAnswerException noAnswer(String why) {
        return new NoAnswerException("no answer on " + path + " within " + timeout.toSeconds() + " s: " + why
                + " (--timeout SECONDS waits longer)");
    }

    @FunctionalInterface
    private interface Wait<T> {
        T call() throws IOException;
    }

    /** No answer within the time-out. */
    private static final class NoAnswerException extends IOException {
        NoAnswerException(String message) {
            super(message);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
