package io.vnet4j.usernet.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole transfers in lock step, checked byte for byte against the file. */
class TftpTransferTest {
    @TempDir
    Path root;
    private TftpServer server;

    private byte[] file(String name, int size) throws IOException {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        Files.write(root.resolve(name), content);
        return content;
    }

    private Client client() {
        server = new TftpServer(root, 4);
        return new Client(server);
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 511, 512, 513, 1024, 5000})
    void sendsAFileIn512ByteBlocksEndingWithAShortOne(int size) throws IOException {
        byte[] content = file("f.bin", size);
        Client client = client();
        assertThat(client.fetch("f.bin")).isEqualTo(content);
        assertThat(client.oack).isEmpty();
        assertThat(server.activeTransfers()).isZero();
        assertThat(server.counters().completed()).isEqualTo(1);
        assertThat(server.pollAt()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void sendsAnEmptyDataBlockAfterAFileOfWholeBlocks() throws IOException {
        file("f.bin", 1024);
        Client client = client();
        client.send(Packets.rrq("f.bin", "octet"));
        client.send(Packets.ack(client.one().number()));
        client.send(Packets.ack(client.one().number()));
        Recorder.Sent last = client.one();
        assertThat(last.number()).isEqualTo(3);
        assertThat(last.data()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1431, 1432, 1433, 3 * 1024 * 1024 + 7})
    void sendsAFileIn1432ByteBlocksAfterAnOack(int size) throws IOException {
        byte[] content = file("big.img", size);
        Client client = client();
        assertThat(client.fetch("big.img", "blksize", "1432")).isEqualTo(content);
        assertThat(client.oack).containsExactly(java.util.Map.entry("blksize", "1432"));
    }

    @Test
    void capsARequestedBlockSizeAt1432() throws IOException {
        byte[] content = file("f.bin", 10_000);
        Client client = client();
        assertThat(client.fetch("f.bin", "blksize", "65464")).isEqualTo(content);
        assertThat(client.oack).containsEntry("blksize", "1432");
    }

    @Test
    void answersTsizeWithTheFileSizeInTheOack() throws IOException {
        byte[] content = file("f.bin", 70_000);
        Client client = client();
        assertThat(client.fetch("f.bin", "tsize", "0", "blksize", "1024", "timeout", "3")).isEqualTo(content);
        assertThat(client.oack).containsExactly(java.util.Map.entry("blksize", "1024"),
                java.util.Map.entry("tsize", "70000"), java.util.Map.entry("timeout", "3"));
    }

    @Test
    void ignoresUnknownAndOutOfRangeOptionsAndSendsDataAtOnce() throws IOException {
        byte[] content = file("f.bin", 600);
        Client client = client();
        assertThat(client.fetch("f.bin", "windowsize", "4", "blksize", "4", "timeout", "0")).isEqualTo(content);
        assertThat(client.oack).isEmpty();
    }

    @Test
    void wrapsTheBlockNumberFrom65535ToZero() throws IOException {
        int blockSize = TftpOptions.MIN_BLOCK_SIZE;
        byte[] content = file("wrap.bin", (65_536 + 3) * blockSize + 5);
        Client client = client();
        assertThat(client.fetch("wrap.bin", "blksize", Integer.toString(blockSize))).isEqualTo(content);
    }

    @Test
    void servesConcurrentTransfersToDifferentPortsIndependently() throws IOException {
        byte[] a = file("a", 1500);
        byte[] b = file("b", 700);
        server = new TftpServer(root, 2);
        Client first = new Client(server, 3000);
        Client second = new Client(server, 3001);
        first.send(Packets.rrq("a", "octet"));
        second.send(Packets.rrq("b", "octet"));
        assertThat(server.activeTransfers()).isEqualTo(2);
        assertThat(first.one().data()).isEqualTo(java.util.Arrays.copyOfRange(a, 0, 512));
        assertThat(second.one().data()).isEqualTo(java.util.Arrays.copyOfRange(b, 0, 512));
        second.send(Packets.ack(1));
        assertThat(second.one().data()).isEqualTo(java.util.Arrays.copyOfRange(b, 512, 700));
        assertThat(first.out.sent).isEmpty();
    }

    @Test
    void restartsTheTransferWhenTheSameClientRequestsAgain() throws IOException {
        byte[] content = file("f.bin", 2000);
        Client client = client();
        client.send(Packets.rrq("f.bin", "octet"));
        client.send(Packets.ack(client.one().number()));
        assertThat(client.one().number()).isEqualTo(2);
        assertThat(client.fetch("f.bin")).isEqualTo(content);
        assertThat(server.activeTransfers()).isZero();
    }
}
