package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SocketFilesTest {
    @TempDir
    Path dir;

    private static ServerSocketChannel unixServer() throws IOException {
        return ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    }

    /**
     * helper-113: a control socket, the drop-in's API socket or a VDE switch's socket at a path longer than a
     * unix socket's 107 bytes was refused with the JDK's "Unix domain path too long", no limit given (the
     * netdevs' own paths said it); every bind now says it, and so does ctl, which asked "is vnet4j running?".
     */
    /**
     * A unix listener holds a burst of connects while its accepting thread is behind: the JDK's default queue of
     * 50 failed the 51st non-blocking connect with EAGAIN (the gateway's to its DNS-over-TCP bridge, helper-117's
     * kind of fault).
     */
    @Test
    void aListenerHoldsABurstOfConnectsBeforeItAccepts() throws IOException {
        Path path = dir.resolve("burst.sock");
        java.util.List<java.nio.channels.SocketChannel> clients = new java.util.ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            SocketFiles.bind(server, path);
            for (int i = 0; i < 200; i++) {
                java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(StandardProtocolFamily.UNIX);
                clients.add(c);
                c.configureBlocking(false);
                assertThat(c.connect(UnixDomainSocketAddress.of(path))).as("connect %d", i).isTrue();
            }
        } finally {
            for (java.nio.channels.SocketChannel c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aPathLongerThanAUnixSocketTakesIsRefusedNamingTheLimit() throws Exception {
        Path path = dir.resolve("s".repeat(120 - dir.toString().length()) + ".sock");
        String expected = path + ": longer than the 106 bytes a unix socket's path may have here (the JDK's limit; the kernel's "
                + "is 107) (" + path.toString().length() + ")";
        assertThatThrownBy(() -> SocketFiles.prepare(path)).isInstanceOf(IOException.class).hasMessage(expected);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertThatThrownBy(() -> SocketFiles.bind(server, path)).isInstanceOf(IOException.class).hasMessage(expected);
        }
        assertThatThrownBy(() -> new io.vnet4j.control.ControlClient(path, java.time.Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class).hasMessage("cannot reach the control socket " + expected);
        SocketFiles.prepare(dir.resolve("s".repeat(106 - dir.toString().length() - 1))); // 106 bytes: taken
    }

    /**
     * helper-115: a path of exactly 107 bytes passed the check above, then the JDK refused it with "Unix domain
     * path too long" alone (its channels take 106: sun_path less 2); 106 bytes bind, 107 are refused naming the limit.
     */
    @Test
    void aPathOf107BytesIsRefusedNamingTheLimitAndOneOf106Binds() throws Exception {
        Path longest = dir.resolve("s".repeat(106 - dir.toString().length() - 1));
        assertThat(longest.toString()).hasSize(106);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            SocketFiles.bind(server, longest);
        }
        Path path = dir.resolve("s".repeat(107 - dir.toString().length() - 1));
        assertThat(path.toString()).hasSize(107);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertThatThrownBy(() -> SocketFiles.bind(server, path)).isInstanceOf(IOException.class)
                    .hasMessageContaining("longer than the 106 bytes");
        }
        assertThatThrownBy(() -> new io.vnet4j.control.ControlClient(path, java.time.Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class).hasMessageContaining("longer than the 106 bytes");
    }

    @Test
    void aStaleSocketIsReplaced() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel gone = unixServer()) {
            gone.bind(UnixDomainSocketAddress.of(path));
        } // closed without removing its file: nothing answers there now
        try (ServerSocketChannel server = unixServer()) {
            OwnedFile file = SocketFiles.bind(server, path);
            assertThat(file.isStillOurs()).isTrue();
            assertThat(SocketFiles.answers(path)).isTrue();
        }
    }

    @Test
    void aLiveStreamSocketIsRefusedNamingThePathAndTheProcessAndKeepsAnswering() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel first = unixServer(); ServerSocketChannel second = unixServer()) {
            OwnedFile firstFile = SocketFiles.bind(first, path);
            assertThatThrownBy(() -> SocketFiles.bind(second, path))
                    .isInstanceOf(SocketFiles.InUseException.class)
                    .hasMessage(path + " is in use by this vnet4j itself (pid " + ProcessHandle.current().pid() + ")");
            assertThat(firstFile.isStillOurs()).as("the first socket's file was replaced").isTrue();
            assertThat(SocketFiles.answers(path)).isTrue();
        }
    }

    @Test
    void aLiveDatagramSocketIsRefused() throws Exception {
        Path path = dir.resolve("d.sock");
        NativeDatagramSocket live = NativeDatagramSocket.bound(new DatagramEndpoint.Unix(path.toString()), false);
        try {
            assertThatThrownBy(() -> SocketFiles.prepare(path)).isInstanceOf(SocketFiles.InUseException.class);
            assertThat(path).exists();
        } finally {
            live.release();
        }
        SocketFiles.prepare(path);
        assertThat(path).as("the stale datagram socket once its owner is gone").doesNotExist();
    }

    @Test
    void aFileThatIsNotASocketIsNeverRemoved() throws Exception {
        Path path = Files.writeString(dir.resolve("notes.txt"), "keep me");
        assertThatThrownBy(() -> SocketFiles.prepare(path)).isInstanceOf(IOException.class)
                .hasMessage(path + " exists and is not a socket (remove it or choose another path)");
        assertThat(path).hasContent("keep me");
    }

    @Test
    void aFifoIsNeverRemoved() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        assertThatThrownBy(() -> SocketFiles.prepare(fifo)).isInstanceOf(IOException.class).hasMessageContaining("is not a socket");
        assertThat(fifo).exists();
    }

    @Test
    void aPathInAMissingDirectoryIsRefusedAndNothingIsMade() throws Exception {
        Path path = dir.resolve("a/b/s.sock");
        try (ServerSocketChannel server = unixServer()) {
            assertThatThrownBy(() -> SocketFiles.bind(server, path)).isInstanceOf(java.nio.file.NoSuchFileException.class)
                    .hasMessage(path + ": its directory " + dir.resolve("a/b") + " does not exist");
        }
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void anOwnedFileReplacedBySomeoneElseIsLeftAlone() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel ours = unixServer(); ServerSocketChannel theirs = unixServer()) {
            OwnedFile file = SocketFiles.bind(ours, path);
            Files.delete(path); // someone took the path over: removed our file and bound their own
            theirs.bind(UnixDomainSocketAddress.of(path));
            assertThat(file.isStillOurs()).isFalse();
            assertThat(file.delete()).isFalse();
            assertThat(path).exists();
        }
    }

    @Test
    void anOwnedFileIsRemovedWhileStillOurs() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel ours = unixServer()) {
            OwnedFile file = SocketFiles.bind(ours, path);
            assertThat(file.delete()).isTrue();
            assertThat(path).doesNotExist();
        }
    }

    @Test
    void anOwnedDirectoryIsRemovedOnlyWhenEmpty() throws Exception {
        OwnedFile made = OwnedFile.claim(Files.createDirectory(dir.resolve("made")));
        Path other = Files.writeString(made.path().resolve("theirs"), "x");
        assertThat(made.delete()).isFalse();
        assertThat(other).exists();
        Files.delete(other);
        assertThat(made.delete()).isTrue();
        assertThat(made.path()).doesNotExist();
    }
}
