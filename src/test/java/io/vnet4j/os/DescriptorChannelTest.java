package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A descriptor and a text over a unix datagram socket (SCM_RIGHTS), within one process. */
class DescriptorChannelTest {
    @TempDir
    Path dir;

    @Test
    void aDescriptorArrivesAsANewDescriptorOfTheSameOpenSocket() throws Exception {
        Path path = dir.resolve("s");
        try (DescriptorChannel channel = DescriptorChannel.listen(path, 1000);
             DatagramChannel sent = DatagramChannel.open()) {
            int original = ChannelDescriptors.of(sent);
            DescriptorChannel.send(path, original, "ok tap0");

            DescriptorChannel.Received received = channel.receive();
            try {
                assertThat(received.message()).isEqualTo("ok tap0");
                assertThat(received.descriptor()).isPositive().isNotEqualTo(original);
                assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + received.descriptor())))
                        .isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/fd/" + original))); // socket:[inode]
            } finally {
                Libc.closeQuietly(received.descriptor());
            }
        }
    }

    @Test
    void aTextAloneArrivesWithoutDescriptorAndNothingIsNullAfterTheTimeOut() throws Exception {
        Path path = dir.resolve("s");
        try (DescriptorChannel channel = DescriptorChannel.listen(path, 100)) {
            DescriptorChannel.send(path, -1, "error TUNSETIFF failed");
            assertThat(channel.receive()).isEqualTo(new DescriptorChannel.Received(-1, "error TUNSETIFF failed"));
            assertThat(channel.receive()).isNull();
        }
    }
}
