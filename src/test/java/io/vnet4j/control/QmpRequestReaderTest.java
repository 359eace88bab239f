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

    @Test
    void otherTextIsARequestToTheEndOfItsLineAndACutOneIsReturnedAsItIs() throws IOException {
        QmpRequestReader r = reader("hello there\n{\"a\":", 1024);
        assertThat(r.next()).isEqualTo("hello there\n");
        assertThat(r.next()).isEqualTo("{\"a\":");
        assertThat(r.next()).isNull();
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
     */
    @Test
    void aByteQemusLexerErrsAtEndsTheRequestThereAndTheNextOneIsServed() throws IOException {
        byte[] bytes = bytes("{\"exec\n{\"execute\":\"a\"} {\"b\":1\n\u0001{\"execute\":\"b\"} {\"c\":1 ",
                0xff, "{\"execute\":\"c\"} {\"d\":\"x\ty\"}\n{\"e\":[\"\\", 0x1b, "{\"execute\":\"e\"}");
        QmpRequestReader r = new QmpRequestReader(new ByteArrayInputStream(bytes), 1024);
        assertThat(r.next()).isEqualTo("{\"exec\n");
        assertThat(r.next()).isEqualTo("{\"execute\":\"a\"}");
        assertThat(r.next()).isEqualTo("{\"b\":1\n\u0001");
        assertThat(r.next()).isEqualTo("{\"execute\":\"b\"}");
        assertThat(r.next()).isEqualTo("{\"c\":1 \ufffd");
        assertThat(r.next()).isEqualTo("{\"execute\":\"c\"}");
        assertThat(r.next()).isEqualTo("{\"d\":\"x\t");
        assertThat(r.next()).isEqualTo("y\"}\n");
        assertThat(r.next()).isEqualTo("{\"e\":[\"\\\u001b");
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
