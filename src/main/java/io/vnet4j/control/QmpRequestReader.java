package io.vnet4j.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a control-socket client's bytes into requests as QEMU's JSON streamer does (qobject/json-streamer.c):
 * a request that starts with {@code {} or {@code [} ends where its braces and brackets balance outside
 * strings, whether a newline follows or not, so several may share a line and one may span lines (QEMU's
 * Python QMP client sends no newline). Outside them every JSON token is a request of its own, as in QEMU: a
 * number, a string, {@code true}, {@code false} or {@code null} (whose answer is "QMP input must be a JSON
 * object"); a word that is none of those, a stray {@code }} or {@code ]} and a byte that starts no token are
 * refused with {@link Malformed} in QEMU's words. A number or word ends at the first byte that cannot
 * continue it, which is read then but kept for the next request. White space between requests is skipped.
 * Nothing is read past a request's last byte (but for that one), so a client that waits for its answer gets it.
 *
 * <p>A byte at which QEMU's lexer (qobject/json-lexer.c) errs ends the request there with {@link Malformed},
 * "stray" and the token it broke, as QEMU answers it: a control character in a string, one other than tab,
 * CR and LF outside them, and the bytes 0xFE and 0xFF, which UTF-8 never has (how a client forces QEMU's parser
 * back into a known state, docs/interop/qmp-spec). What follows such an error is skipped, as QEMU's lexer skips
 * it, up to the next brace or bracket, control character, 0xFE or 0xFF.
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

    /** Input QEMU's JSON lexer or parser refuses before it has a value; the message is QEMU's, after "JSON parse error, ". */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final int maxBytes;
    /** A byte read that belongs to the next request, or -1. */
    private int pending = -1;
    /** After a lexical error: skip to where QEMU's lexer starts afresh. */
    private boolean recovering;

    QmpRequestReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    private int read() throws IOException {
        if (pending >= 0) {
            int b = pending;
            pending = -1;
            return b;
        }
        return in.read();
    }

    /**
     * The next request's text (UTF-8), null at the end of the stream; one cut short by the end of the stream
     * is returned as it is.
     *
     * @throws TooLong for a request over the limit (the stream then stands after it)
     * @throws Malformed for input QEMU refuses before parsing a value (the stream then stands after it)
     */
    String next() throws IOException {
        int b = read();
        if (recovering) { // json-lexer.c's IN_RECOVERY
            while (b >= 0 && !(b < 0x20 && b != '\t' || b >= 0xfe || b == '{' || b == '}' || b == '[' || b == ']')) {
                b = read();
            }
            recovering = false;
        }
        while (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
            b = read();
        }
        if (b < 0) {
            return null;
        }
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        boolean tooLong = false;
        if (b == '}' || b == ']') {
            throw new Malformed("expecting value");
        }
        if (b == '-' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z') {
            boolean word = b >= 'a';
            while (b >= 0 && (word ? b >= 'a' && b <= 'z' : b >= '0' && b <= '9' || b == '.' || b == 'e'
                    || b == 'E' || b == '+' || b == '-')) {
                if (request.size() < maxBytes) {
                    request.write(b);
                } else {
                    tooLong = true;
                }
                b = read();
            }
            pending = b;
            if (tooLong) {
                throw new TooLong(maxBytes);
            }
            String token = request.toString(StandardCharsets.UTF_8);
            if (word && !token.equals("true") && !token.equals("false") && !token.equals("null")) {
                throw new Malformed("invalid keyword '" + token + "'");
            }
            return token;
        }
        if (b != '{' && b != '[' && b != '"' && b != '\'') { // no token starts so
            recovering = true;
            request.write(b);
            throw new Malformed("stray '" + request.toString(StandardCharsets.UTF_8) + "'");
        }
        int depth = 0;
        int quote = 0; // the open string's quote (QEMU takes single-quoted strings too), or 0
        int stringStart = 0; // where it began in the request
        boolean escaped = false;
        while (b >= 0) {
            if (request.size() < maxBytes) {
                request.write(b);
            } else {
                tooLong = true;
            }
            if (lexicalError(b, quote != 0)) {
                recovering = true;
                if (tooLong) {
                    throw new TooLong(maxBytes);
                }
                byte[] text = request.toByteArray();
                int from = quote != 0 ? stringStart : text.length - 1;
                throw new Malformed("stray '" + new String(text, from, text.length - from, StandardCharsets.UTF_8) + "'");
            } else if (quote != 0) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == quote) {
                    quote = 0;
                    if (depth == 0) {
                        break; // a string alone
                    }
                }
            } else if (b == '"' || b == '\'') {
                quote = b;
                stringStart = request.size() - 1;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if ((b == '}' || b == ']') && --depth == 0) {
                break;
            }
            b = read();
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
