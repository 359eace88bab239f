package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.usernet.dns.DnsTcpFraming;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;

/**
 * A guest's (or an upstream's) byte stream of DNS messages over TCP ({@link DnsTcpFraming}): reading never
 * throws but {@link EOFException} at a message cut short, takes exactly the lengths said, and the messages
 * read, written again, give back the stream up to where reading stopped.
 */
class DnsTcpFramingFuzzTest {
    @FuzzTest
    void messagesAreTheLengthsSaid(byte[] stream) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(stream);
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        int consumed = 0;
        try {
            for (byte[] m; (m = DnsTcpFraming.read(in)) != null; ) {
                assertThat(m.length).isEqualTo((stream[consumed] & 0xff) << 8 | stream[consumed + 1] & 0xff);
                consumed += 2 + m.length;
                DnsTcpFraming.write(Channels.newChannel(again), m);
            }
            assertThat(consumed).as("read to the end").isEqualTo(stream.length);
        } catch (EOFException e) {
            assertThat(stream.length - consumed).as("a message cut short").isLessThan(
                    stream.length - consumed < 2 ? 2 : 2 + ((stream[consumed] & 0xff) << 8 | stream[consumed + 1] & 0xff));
        }
        byte[] written = again.toByteArray();
        assertThat(written).isEqualTo(java.util.Arrays.copyOf(stream, consumed));
    }
}
