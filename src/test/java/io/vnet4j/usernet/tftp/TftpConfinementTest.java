package io.vnet4j.usernet.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names resolve inside the root only; anything reaching outside is an access violation. */
class TftpConfinementTest {
    @TempDir
    Path dir;
    private Path root;
    private TftpServer server;
    private Client client;

    @BeforeEach
    void start() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(dir.resolve("secret"), "outside");
        Files.writeString(root.resolve("pxelinux.0"), "boot");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/inner"), "inner");
        server = new TftpServer(root, 4);
        client = new Client(server);
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    private Recorder.Sent request(String name) {
        client.send(Packets.rrq(name, "octet"));
        return client.one();
    }

    private void assertRefused(String name, int code, String message) {
        Recorder.Sent reply = request(name);
        assertThat(reply.opcode()).as(name).isEqualTo(TftpOpcode.ERROR);
        assertThat(reply.number()).as(name).isEqualTo(code);
        assertThat(reply.message()).as(name).isEqualTo(message);
        assertThat(server.activeTransfers()).isZero();
    }

    private String served(String name) {
        Recorder.Sent reply = request(name);
        assertThat(reply.opcode()).as(name).isEqualTo(TftpOpcode.DATA);
        client.send(Packets.ack(1));
        return new String(reply.data(), StandardCharsets.US_ASCII);
    }

    @Test
    void refusesParentComponentsWhereverTheyAre() {
        for (String name : new String[] {"../secret", "..", "sub/../../secret", "sub/../pxelinux.0", "/../secret"}) {
            assertRefused(name, TftpErrorCode.ACCESS_VIOLATION, "Access violation");
        }
    }

    @Test
    void servesALeadingSlashNameFromTheRootLikeLibslirp() {
        assertThat(served("/pxelinux.0")).isEqualTo("boot");
        assertThat(served("//sub/inner")).isEqualTo("inner");
        assertThat(served("./sub//inner")).isEqualTo("inner");
    }

    @Test
    void neverServesTheHostsEtcPasswd() throws IOException {
        assertRefused("/etc/passwd", TftpErrorCode.FILE_NOT_FOUND, "File not found");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "guest view");
        assertThat(served("/etc/passwd")).isEqualTo("guest view");
    }

    @Test
    void refusesASymlinkLeadingOutsideTheRoot() throws IOException {
        Files.createSymbolicLink(root.resolve("escape"), dir.resolve("secret"));
        Files.createSymbolicLink(root.resolve("up"), dir);
        assertRefused("escape", TftpErrorCode.ACCESS_VIOLATION, "Access violation");
        assertRefused("up/secret", TftpErrorCode.ACCESS_VIOLATION, "Access violation");
    }

    @Test
    void followsASymlinkThatStaysInsideTheRoot() throws IOException {
        Files.createSymbolicLink(root.resolve("link"), root.resolve("sub/inner"));
        assertThat(served("link")).isEqualTo("inner");
    }

    @Test
    void servesFromARootThatIsItselfASymlink() throws IOException {
        Path linkedRoot = Files.createSymbolicLink(dir.resolve("linked"), root);
        server = new TftpServer(linkedRoot, 1);
        client = new Client(server);
        assertThat(served("pxelinux.0")).isEqualTo("boot");
    }

    @Test
    void answersFileNotFoundForMissingFilesAndDirectories() {
        assertRefused("missing", TftpErrorCode.FILE_NOT_FOUND, "File not found");
        assertRefused("sub", TftpErrorCode.FILE_NOT_FOUND, "File not found");
        assertRefused("sub/", TftpErrorCode.FILE_NOT_FOUND, "File not found");
        assertRefused("/", TftpErrorCode.FILE_NOT_FOUND, "File not found");
        assertRefused(".", TftpErrorCode.FILE_NOT_FOUND, "File not found");
    }

    @Test
    void answersFileNotFoundWhenTheRootIsMissing() {
        server = new TftpServer(dir.resolve("absent"), 1);
        client = new Client(server);
        assertRefused("pxelinux.0", TftpErrorCode.FILE_NOT_FOUND, "File not found");
    }
}
