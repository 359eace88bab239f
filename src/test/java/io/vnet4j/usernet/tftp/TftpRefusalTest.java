package io.vnet4j.usernet.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests the server answers with an ERROR, and packets it drops. */
class TftpRefusalTest {
    @TempDir
    Path root;
    private TftpServer server;
    private Client client;

    @BeforeEach
    void start() throws IOException {
        Files.write(root.resolve("f.bin"), new byte[2000]);
        server = new TftpServer(root, 2);
        client = new Client(server);
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    private void assertError(int code, String message) {
        Recorder.Sent reply = client.one();
        assertThat(reply.opcode()).isEqualTo(TftpOpcode.ERROR);
        assertThat(reply.number()).isEqualTo(code);
        assertThat(reply.message()).isEqualTo(message);
    }

    @Test
    void refusesAWriteRequestAsReadOnly() {
        client.send(Packets.wrq("f.bin", "octet"));
        assertError(TftpErrorCode.ACCESS_VIOLATION, "read-only");
        assertThat(server.counters().refused()).isEqualTo(1);
    }

    @Test
    void refusesNetasciiAndMailModesLikeLibslirp() {
        for (String mode : new String[] {"netascii", "mail", "", "octets"}) {
            client.send(Packets.rrq("f.bin", mode));
            assertError(TftpErrorCode.ILLEGAL_OPERATION, "Unsupported transfer mode");
        }
        client.send(Packets.rrq("f.bin", "OcTeT"));
        assertThat(client.one().opcode()).isEqualTo(TftpOpcode.DATA);
    }

    @Test
    void refusesATransferBeyondMaxSessionsWithTooManyTransfers() {
        new Client(server, 4000).send(Packets.rrq("f.bin", "octet"));
        new Client(server, 4001).send(Packets.rrq("f.bin", "octet"));
        client.send(Packets.rrq("f.bin", "octet"));
        assertError(TftpErrorCode.NOT_DEFINED, "too many transfers");
        assertThat(server.activeTransfers()).isEqualTo(2);
    }

    @Test
    void acceptsANewTransferOnceAnotherHasEnded() {
        Client other = new Client(server, 4000);
        other.send(Packets.rrq("f.bin", "octet"));
        new Client(server, 4001).send(Packets.rrq("f.bin", "octet"));
        other.send(Packets.error(0, "bye"));
        client.send(Packets.rrq("f.bin", "octet"));
        assertThat(client.one().opcode()).isEqualTo(TftpOpcode.DATA);
    }

    @Test
    void answersAMalformedRequestWithIllegalOperationAndCountsIt() {
        client.send(Packets.rrq("", "octet"));
        assertError(TftpErrorCode.ILLEGAL_OPERATION, "Illegal TFTP operation");
        client.send(Packets.rrq("f.bin", "octet", "blksize", "big"));
        assertError(TftpErrorCode.ILLEGAL_OPERATION, "Illegal TFTP operation");
        assertThat(server.counters().malformed()).isEqualTo(2);
        assertThat(server.activeTransfers()).isZero();
    }

    @Test
    void answersDataAndUnknownOpcodesWithIllegalOperationAndEndsTheClientsTransfer() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        client.send(Packets.hex("00 03 00 01 41"));
        assertError(TftpErrorCode.ILLEGAL_OPERATION, "Illegal TFTP operation");
        assertThat(server.activeTransfers()).isZero();
        client.send(Packets.hex("00 09 00 00"));
        assertError(TftpErrorCode.ILLEGAL_OPERATION, "Illegal TFTP operation");
    }

    @Test
    void dropsTruncatedAcksAndStrayAcksAndErrorsSilently() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        client.send(Packets.hex("00 04 00"));
        client.send(new byte[0]);
        client.send(new byte[] {0});
        new Client(server, 5000).send(Packets.ack(1));
        new Client(server, 5000).send(Packets.error(0, "?"));
        assertThat(client.out.sent).isEmpty();
        assertThat(server.counters().malformed()).isEqualTo(3);
        assertThat(server.counters().strays()).isEqualTo(2);
        assertThat(server.activeTransfers()).isEqualTo(1);
    }

    @Test
    void keysTransfersByAddressAsWellAsPort() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        Recorder out = new Recorder();
        byte[] ack = Packets.ack(1);
        server.receive(Packets.SERVER_IP, io.vnet4j.wire.IpAddress.ofIpv4(Packets.CLIENT_IP.ipv4() + 1), Packets.CLIENT_PORT, java.nio.ByteBuffer.wrap(ack), 0, 4, 0, out);
        assertThat(out.sent).isEmpty();
        assertThat(server.counters().strays()).isEqualTo(1);
    }

    @Test
    void closesEveryTransferOnClose() {
        client.send(Packets.rrq("f.bin", "octet"));
        server.close();
        assertThat(server.activeTransfers()).isZero();
        assertThat(server.pollAt()).isEqualTo(Long.MAX_VALUE);
    }
}
