package io.vnet4j.usernet.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timeouts on a fake clock: retransmission, duplicate and lost ACKs, giving up. */
class TftpRetransmissionTest {
    private static final long TIMEOUT = TftpServer.DEFAULT_TIMEOUT_NANOS;
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path root;
    private TftpServer server;
    private Client client;

    @BeforeEach
    void start() throws IOException {
        byte[] content = new byte[1300];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i;
        }
        Files.write(root.resolve("f.bin"), content);
        server = new TftpServer(root, 4);
        client = new Client(server);
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    @Test
    void schedulesTheRetransmissionOneTimeoutAfterASend() {
        assertThat(server.pollAt()).isEqualTo(Long.MAX_VALUE);
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        assertThat(server.pollAt()).isEqualTo(client.now + TIMEOUT);
    }

    @Test
    void resendsTheSameDataWhenTheTimeoutPassesWithoutAnAck() {
        client.send(Packets.rrq("f.bin", "octet"));
        byte[] first = client.one().bytes();
        client.advance(TIMEOUT - 1);
        assertThat(client.out.sent).isEmpty();
        client.advance(1);
        assertThat(client.one().bytes()).isEqualTo(first);
        assertThat(server.counters().retransmissions()).isEqualTo(1);
        assertThat(server.pollAt()).isEqualTo(client.now + TIMEOUT);
    }

    @Test
    void resendsAnUnacknowledgedOack() {
        client.send(Packets.rrq("f.bin", "octet", "tsize", "0"));
        byte[] oack = client.one().bytes();
        client.advance(TIMEOUT);
        assertThat(client.one().bytes()).isEqualTo(oack);
        client.send(Packets.ack(0));
        assertThat(client.one().number()).isEqualTo(1);
    }

    @Test
    void usesTheNegotiatedTimeout() {
        client.send(Packets.rrq("f.bin", "octet", "timeout", "7"));
        client.one();
        assertThat(server.pollAt()).isEqualTo(client.now + 7 * SECOND);
        client.advance(6 * SECOND);
        assertThat(client.out.sent).isEmpty();
        client.advance(SECOND);
        assertThat(client.one().opcode()).isEqualTo(TftpOpcode.OACK);
    }

    @Test
    void ignoresADuplicateAckInsteadOfSendingTheNextBlockTwice() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        client.send(Packets.ack(1));
        assertThat(client.one().number()).isEqualTo(2);
        client.send(Packets.ack(1));
        assertThat(client.out.sent).isEmpty();
        assertThat(server.counters().duplicateAcks()).isEqualTo(1);
        client.send(Packets.ack(7));
        assertThat(client.out.sent).isEmpty();
        client.send(Packets.ack(2));
        assertThat(client.one().number()).isEqualTo(3);
    }

    @Test
    void aDuplicateAckDoesNotPostponeTheRetransmission() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        client.send(Packets.ack(1));
        client.one();
        long due = server.pollAt();
        client.now += TIMEOUT / 2;
        client.send(Packets.ack(1));
        assertThat(server.pollAt()).isEqualTo(due);
    }

    @Test
    void recoversFromALostAckByResendingTheBlock() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        client.send(Packets.ack(1));
        Recorder.Sent second = client.one();
        // the client's ACK 2 is lost: the server sends block 2 again and the client acknowledges the copy
        client.advance(TIMEOUT);
        assertThat(client.one().bytes()).isEqualTo(second.bytes());
        client.send(Packets.ack(2));
        Recorder.Sent third = client.one();
        assertThat(third.number()).isEqualTo(3);
        assertThat(third.data()).hasSize(1300 - 1024);
        client.send(Packets.ack(3));
        assertThat(server.activeTransfers()).isZero();
        assertThat(server.counters().completed()).isEqualTo(1);
    }

    @Test
    void givesUpThirtySecondsAfterTheBlockWasFirstSentAfterFiveRetransmissions() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        long sent = client.now;
        for (int i = 0; i < TftpServer.MAX_RETRANSMISSIONS; i++) {
            client.advance(TIMEOUT);
            assertThat(client.one().number()).isEqualTo(1);
        }
        client.advance(TIMEOUT);
        assertThat(client.out.sent).as("silent after five retransmissions").isEmpty();
        assertThat(server.activeTransfers()).isEqualTo(1);
        assertThat(server.pollAt()).isEqualTo(sent + TftpServer.HOLD_NANOS);
        client.advance(sent + TftpServer.HOLD_NANOS - client.now - 1);
        assertThat(server.activeTransfers()).isEqualTo(1);
        client.advance(1);
        assertThat(client.out.sent).isEmpty();
        assertThat(server.activeTransfers()).isZero();
        assertThat(server.counters().expired()).isEqualTo(1);
        assertThat(server.pollAt()).isEqualTo(Long.MAX_VALUE);
        client.send(Packets.ack(1));
        assertThat(client.out.sent).isEmpty();
        assertThat(server.counters().strays()).isEqualTo(1);
    }

    /**
     * atftp retries its last ACK every 5 s and answers only the first copy of a block it already has: on a lossy
     * link (10% each way) its ACK of block 38 and the ACK it sent again for the first copy were lost, the server's
     * next copies went unanswered, and the transfer was dropped 6 s after the block was sent, so the retry at 10 s
     * was a stray and atftp gave up ("tftp: aborting"). The transfer waits for that retry.
     */
    @Test
    void aClientsOwnRetryAfterTheFiveRetransmissionsStillMovesTheTransferOn() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        for (int i = 0; i < TftpServer.MAX_RETRANSMISSIONS; i++) {
            client.advance(TIMEOUT);
            client.one();
        }
        client.now += 10 * SECOND - TftpServer.MAX_RETRANSMISSIONS * TIMEOUT;
        server.poll(client.now, client.out);
        client.send(Packets.ack(1));
        assertThat(client.one().number()).isEqualTo(2);
        assertThat(server.counters().strays()).isZero();
        assertThat(server.pollAt()).isEqualTo(client.now + TIMEOUT);
    }

    /**
     * All six copies of block 2 lost: the client's retries of ACK 1 were dropped as duplicates while the transfer was
     * held, and it waited until the transfer was dropped. Each such retry now draws one copy, never more, and the
     * hold still ends when it did.
     */
    @Test
    void whileHeldEachRetryOfThePreviousAckDrawsOneCopyOfTheBlockInFlight() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        client.send(Packets.ack(1));
        byte[] second = client.one().bytes();
        long sent = client.now;
        for (int i = 0; i < TftpServer.MAX_RETRANSMISSIONS; i++) {
            client.advance(TIMEOUT);
            client.one();
        }
        client.advance(TIMEOUT);
        assertThat(client.out.sent).as("held: silent").isEmpty();
        client.send(Packets.ack(1));
        assertThat(client.one().bytes()).as("one copy for the retry").isEqualTo(second);
        client.send(Packets.ack(0));
        assertThat(client.out.sent).as("not for an older ACK").isEmpty();
        client.advance(TIMEOUT);
        assertThat(client.out.sent).as("the timer stays silent").isEmpty();
        assertThat(server.pollAt()).isEqualTo(sent + TftpServer.HOLD_NANOS);
        client.send(Packets.ack(2));
        assertThat(client.one().number()).as("the copy arrived: the transfer moves on").isEqualTo(3);
        client.send(Packets.ack(2));
        assertThat(client.out.sent).as("not held any more: a duplicate draws nothing").isEmpty();
    }

    @Test
    void aNegotiatedTimeoutLongerThanSixSecondsGivesUpOneTimeoutAfterTheLastRetransmission() {
        client.send(Packets.rrq("f.bin", "octet", "timeout", "7"));
        client.one();
        for (int i = 0; i < TftpServer.MAX_RETRANSMISSIONS; i++) {
            client.advance(7 * SECOND);
            client.one();
        }
        client.advance(7 * SECOND - 1);
        assertThat(server.activeTransfers()).isEqualTo(1);
        client.advance(1);
        assertThat(server.activeTransfers()).isZero();
        assertThat(server.counters().expired()).isEqualTo(1);
    }

    @Test
    void restartsTheRetryCountWhenABlockIsAcknowledged() {
        client.send(Packets.rrq("f.bin", "octet"));
        client.one();
        for (int i = 0; i < TftpServer.MAX_RETRANSMISSIONS; i++) {
            client.advance(TIMEOUT);
            client.one();
        }
        client.send(Packets.ack(1));
        client.one();
        for (int i = 0; i < TftpServer.MAX_RETRANSMISSIONS; i++) {
            client.advance(TIMEOUT);
            assertThat(client.one().number()).isEqualTo(2);
        }
        assertThat(server.activeTransfers()).isEqualTo(1);
    }

    @Test
    void keepsResendingTheFinalBlockUntilItsAckArrives() {
        client.send(Packets.rrq("f.bin", "octet", "blksize", "1432"));
        client.one();
        client.send(Packets.ack(0));
        Recorder.Sent only = client.one();
        assertThat(only.data()).hasSize(1300);
        client.advance(TIMEOUT);
        assertThat(client.one().bytes()).isEqualTo(only.bytes());
        client.send(Packets.ack(1));
        assertThat(server.activeTransfers()).isZero();
        client.advance(TIMEOUT);
        assertThat(client.out.sent).isEmpty();
    }

    @Test
    void endsTheTransferWhenTheClientSendsAnError() {
        client.send(Packets.rrq("f.bin", "octet", "blksize", "512"));
        client.one();
        client.send(Packets.error(8, "option refused"));
        assertThat(server.activeTransfers()).isZero();
        assertThat(server.counters().aborted()).isEqualTo(1);
        client.advance(TIMEOUT);
        assertThat(client.out.sent).isEmpty();
    }
}
