package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Requests as QEMU's JSON streamer splits them (qobject/json-streamer.c). */
class QmpRequestReaderTest {
    private static QmpRequestReader reader(String text, int maxBytes) {
        return new QmpRequestReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), maxBytes);
    }

    @Test
    void objectsEndWhereTheirBracesBalanceWhateverTheNewlines() throws IOException {
        QmpRequestReader r = reader(" {\"a\":1}{\"b\":[2,{}]}\n\n{\n \"c\": \"}\\\"{\"\n}\r\n[1]", 1024);
        assertThat(r.next()).isEqualTo("{\"a\":1}");
        assertThat(r.next()).isEqualTo("{\"b\":[2,{}]}");
        assertThat(r.next()).isEqualTo("{\n \"c\": \"}\\\"{\"\n}");
        assertThat(r.next()).isEqualTo("[1]");
        assertThat(r.next()).isNull();
    }

    /**
     * Outside braces and brackets every token is a request, as QEMU's streamer emits one at a balance of zero: QEMU
     * 7.2 answers {@code 3 {"execute":"query-version"}} (no newline, as its Python client sends) with "QMP input must
     * be a JSON object", then the version. Taking such text to the end of its line held every later request of a
     * client that sends no newline unanswered.
     */
    @Test
    void outsideBracesEachTokenIsARequestAndWhatFollowsOnTheLineIsServed() throws IOException {
        QmpRequestReader r = reader("3 {\"a\":1}-1.5e3\"s}\"'t'true{}null[]", 1024);
        assertThat(r.next()).isEqualTo("3");
        assertThat(r.next()).isEqualTo("{\"a\":1}");
        assertThat(r.next()).isEqualTo("-1.5e3");
        assertThat(r.next()).isEqualTo("\"s}\"");
        assertThat(r.next()).isEqualTo("'t'");
        assertThat(r.next()).isEqualTo("true");
        assertThat(r.next()).isEqualTo("{}");
        assertThat(r.next()).isEqualTo("null");
        assertThat(r.next()).isEqualTo("[]");
        assertThat(r.next()).isNull();
    }

    /** QEMU 7.2's answers, checked: "invalid keyword 'foo'", "expecting value", "stray '@'". */
    @Test
    void aWordAStrayCloserOrAByteNoTokenStartsWithIsRefusedInQemusWords() throws IOException {
        QmpRequestReader r = reader("foo bar{\"a\":1}} ]@ skipped {\"b\":1}True{}\n{\"a\":", 1024);
        assertMalformed(r, "invalid keyword 'foo'");
        assertMalformed(r, "invalid keyword 'bar'");
        assertThat(r.next()).isEqualTo("{\"a\":1}");
        assertMalformed(r, "expecting value");
        assertMalformed(r, "expecting value");
        assertMalformed(r, "stray '@'");
        assertThat(r.next()).isEqualTo("{\"b\":1}");
        assertMalformed(r, "stray 'T'");
        assertThat(r.next()).isEqualTo("{}");
        assertThat(r.next()).isEqualTo("{\"a\":");
        assertThat(r.next()).isNull();
    }

    /** A number or word at the end of what the client sent is answered once the byte after it comes, as in QEMU. */
    @Test
    void theByteThatEndsANumberIsKeptForTheNextRequest() throws IOException {
        QmpRequestReader r = reader("12{\"a\":1}", 1024);
        assertThat(r.next()).isEqualTo("12");
        assertThat(r.next()).isEqualTo("{\"a\":1}");
        assertThat(r.next()).isNull();
    }

    private static void assertMalformed(QmpRequestReader r, String message) {
        assertThatThrownBy(r::next).isInstanceOf(QmpRequestReader.Malformed.class).hasMessage(message);
    }

    @Test
    void nothingIsReadPastARequestsLastByte() throws IOException {
        byte[] request = "{\"execute\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        InputStream waitsForTheAnswer = new InputStream() {
            private int at;

            @Override
            public int read() {
                if (at == request.length) {
                    throw new AssertionError("read past the request");
                }
                return request[at++];
            }
        };
        assertThat(new QmpRequestReader(waitsForTheAnswer, 1024).next()).isEqualTo("{\"execute\":\"x\"}");
    }

    @Test
    void aRequestOverTheLimitIsReadToItsEndAndTheNextOneServed() throws IOException {
        QmpRequestReader r = reader("{\"a\":\"" + "x".repeat(100) + "\"} {\"b\":1} " + "y".repeat(100) + "\n{}", 32);
        assertThatThrownBy(r::next).isInstanceOf(QmpRequestReader.TooLong.class)
                .hasMessage("request longer than 32 bytes");
        assertThat(r.next()).isEqualTo("{\"b\":1}");
        assertThatThrownBy(r::next).isInstanceOf(QmpRequestReader.TooLong.class);
        assertThat(r.next()).isEqualTo("{}");
    }

    /**
     * QEMU 7.2 answers {@code {"exec<LF>} with "JSON parse error, stray '"exec\n'" and serves the next request: its
     * lexer (qobject/json-lexer.c) errs at a control character in a string, at one other than white space outside
     * them, and at the bytes 0xFE and 0xFF, which UTF-8 never has (qmp-spec: how a client forces the parser back
     * into a known state). Counting on to a balance there took the client's next requests into the broken one.
     * After the error QEMU skips to the next brace, bracket or control character: {@code {"d":"x<TAB>y"}} is
     * two errors, "stray '"x\t'" and, for its last brace, "expecting value" (QEMU 7.2, checked).
     */
    @Test
    void aByteQemusLexerErrsAtEndsTheRequestThereAndTheNextOneIsServed() throws IOException {
        byte[] bytes = bytes("{\"exec\n{\"execute\":\"a\"} {\"b\":1\n\u0001{\"execute\":\"b\"} {\"c\":1 ",
                0xff, "{\"execute\":\"c\"} {\"d\":\"x\ty\"}\n{\"e\":[\"\\", 0x1b, "{\"execute\":\"e\"}");
        QmpRequestReader r = new QmpRequestReader(new ByteArrayInputStream(bytes), 1024);
        assertMalformed(r, "stray '\"exec\n'");
        assertThat(r.next()).isEqualTo("{\"execute\":\"a\"}");
        assertMalformed(r, "stray '\u0001'");
        assertThat(r.next()).isEqualTo("{\"execute\":\"b\"}");
        assertMalformed(r, "stray '\ufffd'");
        assertThat(r.next()).isEqualTo("{\"execute\":\"c\"}");
        assertMalformed(r, "stray '\"x\t'");
        assertMalformed(r, "expecting value");
        assertMalformed(r, "stray '\"\\\u001b'");
        assertThat(r.next()).isEqualTo("{\"execute\":\"e\"}");
        assertThat(r.next()).isNull();
    }

    /** UTF-8 text and single bytes, in order. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }
}
