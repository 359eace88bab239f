package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.usernet.dns.ChunkedChannel;
import io.vnet4j.usernet.dns.DnsTcpFraming;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
        assertThat(written).isEqualTo(Arrays.copyOf(stream, consumed));
    }

    /**
     * The non-blocking {@link DnsTcpFraming.Reader}, given the stream in cuts of every size from 1 to 256 bytes (the
     * first byte says which), gives the messages the blocking read gives, then ends or is cut short as it is.
     */
    @FuzzTest
    void theNonBlockingReaderAgreesWithTheBlockingRead(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        int chunk = (input[0] & 0xff) + 1;
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        List<byte[]> blocking = new ArrayList<>();
        boolean cutShort = false;
        ByteArrayInputStream in = new ByteArrayInputStream(stream);
        try {
            for (byte[] m; (m = DnsTcpFraming.read(in)) != null; ) {
                blocking.add(m);
            }
        } catch (EOFException e) {
            cutShort = true;
        }
        ChunkedChannel cuts = new ChunkedChannel(stream, chunk, false);
        DnsTcpFraming.Reader reader = new DnsTcpFraming.Reader();
        List<byte[]> nonBlocking = new ArrayList<>();
        try {
            while (!reader.ended()) {
                byte[] m = reader.next(cuts);
                if (m != null) {
                    nonBlocking.add(m);
                }
            }
            assertThat(cutShort).as("ended where the blocking read ended").isFalse();
        } catch (EOFException e) {
            assertThat(cutShort).as("cut short where the blocking read was").isTrue();
        }
        assertThat(nonBlocking).containsExactlyElementsOf(blocking);
    }
}
