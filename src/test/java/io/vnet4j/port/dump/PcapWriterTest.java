package io.vnet4j.port.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The classic pcap file QEMU's filter-dump writes (net/dump.c), and a file that cannot be written. */
class PcapWriterTest {
    @Test
    void writesQemusHeaderAndRecordsCutToTheSnapLength(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.pcap");
        try (PcapWriter w = new PcapWriter(file, 100)) {
            w.frame(ByteBuffer.allocate(200), 0, 200);
            w.frame(ByteBuffer.allocate(60), 0, 60);
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
        assertThat(b.getShort(4)).isEqualTo((short) 2);
        assertThat(b.getShort(6)).isEqualTo((short) 4);
        assertThat(b.getInt(16)).as("snaplen").isEqualTo(100);
        assertThat(b.getInt(20)).as("linktype Ethernet").isEqualTo(1);
        assertThat(b.getInt(24 + 8)).as("caplen").isEqualTo(100);
        assertThat(b.getInt(24 + 12)).as("len").isEqualTo(200);
        assertThat(b.getInt(24 + 16 + 100 + 8)).isEqualTo(60);
        assertThat(b.capacity()).isEqualTo(24 + 16 + 100 + 16 + 60);
    }

    /** Its records go to the file up to a second late, but the header before the capture starts: a capture killed then is a pcap. */
    @Test
    @Timeout(30)
    void theHeaderIsInTheFileBeforeAnyFrame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.pcap");
        try (PcapWriter w = new PcapWriter(file, 100)) {
            assertThat(Files.size(file)).isEqualTo(PcapWriter.GLOBAL_HEADER);
            Thread.sleep(1500); // an idle capture writes nothing more
            assertThat(Files.size(file)).isEqualTo(PcapWriter.GLOBAL_HEADER);
            w.frame(ByteBuffer.allocate(60), 0, 60);
            while (Files.size(file) < PcapWriter.GLOBAL_HEADER + PcapWriter.RECORD_HEADER + 60) {
                Thread.sleep(1); // within a second of the frame
            }
        }
    }

    /** As QEMU's filter-dump ("dump write error"): a file that does not take the header is refused at start. */
    @Test
    void aFileThatTakesNoHeaderIsRefused() {
        assertThatThrownBy(() -> new PcapWriter(Path.of("/dev/full"), 65536)).isInstanceOf(IOException.class)
                .hasMessage("/dev/full: cannot write the pcap header: No space left on device");
    }

    /**
     * helper-113: a capture to a unix socket's path (a slip for the .pcap beside it) said only the kernel's "No
     * such device or address"; it now says what the path is.
     */
    @Test
    void aSocketIsRefusedSayingItIsOne(@TempDir Path dir) throws IOException {
        Path socket = dir.resolve("control.sock");
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel
                .open(java.net.StandardProtocolFamily.UNIX).bind(java.net.UnixDomainSocketAddress.of(socket))) {
            assertThatThrownBy(() -> new PcapWriter(socket, 65536)).isInstanceOf(IOException.class)
                    .hasMessage(socket + ": a unix socket, not a file or FIFO a capture can write");
            assertThatThrownBy(() -> new PcapWriter(socket, 65536, 1000)).isInstanceOf(IOException.class)
                    .hasMessage(socket + ": a unix socket, not a file or FIFO a capture can write");
        }
    }

    /** A helper's reading: a failed write stopped the capture but kept the file open until the daemon ended. */
    @Test
    @Timeout(30)
    void aWriteThatFailsStopsTheCaptureAndLetsTheFileGo(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("f");
        PcapWriter w = withReaderGone(fifo); // every write: EPIPE
        assertThat(openOn(fifo)).isTrue();
        for (int i = 0; i < 10; i++) { // past half the buffer: the capture's thread writes at once, and is refused
            w.frame(ByteBuffer.allocate(65536), 0, 65536);
        }
        while (!w.failed()) {
            Thread.sleep(10);
        }
        while (openOn(fifo)) { // the descriptor is closed at the failure, not at close()
            Thread.sleep(10);
        }
        w.frame(ByteBuffer.allocate(60), 0, 60); // ignored
        w.close();
    }

    /**
     * A helper's replay: a FIFO whose reader stopped reading held the port that wrote the capture (the user
     * network's loop stopped, and SIGTERM hung). Now the frames that do not fit are dropped and counted, and
     * close gives up on the file.
     */
    @Test
    @Timeout(30)
    void aFifoWhoseReaderStopsReadingHoldsUpNoFrameAndNotClose(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("f");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        CompletableFuture<FileChannel> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return FileChannel.open(fifo, StandardOpenOption.READ); // and never reads
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        PcapWriter w = new PcapWriter(fifo, 65536);
        try (FileChannel stalled = reader.get()) {
            for (int i = 0; i < 5000; i++) { // 7.5 MB: more than the pipe and both buffers hold
                w.frame(ByteBuffer.allocate(1500), 0, 1500);
            }
            assertThat(w.dropped()).isPositive();
            w.close();
            assertThat(w.failed()).isFalse();
        }
    }

    /** A reviewer's finding: the flusher's failure (disk full) warned every second and kept the file open. */
    @Test
    @Timeout(30)
    void aFlushThatFailsStopsTheCaptureAndLetsTheFileGo(@TempDir Path dir) throws Exception {
        // the flush has the capture's thread write what is buffered, and waits for that
        Path fifo = dir.resolve("f");
        PcapWriter w = withReaderGone(fifo);
        w.frame(ByteBuffer.allocate(100), 0, 100); // in the buffer
        w.flush();
        assertThat(openOn(fifo)).isFalse();
        w.flush(); // nothing more to say
        w.close();
    }

    /** A capture to a new FIFO {@code fifo} whose reader took the header and went: its next write fails (EPIPE). */
    static PcapWriter withReaderGone(Path fifo) throws Exception {
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        CompletableFuture<FileChannel> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return FileChannel.open(fifo, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        PcapWriter w = new PcapWriter(fifo, 65536);
        try (FileChannel r = reader.get()) {
            ByteBuffer header = ByteBuffer.allocate(PcapWriter.GLOBAL_HEADER);
            while (header.hasRemaining() && r.read(header) >= 0) {
                // the header is written before the constructor returns
            }
        }
        return w;
    }

    private static boolean openOn(Path file) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (IOException e) {
                    return false; // gone meanwhile
                }
            });
        }
    }
}
