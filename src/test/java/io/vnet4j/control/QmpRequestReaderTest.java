package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
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
}
