package io.vnet4j.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSynOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * gVisor's packetimpact scenarios that end by checking that a connection is gone (a segment on its
 * four-tuple is answered with RST, or a SYN opens a new one), replayed against the connection table with
 * real host sockets on loopback; the rest are in {@link TcpConformanceTest}. RFC 9293 section 3.10.7.1: a
 * segment of no connection (CLOSED) gets {@code <SEQ=SEG.ACK><CTL=RST>} when it carries an ACK.
 */
@Timeout(30)
class TcpNatConformanceTest extends TcpNatRig {
    private static final int GUEST_PORT = 40001;

    /**
     * packetimpact tcp_synrcvd_reset_test: the guest's RST in SYN-RECEIVED closes the connection (RFC 9293
     * section 3.10.7.4), so its next ACK is answered with RST.
     */
    @Test
    void synReceivedResetThenAnAckIsReset() throws IOException {
        guest(TcpFlags.SYN, GISN, 0);
        Seg synAck = until(s -> s.has(TcpFlags.SYN | TcpFlags.ACK));
        held.add(listener.accept());
        guest(TcpFlags.RST, GISN + 1, 0);
        assertThat(tcp.connectionCount()).isZero();
        answeredWithReset(synAck.seq() + 1);
    }

    /**
     * packetimpact tcp_synsent_reset_test (TestTCPSynSentReset): a host forward's SYN to the guest met by its
     * RST|ACK closes the connection (RFC 9293 section 3.10.7.3), so the guest's next ACK is answered with RST.
     */
    @Test
    void synSentResetThenAnAckIsReset() throws IOException {
        held.add(SocketChannel.open(target));
        tcp.forward(listener.accept(), GUEST, GUEST_PORT, GATEWAY, target.getPort(), ++now);
        Seg syn = sent.getFirst();
        assertThat(syn.flags()).isEqualTo(TcpFlags.SYN);
        guest(TcpFlags.RST | TcpFlags.ACK, GISN, syn.seq() + 1);
        assertThat(tcp.connectionCount()).isZero();
        answeredWithReset(syn.seq() + 1);
    }

    /**
     * A host forward's client that closes while our SYN to the guest is unanswered deletes the connection (RFC
     * 9293 section 3.10.4, CLOSE in SYN-SENT, as libslirp's tcp_sockclosed): the guest's SYN-ACK then meets no
     * connection and is answered with RST (section 3.10.7.1), not with an ACK and then our FIN.
     */
    @Test
    void aClientClosedInSynSentHasTheGuestsSynAckReset() throws IOException {
        SocketChannel client = SocketChannel.open(target);
        tcp.forward(listener.accept(), GUEST, GUEST_PORT, GATEWAY, target.getPort(), ++now);
        Seg syn = sent.getFirst();
        assertThat(syn.flags()).isEqualTo(TcpFlags.SYN);
        client.close();
        for (int i = 0; i < 100 && tcp.connectionCount() > 0; i++) {
            selector.select(100);
            selector.forEachReady(k -> tcp.ready((TcpNat.Flow) k.attachment(), ++now));
        }
        assertThat(tcp.connectionCount()).isZero();
        sent.clear();
        guest(TcpFlags.SYN | TcpFlags.ACK, GISN, syn.seq() + 1);
        assertThat(sent).singleElement().satisfies(rst -> {
            assertThat(rst.flags()).isEqualTo(TcpFlags.RST);
            assertThat(rst.seq()).isEqualTo(syn.seq() + 1);
        });
    }

    /**
     * packetimpact tcp_timewait_reset_test: a RST in TIME-WAIT closes the connection (Linux's default,
     * tcp_rfc1337 = 0), so the guest's next ACK is answered with RST.
     */
    @Test
    void timeWaitResetThenAnAckIsReset() throws IOException {
        int iss = open();
        try (SocketChannel host = listener.accept()) {
            host.shutdownOutput();
            until(s -> s.has(TcpFlags.FIN));
        }
        guest(TcpFlags.ACK, GISN + 1, iss + 2);
        sent.clear();
        guest(TcpFlags.ACK | TcpFlags.FIN, GISN + 1, iss + 2);
        assertThat(sent).singleElement().satisfies(ack -> assertThat(ack.ack()).isEqualTo(GISN + 2));
        assertThat(tcp.connections()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo("TIME_WAIT"));
        guest(TcpFlags.RST, GISN + 2, 0);
        assertThat(tcp.connectionCount()).isZero();
        answeredWithReset(iss + 2);
    }

    /**
     * packetimpact fin_wait2_reset_test: after the host closed first and the guest acknowledged our FIN
     * (FIN-WAIT-2), the guest's RST|ACK closes the connection at once, and a SYN on the same four-tuple is
     * answered with a SYN-ACK of a new connection.
     */
    @Test
    void finWait2ResetThenASynOpensANewConnection() throws IOException {
        int iss = open();
        try (SocketChannel host = listener.accept()) {
            host.shutdownOutput();
            until(s -> s.has(TcpFlags.FIN));
            guest(TcpFlags.ACK, GISN + 1, iss + 2);
            assertThat(tcp.connections()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo("FIN_WAIT_2"));
            guest(TcpFlags.RST | TcpFlags.ACK, GISN + 1, iss + 2);
            assertThat(tcp.connectionCount()).isZero();
        }
        sent.clear();
        guest(TcpFlags.SYN, GISN + 50_000, 0);
        Seg synAck = until(s -> true);
        assertThat(synAck.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(synAck.ack()).isEqualTo(GISN + 50_001);
        held.add(listener.accept());
    }

    /**
     * packetimpact tcp_close_wait_ack_test and tcp_unacc_seq_ack_test (TestPassiveCloseUnaccSeqAck), their
     * end: the guest closed first (CLOSE_WAIT), the host then closed, and the guest acknowledged our FIN
     * (LAST-ACK to CLOSED, RFC 9293 section 3.10.7.4); data the guest sends after that is answered with RST.
     */
    @Test
    void afterLastAckDataIsReset() throws IOException {
        int iss = open();
        SocketChannel host = listener.accept();
        held.add(host);
        guest(TcpFlags.ACK | TcpFlags.FIN, GISN + 1, iss + 1);
        assertThat(tcp.connections()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo("CLOSE_WAIT"));
        sent.clear();
        host.close();
        until(s -> s.has(TcpFlags.FIN));
        guest(TcpFlags.ACK, GISN + 2, iss + 2);
        assertThat(tcp.connectionCount()).isZero();
        sent.clear();
        tcp.guestSegment(GUEST, GUEST_PORT, GATEWAY, target.getPort(), TcpFlags.ACK, GISN + 2, iss + 2, 65535, null, null,
                ByteBuffer.wrap("Sample Data".getBytes()), 0, 11, target, ++now);
        assertThat(sent).singleElement().satisfies(rst -> {
            assertThat(rst.flags()).isEqualTo(TcpFlags.RST);
            assertThat(rst.seq()).isEqualTo(iss + 2);
        });
    }

    /** The guest's ACK {@code ack} on the four-tuple, for no connection: answered with {@code <SEQ=ack><CTL=RST>}. */
    private void answeredWithReset(int ack) {
        sent.clear();
        guest(TcpFlags.ACK, GISN + 1, ack);
        assertThat(sent).singleElement().satisfies(rst -> {
            assertThat(rst.flags()).isEqualTo(TcpFlags.RST);
            assertThat(rst.seq()).isEqualTo(ack);
        });
    }

    /** Opens a connection from the guest to the listener; returns our initial sequence number. */
    private int open() throws IOException {
        guest(TcpFlags.SYN, GISN, 0);
        Seg synAck = until(s -> true);
        assertThat(synAck.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        guest(TcpFlags.ACK, GISN + 1, synAck.seq() + 1);
        return synAck.seq();
    }

    /** Pumps the host sockets until a segment matching {@code wanted} was sent to the guest; returns it. */
    private Seg until(Predicate<Seg> wanted) throws IOException {
        while (sent.stream().noneMatch(wanted)) {
            selector.select(100);
            selector.forEachReady(k -> tcp.ready((TcpNat.Flow) k.attachment(), ++now));
        }
        return sent.stream().filter(wanted).findFirst().orElseThrow();
    }

    private void guest(int flags, int sequence, int acknowledgment) {
        TcpSynOptions options = (flags & TcpFlags.SYN) != 0 ? new TcpSynOptions(1460, -1, false) : null;
        tcp.guestSegment(GUEST, GUEST_PORT, GATEWAY, target.getPort(), flags, sequence, acknowledgment, 65535, options,
                null, ByteBuffer.allocate(0), 0, 0, target, ++now);
        tcp.flushAcks();
    }
}
