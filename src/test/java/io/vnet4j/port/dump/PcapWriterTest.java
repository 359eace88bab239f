package io.vnet4j.port.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
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

    /** A helper's reading: a failed write stopped the capture but kept the file open until the daemon ended. */
    @Test
    void aWriteThatFailsStopsTheCaptureAndLetsTheFileGo() throws IOException {
        Path full = Path.of("/dev/full"); // every write: ENOSPC
        PcapWriter w = new PcapWriter(full, 65536); // the header waits in the buffer
        assertThat(openOn(full)).isTrue();
        w.frame(ByteBuffer.allocate(65536), 0, 65536); // more than the buffer: written at once, and refused
        assertThat(openOn(full)).as("the descriptor is closed at the failure, not at close()").isFalse();
        w.frame(ByteBuffer.allocate(60), 0, 60); // ignored
        w.close();
    }

    /** A reviewer's finding: the flusher's failure (disk full) warned every second and kept the file open. */
    @Test
    void aFlushThatFailsStopsTheCaptureAndLetsTheFileGo() throws IOException {
        Path full = Path.of("/dev/full");
        PcapWriter w = new PcapWriter(full, 65536);
        w.frame(ByteBuffer.allocate(100), 0, 100); // in the buffer
        w.flush();
        assertThat(openOn(full)).isFalse();
        w.flush(); // nothing more to say
        w.close();
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
