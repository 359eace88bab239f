package io.vnet4j.usernet.tcp;

import static io.vnet4j.usernet.tcp.TcpConnection.State.ESTABLISHED;
import static io.vnet4j.usernet.tcp.TcpConnection.State.SYN_SENT;
import static io.vnet4j.wire.TcpFlags.ACK;
import static io.vnet4j.wire.TcpFlags.RST;
import static io.vnet4j.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vnet4j.usernet.tcp.TcpHarness.Seg;
import io.vnet4j.wire.TcpSynOptions;
import org.junit.jupiter.api.Test;

/**
 * packetdrill scripts replayed against the gateway's side of a guest's TCP connection: Google's
 * (google/packetdrill, gtests/net/tcp) and Michael Tüxen's FreeBSD suite (freebsd-net/tcp-testsuite, now
 * tuexen/freebsd-packetdrill). The guest plays the script's remote side; the gateway plays the socket under test,
 * its host socket the script's system calls. Only scripts whose expectations are RFC behaviour are replayed, with
 * the RFC section each checks. gVisor's packetimpact replays are in {@link TcpConformanceTest}.
 */
class TcpPacketdrillTest {
    static final int ISS = 1000;
    static final int GISN = 5000;
    static final int BUF = 65536;

    /**
     * freebsd-net/tcp-testsuite state-event-engine/rcv-ack-syn-sent (rcv-ack-without-data-syn-sent-ack-left-edge,
     * rcv-ack-with-data-syn-sent-ack-left-edge and the outside-left/outside-right ones): in SYN-SENT (our SYN to the
     * guest, a host forward) an ACK without SYN that acknowledges our SYN is acceptable and the segment is dropped
     * (RFC 9293 section 3.10.7.3: "If neither of the SYN or RST bits is set, then drop the segment and return"),
     * the SYN still resent at the RTO and the guest's SYN-ACK still establishing; only an unacceptable one gets
     * {@code <SEQ=SEG.ACK><CTL=RST>}. Linux's tcp_rcv_synsent_state_process drops it too.
     */
    @Test
    void synSentAnAcceptableAckWithoutSynIsDropped() {
        TcpHarness h = new TcpHarness(1460, BUF, ISS);
        h.c.openToGuest(h.now);
        assertThat(h.one().flags()).isEqualTo(SYN);

        h.guest(ACK, GISN, ISS + 1, 32767);
        h.guest(ACK, GISN, ISS + 1, 32767, new byte[3]);
        h.nothingSent();
        assertThat(h.c.state()).isEqualTo(SYN_SENT);

        h.guest(ACK, GISN, ISS, 32767); // SND.NXT - 1
        h.guest(ACK, GISN, ISS + 2, 32767, new byte[3]); // SND.NXT + 1
        assertThat(h.take()).extracting(Seg::flags, Seg::seq).containsExactly(
                tuple(RST, ISS), tuple(RST, ISS + 2));

        h.untilNextDeadline();
        assertThat(h.one().flags()).isEqualTo(SYN);
        h.guestSynAck(GISN, ISS + 1, 32767, new TcpSynOptions(1460, -1, true));
        assertThat(h.one().ack()).isEqualTo(GISN + 1);
        assertThat(h.c.state()).isEqualTo(ESTABLISHED);
    }
}
