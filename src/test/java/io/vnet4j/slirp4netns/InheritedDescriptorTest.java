package io.vnet4j.slirp4netns;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.os.ChannelDescriptors;
import io.vnet4j.os.InheritedDescriptor;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ready and exit descriptors on a real pipe, reached by number as an inherited one is (the JDK's pipe
 * gives the number through ChannelDescriptors).
 */
@Timeout(30)
class InheritedDescriptorTest {
    @Test
    void readyWritesOneAndClosesTheDescriptorItself() throws Exception {
        Pipe pipe = Pipe.open();
        int writeEnd = ChannelDescriptors.of(pipe.sink());
        assertThat(writeEnd).isPositive();
        assertThat(DropIn.notInherited(writeEnd)).isNull();

        InheritedDescriptor.signalReady(writeEnd);

        ByteBuffer in = ByteBuffer.allocate(8);
        assertThat(pipe.source().read(in)).isEqualTo(1);
        assertThat(in.get(0)).isEqualTo((byte) '1');
        in.clear();
        assertThat(pipe.source().read(in)).isEqualTo(-1); // descriptor N itself was closed: the reader sees EOF
        assertThat(DropIn.notInherited(writeEnd)).isEqualTo("is not open");
        pipe.source().close(); // the sink channel's descriptor is gone: it is left unclosed, so no reused number is hit
    }

    @Test
    void theExitDescriptorEndsWhenItsWriterCloses() throws Exception {
        Pipe pipe = Pipe.open();
        int readEnd = ChannelDescriptors.of(pipe.source());
        CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> InheritedDescriptor.awaitEnd(readEnd));
        pipe.sink().write(ByteBuffer.wrap(new byte[] {'x'})); // data is no command
        Thread.sleep(200);
        assertThat(ended).isNotDone();
        pipe.sink().close();
        ended.get(10, TimeUnit.SECONDS);
        assertThat(DropIn.notInherited(readEnd)).isEqualTo("is not open"); // done with it: closed, as the process ends
    }

    @Test
    void theJvmsOwnFilesAreNeverTakenForTheCallersPipe(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            // the descriptor of an open regular file: find it among /proc/self/fd
            int fd = -1;
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path p : fds.toList()) {
                    try {
                        if (Files.readSymbolicLink(p).equals(file)) {
                            fd = Integer.parseInt(p.getFileName().toString());
                        }
                    } catch (java.io.IOException gone) {
                        // the listing's own descriptor
                    }
                }
            }
            assertThat(fd).isPositive();
            assertThat(DropIn.notInherited(fd)).isEqualTo("is one of this process's own files, not a pipe from the caller");
        }
        assertThat(DropIn.notInherited(99_999)).isEqualTo("is not open");
    }
}
