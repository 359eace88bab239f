package io.vnet4j.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a control-socket client's bytes into requests as QEMU's JSON streamer does (qobject/json-streamer.c):
 * a request that starts with {@code {} or {@code [} ends where its braces and brackets balance outside
 * strings, whether a newline follows or not, so several may share a line and one may span lines (QEMU's
 * Python QMP client sends no newline). Any other text, up to the end of its line, is one request, whose
 * answer is the parse error. White space between requests is skipped. Nothing is read past a request's
 * last byte, so a client that waits for its answer gets it.
 *
 * <p>A byte at which QEMU's lexer (qobject/json-lexer.c) errs ends a request that starts with a brace or bracket at
 * once, as QEMU answers its parse error there and reads what follows afresh: a control character in a string,
 * one other than tab, CR and LF outside them, and the bytes 0xFE and 0xFF, which UTF-8 never has (how a client
 * forces QEMU's parser back into a known state, docs/interop/qmp-spec).
 *
 * <p>At most {@code maxBytes} of a request are kept: a longer one is read to its end and refused with
 * {@link TooLong}, and the next request is read as usual.
 */
final class QmpRequestReader {
    /** A request longer than the limit, read to its end and dropped. */
    static final class TooLong extends IOException {
        TooLong(int maxBytes) {
            super("request longer than " + maxBytes + " bytes");
        }
    }

    private final InputStream in;
    private final int maxBytes;

    QmpRequestReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /**
     * The next request's text (UTF-8), null at the end of the stream; one cut short by the end of the stream
     * is returned as it is.
     *
     * @throws TooLong for a request over the limit (the stream then stands after it)
     */
    String next() throws IOException {
        int b = in.read();
        while (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
            b = in.read();
        }
        if (b < 0) {
            return null;
        }
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        boolean tooLong = false;
        boolean structured = b == '{' || b == '[';
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        while (b >= 0) {
            if (request.size() < maxBytes) {
                request.write(b);
            } else {
                tooLong = true;
            }
            if (!structured) {
                if (b == '\n') {
                    break;
                }
            } else if (lexicalError(b, inString)) {
                break;
            } else if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if ((b == '}' || b == ']') && --depth == 0) {
                break;
            }
            b = in.read();
        }
        if (tooLong) {
            throw new TooLong(maxBytes);
        }
        return request.toString(StandardCharsets.UTF_8);
    }

    /** Whether QEMU's JSON lexer errs at byte {@code b}, in a string or outside one. */
    private static boolean lexicalError(int b, boolean inString) {
        return b == 0xfe || b == 0xff || b < 0x20 && (inString || b != '\t' && b != '\r' && b != '\n');
    }
}
