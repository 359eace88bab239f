package io.vnet4j.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DnsTcpFraming.Reader}: messages read from a non-blocking stream as their bytes come, whatever the cuts,
 * with truncated and lying-length input.
 */
class DnsTcpFramingTest {

    /** {@code bytes} at most {@code chunk} a read, and nothing every other read. */
    private static ChunkedChannel trickle(byte[] bytes, int chunk) {
        return new ChunkedChannel(bytes, chunk, true);
    }

    /** Every message {@code reader} gives from {@code channel} until the stream ends between messages. */
    private static List<byte[]> readAll(DnsTcpFraming.Reader reader, ChunkedChannel channel) throws IOException {
        List<byte[]> messages = new ArrayList<>();
        for (int tries = 0; !reader.ended() && tries < 1_000_000; tries++) {
            byte[] m = reader.next(channel);
            if (m != null) {
                messages.add(m);
            }
        }
        return messages;
    }

    private static byte[] stream(byte[]... messages) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(messages).mapToInt(m -> 2 + m.length).sum());
        for (byte[] m : messages) {
            b.put(DnsTcpFraming.framed(m));
        }
        return b.array();
    }

    @Test
    void messagesComeWholeWhateverTheCuts() throws IOException {
        byte[] a = "first".getBytes();
        byte[] b = new byte[0];
        byte[] c = new byte[300];
        Arrays.fill(c, (byte) 7);
        for (int chunk : new int[] {1, 2, 3, 7, 1000}) {
            List<byte[]> read = readAll(new DnsTcpFraming.Reader(), trickle(stream(a, b, c), chunk));
            assertThat(read).as("chunk " + chunk).containsExactly(a, b, c);
        }
    }

    @Test
    void theLargestLengthComesWhole() throws IOException {
        byte[] large = new byte[DnsTcpFraming.MAX_MESSAGE];
        Arrays.fill(large, (byte) 'Q');
        assertThat(readAll(new DnsTcpFraming.Reader(), trickle(stream(large), 4096))).containsExactly(large);
    }

    @Test
    void itReadsNoByteBeyondTheMessage() throws IOException {
        ChunkedChannel channel = new ChunkedChannel(stream("one".getBytes(), "two".getBytes()), Integer.MAX_VALUE, false);
        assertThat(new DnsTcpFraming.Reader().next(channel)).isEqualTo("one".getBytes());
        assertThat(channel.remaining()).as("the next message left in the stream").isEqualTo(5);
    }

    @Test
    void aStreamEndingBetweenMessagesHasEnded() throws IOException {
        DnsTcpFraming.Reader reader = new DnsTcpFraming.Reader();
        assertThat(readAll(reader, trickle(new byte[0], 1))).isEmpty();
        assertThat(reader.ended()).isTrue();
    }

    @Test
    void aStreamEndingInsideTheLengthIsCutShort() {
        DnsTcpFraming.Reader reader = new DnsTcpFraming.Reader();
        assertThatThrownBy(() -> readAll(reader, trickle(new byte[] {0}, 1)))
                .isInstanceOf(EOFException.class).hasMessageContaining("length");
    }

    @Test
    void aLengthThatLiesIsCutShortNotWaitedForPastTheEnd() {
        DnsTcpFraming.Reader reader = new DnsTcpFraming.Reader();
        assertThatThrownBy(() -> readAll(reader, trickle(new byte[] {0, 100, 'Q', 'x'}, 3)))
                .isInstanceOf(EOFException.class).hasMessageContaining("2 bytes into a DNS message of 100");
    }

    @Test
    void aLengthOfAllOnesIsTheLargestMessageNotASignedOne() throws IOException {
        DnsTcpFraming.Reader reader = new DnsTcpFraming.Reader();
        byte[] stream = new byte[2 + 0xffff];
        stream[0] = (byte) 0xff;
        stream[1] = (byte) 0xff;
        assertThat(readAll(reader, trickle(stream, 65536))).singleElement().satisfies(m ->
                assertThat(m).hasSize(0xffff));
    }
}
