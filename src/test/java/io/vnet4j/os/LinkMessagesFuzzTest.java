package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * A datagram from the rtnetlink socket of {@link LinkWatch} (only the kernel may send to it, but it is read as
 * untrusted all the same), at offset 0 and at an odd offset in a larger buffer. Nothing throws; both readings
 * give the same links and the same verdict; there are at most as many links as whole link messages fit
 * (32 bytes each at least); a name is at most 15 characters without a NUL.
 */
class LinkMessagesFuzzTest {
    @FuzzTest
    void linksFitTheirDatagram(byte[] input) {
        StringBuilder first = new StringBuilder();
        int[] links = {0};
        int verdict = LinkMessages.read(ByteBuffer.wrap(input), input.length, (deleted, index, name) -> {
            // bytes that are no UTF-8 (the kernel allows them) read as U+FFFD each: characters, not bytes, are bounded
            assertThat(name == null || name.length() <= 15 && name.indexOf('\0') < 0)
                    .as(name).isTrue();
            first.append(deleted).append(index).append(name).append('\0');
            links[0]++;
        });
        assertThat(verdict).isBetween(0, 1);
        assertThat(links[0]).isLessThanOrEqualTo(input.length / 32);

        byte[] larger = new byte[input.length + 8];
        System.arraycopy(input, 0, larger, 3, input.length);
        StringBuilder second = new StringBuilder();
        int again = LinkMessages.read(ByteBuffer.wrap(larger).position(3), input.length,
                (deleted, index, name) -> second.append(deleted).append(index).append(name).append('\0'));
        assertThat(again).isEqualTo(verdict);
        assertThat(second.toString()).isEqualTo(first.toString());
    }
}
