package io.vnet4j.base;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One-line messages for the operator. A library's lines go to the platform's {@link System.Logger} named
 * {@code io.vnet4j} (an embedding program routes them with its own {@code System.LoggerFinder}, or
 * java.util.logging's configuration); the command line writes them to standard error instead
 * ({@link #toStandardError}): {@code vnet4j: MESSAGE}, after an ISO 8601 time ({@code
 * 2026-11-30T11:31:02.123Z}) when standard error is not a terminal, or one JSON object per line
 * ({@code {"time":...,"level":"info","message":...}}). Control characters in a text line (a newline in an
 * option value, say) are written as escapes, so one message stays one line and nothing the user typed can
 * move the terminal's cursor. Standard error is written by a thread of its own ({@link StandardErrorLines}), so
 * that one which takes nothing holds up no thread that logs.
 */
public final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX")
            .withZone(ZoneOffset.UTC);
    /** How standard error shows the lines. */
    public enum Format {
        /** {@code vnet4j: MESSAGE}: for a terminal, and for one-line errors before the network runs. */
        TEXT,
        /** {@code TIME vnet4j: MESSAGE}, the time in ISO 8601 (UTC, milliseconds): for a log file or journal. */
        TEXT_WITH_TIME,
        /** {@code {"time": TIME, "level": "info"|"warning"|"error", "message": MESSAGE}}, one per line. */
        JSON
    }

    /** Made on first use, not at every start: the command line writes standard error itself. */
    private static final class Platform {
        static final System.Logger LOGGER = System.getLogger("io.vnet4j");
    }

    /** Made on first use: only --log-format=json writes JSON. */
    private static final class Json {
        /** Every non-ASCII character as a backslash-u escape: a line holds no C1 control or bidi override, as a text line. */
        static final JsonFactory FACTORY = JsonFactory.builder()
                .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII).build();
    }

    /** Null: the lines go to the System.Logger. */
    private static volatile Format standardError;
    /** Writes standard error's lines on a thread of its own ({@link StandardErrorLines}). */
    private static final StandardErrorLines LINES = new StandardErrorLines(() -> System.err, lost -> format(
            standardError == null ? Format.TEXT : standardError, System.Logger.Level.WARNING,
            lost + " log lines dropped: standard error took nothing for a while"));
    private static volatile boolean quiet;
    /** Bound while code runs whose informational lines would only confuse (the warm-up's private network). */
    private static final ScopedValue<Boolean> HUSHED = ScopedValue.newInstance();

    private Log() {}

    /** Writes every later line to standard error in {@code format} (the command line's choice), not to the System.Logger. */
    public static void toStandardError(Format format) {
        standardError = format;
    }

    public static void quiet(boolean q) {
        quiet = q;
    }

    /** Runs {@code task} with the informational lines this thread would print left out (warnings stay). */
    public static void hushed(Runnable task) {
        ScopedValue.where(HUSHED, true).run(task);
    }

    /**
     * {@code task}, run hushed if the caller is hushed now: for a thread the caller starts, which a scoped
     * value does not reach (the warm-up's private user network logs from its own loop thread).
     */
    public static Runnable hushedIfNow(Runnable task) {
        return HUSHED.orElse(false) ? () -> hushed(task) : task;
    }

    public static void info(String message) {
        if (!quiet && !HUSHED.orElse(false)) {
            write(System.Logger.Level.INFO, message);
        }
    }

    public static void warn(String message) {
        write(System.Logger.Level.WARNING, message);
    }

    /**
     * A warning about the host's set-up, which every network on it would repeat: left out while hushed, as the
     * warm-up's private network meets the same host as the real one, whose line says it once.
     */
    public static void warnOfHost(String message) {
        if (!HUSHED.orElse(false)) {
            write(System.Logger.Level.WARNING, message);
        }
    }

    /** An informational line printed even when quiet ("ready"). */
    public static void always(String message) {
        write(System.Logger.Level.INFO, message);
    }

    /** A message that ends the command (a bad option, a refusal), or must be seen: printed even when quiet. */
    public static void error(String message) {
        write(System.Logger.Level.ERROR, message);
    }

    private static void write(System.Logger.Level level, String message) {
        Format format = standardError;
        if (format == null) {
            Platform.LOGGER.log(level, message);
            return;
        }
        LINES.println(() -> format(format, level, message)); // stamped in the queue's order
    }

    /** {@code message} as a line of {@code format} (not null). */
    private static String format(Format format, System.Logger.Level level, String message) {
        String levelName = level == System.Logger.Level.WARNING ? "warning" : level == System.Logger.Level.ERROR ? "error" : "info";
        String time = time(Instant.now());
        return switch (format) {
            case TEXT -> text(levelName, message);
            case TEXT_WITH_TIME -> time + " " + text(levelName, message);
            case JSON -> json(time, levelName, message);
        };
    }

    /**
     * {@code instant} in ISO 8601, UTC, always with three digits of milliseconds ({@code
     * 2026-12-01T01:42:19.000Z}): {@link Instant#toString} leaves out a zero fraction, which made one line
     * in a thousand narrower than the others and broke parsers that expect the fraction.
     */
    static String time(Instant instant) {
        return TIME.format(instant);
    }

    private static String text(String level, String message) {
        return (level.equals("warning") ? "vnet4j: warning: " : "vnet4j: ") + printable(message);
    }

    private static String json(String time, String level, String message) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", time);
            g.writeStringField("level", level);
            g.writeStringField("message", message == null ? "(no message)" : message);
            g.writeEndObject();
        } catch (IOException e) {
            throw new AssertionError(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * What went wrong, in one line: the exception's message, or its kind when it has none. The JDK's file
     * exceptions carry only the path when the system gave no reason ({@code /x/y.pcap}): their kind is said.
     */
    public static String describe(Throwable e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException f when f.getReason() == null -> f.getFile() + ": no such file or directory";
            case java.nio.file.AccessDeniedException f when f.getReason() == null -> f.getFile() + ": permission denied";
            case java.nio.file.FileAlreadyExistsException f when f.getReason() == null -> f.getFile() + ": already exists";
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }

    /**
     * What went wrong with a file, without the file's path, for a line that names the file itself: a file system
     * exception's reason (the kernel's words, "Read-only file system"), else the JDK's kinds without one in words
     * ("no such file or directory", "permission denied", "already exists"), else {@link #describe}.
     */
    public static String reason(Throwable e) {
        return switch (e) {
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            case java.nio.file.NoSuchFileException f -> "no such file or directory";
            case java.nio.file.AccessDeniedException f -> "permission denied";
            case java.nio.file.FileAlreadyExistsException f -> "already exists";
            default -> describe(e);
        };
    }

    /**
     * {@code text} as one line that cannot act on a terminal: C0 and C1 control characters, DEL, Unicode's
     * line and paragraph separators and its invisible format characters (the bidirectional overrides of
     * CVE-2021-42574, say) as escapes (a newline as backslash-n, ESC as backslash-x1b, U+202E as
     * backslash-u202e); the text itself when it has none. Its result has none, so text escaped on its way
     * (a message that quotes what a user typed) is escaped once, not twice, when it is printed.
     */
    public static String printable(String text) {
        if (text == null) {
            return "(no message)";
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c <= 0xFF ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            }
        }
        return sb == null ? text : sb.toString();
    }

    private static boolean needsEscape(char c) {
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
            return true;
        }
        if (c < 0xA0) {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }
}
