package io.vnet4j.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.usernet.flow.OutboundAddresses;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSynOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connection table's bound, with real host sockets on loopback and a table of two. */
@Timeout(30)
class TcpNatTableTest extends TcpNatRig {
    @BeforeEach
    void tableOfTwo() {
        tcp.maxConnections(2);
    }

    @Test
    void theTableHoldsHalfTheDescriptorLimitWithinItsBounds() {
        assertThat(TcpNat.connectionsUnder(400)).isEqualTo(200);
        assertThat(TcpNat.connectionsUnder(20)).isEqualTo(TcpNat.MIN_CONNECTIONS);
        assertThat(TcpNat.connectionsUnder(1_048_576)).isEqualTo(TcpNat.MAX_CONNECTIONS);
        assertThat(TcpNat.connectionsUnder(Long.MAX_VALUE)).as("unknown or unlimited").isEqualTo(TcpNat.MAX_CONNECTIONS);
    }

    @Test
    void aConnectionInTimeWaitGivesWayToANewOne() throws IOException {
        timeWait(40001);
        timeWait(40002);
        int iss = open(40003);
        assertThat(iss).as("a SYN-ACK, not a RST").isNotZero();
        assertThat(tcp.connectionCount()).isEqualTo(2);
        assertThat(counts()).contains("1 in TIME_WAIT; 1 TIME_WAITs ended early and 0 unanswered connects given up for a new connection, 0 refused");
        guest(40001, TcpFlags.ACK | TcpFlags.FIN, GISN + 1, 0); // the oldest is gone: its FIN again is answered with RST
        assertThat(sent.getLast().flags() & TcpFlags.RST).isNotZero();
    }

    /**
     * In TIME_WAIT the host socket has nothing left to do: its descriptor is given back at once (it was held
     * for TIME_WAIT's 2 s: the warm-up's connections so peaked at 250 descriptors). The connection stays, and
     * the guest's retransmitted FIN is still acknowledged, not reset.
     */
    @Test
    void aConnectionInTimeWaitHoldsNoHostDescriptor() throws IOException {
        long before = openDescriptors();
        int iss = timeWait(40001);
        assertThat(openDescriptors()).as("the host socket closed").isEqualTo(before);
        List<String> lines = new ArrayList<>();
        tcp.describe(lines);
        assertThat(lines.getFirst()).as("where it went, still").contains(" via host 127.0.0.1:" + target.getPort() + " TIME_WAIT");
        sent.clear();
        guest(40001, TcpFlags.ACK | TcpFlags.FIN, GISN + 1, iss + 2);
        assertThat(sent).singleElement().satisfies(ack -> assertThat(ack.flags()).isEqualTo(TcpFlags.ACK));
        assertThat(tcp.connections()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo("TIME_WAIT"));
    }

    /**
     * microsoft/openvmm#4149, replayed by helper-122: a guest that binds its source port again at once (the
     * server closed first, so the guest kept no TIME-WAIT) sends a SYN on the four-tuple of a connection of ours
     * in TIME_WAIT. Beyond all that connection received, it opens a new one, as Linux's TIME-WAIT does (RFC 1122
     * section 4.2.2.13): it was answered with a challenge ACK, the guest reset, and its SYN came again 10-15 ms
     * later, each time.
     */
    @Test
    void aSynBeyondRcvNxtReopensAConnectionInTimeWait() throws IOException {
        timeWait(40001);
        sent.clear();
        guest(40001, TcpFlags.SYN, GISN + 100_000, 0);
        while (sent.isEmpty()) {
            pump();
        }
        assertThat(sent.getFirst()).satisfies(synAck -> {
            assertThat(synAck.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
            assertThat(synAck.ack()).isEqualTo(GISN + 100_001);
        });
        assertThat(tcp.connections()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo("SYN_RECEIVED"));
        held.add(listener.accept());
    }

    /** A SYN not beyond RCV.NXT in TIME_WAIT is an old duplicate: a challenge ACK, the connection kept (RFC 5961 4.2). */
    @Test
    void anOldSynInTimeWaitGetsAChallengeAck() throws IOException {
        int iss = timeWait(40001);
        sent.clear();
        guest(40001, TcpFlags.SYN, GISN, 0);
        assertThat(sent).singleElement().satisfies(ack -> {
            assertThat(ack.flags()).isEqualTo(TcpFlags.ACK);
            assertThat(ack.seq()).isEqualTo(iss + 2);
        });
        assertThat(tcp.connections()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo("TIME_WAIT"));
    }

    @Test
    void liveConnectionsAreNeverClosedForANewOne() throws IOException {
        open(40001);
        open(40002);
        guest(40003, TcpFlags.SYN, GISN, 0);
        assertThat(sent.getLast().flags() & TcpFlags.RST).isNotZero();
        assertThat(tcp.connectionCount()).isEqualTo(2);
        assertThat(counts()).contains("0 TIME_WAITs ended early and 0 unanswered connects given up for a new connection, 1 refused with the table full, 0 forwarded connections reset with no guest at their address, 0 probes "
                + "of connections the guest closed first and 0 SYNs left for their retransmission meanwhile; segments "
                + "resent to guests: 0 (0 at a time-out)");
    }

    /**
     * slirp4netns#350: guests that close while their host server never does. With the table full, those
     * connections are probed and the new SYN is dropped for its retransmission; a guest that forgot one answers
     * with RST, which frees its entry, and the retransmitted SYN gets it.
     */
    @Test
    void connectionsTheGuestClosedAndForgotAreProbedAndGiveWayToANewOne() throws IOException {
        int forgotten = guestClosed(40001);
        int kept = guestClosed(40002);
        sent.clear();
        guest(40003, TcpFlags.SYN, GISN, 0);
        assertThat(sent).as("a probe to each, nothing to the new SYN").extracting(Seg::guestPort).containsExactlyInAnyOrder(40001, 40002);
        assertThat(sent).allSatisfy(p -> assertThat(p.flags()).isEqualTo(TcpFlags.ACK));
        sent.clear();
        guest(40003, TcpFlags.SYN, GISN, 0); // too soon: the round went out; still dropped, no second round
        assertThat(sent).isEmpty();
        guest(40001, TcpFlags.RST, GISN + 2, 0); // the guest's answer where it forgot the connection
        guest(40002, TcpFlags.ACK, GISN + 2, kept + 1); // and where it still has it (it only shut down its sending side)
        assertThat(tcp.connectionCount()).isEqualTo(1);
        now += TcpNat.PROBE_ROUND;
        assertThat(open(40003)).as("the retransmitted SYN is answered with a SYN-ACK").isNotZero();
        assertThat(counts()).contains("0 refused with the table full, 0 forwarded connections reset with no guest at their address, 2 probes of connections the guest closed first and "
                + "2 SYNs left for their retransmission meanwhile");
        assertThat(forgotten).isNotZero();
    }

    /**
     * gvisor-tap-vsock#127's kind: a guest's SYNs to a host that never answers (a SYN scan of a firewall
     * that drops them) held the table for the handshake's 75 s and refused every other connection. With the
     * table full, the oldest connect still unanswered gives way at once, silently, as Linux's conntrack
     * early_drop: the guest has seen no answer to it (helper-160: with the 3 s every SYN-ACK has, a guest's scan
     * kept other connections out, and another guest's on a hub).
     */
    @Test
    void theOldestUnansweredConnectGivesWayToANewConnection() throws IOException {
        try (ServerSocketChannel silent = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 1)) {
            InetSocketAddress blackhole = (InetSocketAddress) silent.getLocalAddress();
            for (int i = 0; i < 2; i++) { // its accept queue (backlog 1) full: the kernel drops further SYNs, a connect waits
                held.add(SocketChannel.open(blackhole));
            }
            guest(40001, TcpFlags.SYN, GISN, 0, blackhole);
            guest(40002, TcpFlags.SYN, GISN, 0, blackhole);
            pump();
            assertThat(sent).as("no answer from the host, none to the guest").isEmpty();
            assertThat(tcp.connections()).extracting(TcpNat.ConnectionInfo::state).containsOnly("CONNECTING");

            assertThat(open(40003)).as("a SYN-ACK for the new connection, not a RST").isNotZero();
            assertThat(sent).extracting(Seg::guestPort).doesNotContain(40001, 40002); // the dropped attempt is told nothing
            assertThat(tcp.connections()).extracting(TcpNat.ConnectionInfo::guestPort).containsExactlyInAnyOrder(40002, 40003);
            assertThat(counts()).contains("1 unanswered connects given up for a new connection, 0 refused");
        }
    }

    /**
     * passt-dev, "tcp: ... duplicate SYN ... TAP_SYN_RCVD" (a server with considerable latency: the client resent
     * its SYN while passt still waited for the host side, and the connection was reset). Replayed by helper-133
     * with a namespace guest and a host listener whose accept queue was full for 5 s (the guest resent its SYN
     * twice meanwhile): it connected after 5.1 s, and its bytes went through. Here the same: the resent SYN
     * while the host connect waits keeps the one connection, untold, and the handshake ends once the host
     * answers.
     */
    @Test
    void aSynResentWhileTheHostConnectWaitsKeepsTheOneConnection() throws IOException {
        try (ServerSocketChannel slow = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 1)) {
            InetSocketAddress busy = (InetSocketAddress) slow.getLocalAddress();
            for (int i = 0; i < 2; i++) { // its accept queue (backlog 1) full: the kernel drops further SYNs, a connect waits
                held.add(SocketChannel.open(busy));
            }
            guest(40001, TcpFlags.SYN, GISN, 0, busy);
            pump();
            guest(40001, TcpFlags.SYN, GISN, 0, busy); // the guest's own retransmission, 1 s on
            guest(40001, TcpFlags.SYN, GISN, 0, busy); // and 3 s on
            pump();
            assertThat(sent).as("nothing to the guest yet, no RST").isEmpty();
            assertThat(tcp.connections()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo("CONNECTING"));

            slow.accept().close(); // the queue drains; the kernel's own SYN retransmission (1 s) gets in
            slow.accept().close();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (sent.isEmpty() && System.nanoTime() < deadline) {
                pump();
            }
            assertThat(sent).singleElement().satisfies(synAck -> {
                assertThat(synAck.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
                assertThat(synAck.ack()).isEqualTo(GISN + 1);
            });
            guest(40001, TcpFlags.ACK, GISN + 1, sent.getFirst().seq() + 1, busy);
            assertThat(tcp.connections()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo("ESTABLISHED"));
            held.add(slow.accept());
        }
    }

    /** The same for a host forward's SYN that a silent guest never answers. */
    @Test
    void theOldestUnansweredSynToTheGuestGivesWayToANewConnection() throws IOException {
        for (int port = 40011; port <= 40012; port++) {
            held.add(SocketChannel.open(target));
            tcp.forward(listener.accept(), GUEST, 5000, GATEWAY, port, ++now);
        }
        assertThat(sent).as("our SYNs to the guest, unanswered").hasSize(2).allSatisfy(s -> assertThat(s.flags()).isEqualTo(TcpFlags.SYN));
        now += TcpNat.GIVE_WAY_AFTER;
        assertThat(open(40003)).as("a SYN-ACK for the new connection").isNotZero();
        assertThat(tcp.connections()).extracting(TcpNat.ConnectionInfo::remotePort).containsExactlyInAnyOrder(40012, target.getPort());
        assertThat(counts()).contains("1 unanswered connects given up");
    }

    /**
     * A helper's replay: SYNs from an address that never answers our SYN-ACKs (a flood, a spoofed source) held
     * the whole table for the handshake's 75 s, and every other guest's connection was refused with a RST.
     * The oldest of them gives way, as a full SYN queue drops its oldest request.
     */
    @Test
    void theOldestSynAckTheGuestNeverAnsweredGivesWayToANewConnection() throws IOException {
        for (int port = 40001; port <= 40002; port++) {
            sent.clear();
            guest(port, TcpFlags.SYN, GISN, 0);
            while (sent.isEmpty()) {
                pump();
            }
            assertThat(sent.getFirst().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK); // never acknowledged
        }
        assertThat(tcp.connections()).extracting(TcpNat.ConnectionInfo::state).containsOnly("SYN_RECEIVED");
        now += TcpNat.GIVE_WAY_AFTER;
        assertThat(open(40003)).as("a SYN-ACK for the new connection, not a RST").isNotZero();
        assertThat(tcp.connections()).extracting(TcpNat.ConnectionInfo::guestPort).containsExactlyInAnyOrder(40002, 40003);
        assertThat(counts()).contains("1 unanswered connects given up for a new connection, 0 refused");
    }

    /**
     * helper-157's replay of docker/for-mac#2610 (a guest opening 6,000 connections at once to a table of 4,096):
     * a SYN-ACK sent a moment before gave way to the next SYN, so the guest's connect succeeded and its first
     * write was reset. An attempt unanswered for less than {@link TcpNat#GIVE_WAY_AFTER} keeps its room: the new
     * SYN is dropped, untold, and a retransmission of it after that time takes the room of an attempt still
     * unanswered, or is refused when all have become connections.
     */
    @Test
    void aSynAckSentAMomentAgoKeepsItsRoomAndTheNewSynWaitsForItsRetransmission() throws IOException {
        int[] iss = new int[2];
        for (int port = 40001; port <= 40002; port++) {
            sent.clear();
            guest(port, TcpFlags.SYN, GISN, 0);
            while (sent.isEmpty()) {
                pump();
            }
            iss[port - 40001] = sent.getFirst().seq();
        }
        sent.clear();
        guest(40003, TcpFlags.SYN, GISN, 0);
        assertThat(sent).as("the new SYN dropped, untold").isEmpty();
        guest(40001, TcpFlags.ACK, GISN + 1, iss[0] + 1); // the guest's ACK, in flight meanwhile
        assertThat(sent).as("no RST for the connection the guest believes open").isEmpty();
        assertThat(tcp.connections()).extracting(TcpNat.ConnectionInfo::state).containsExactlyInAnyOrder("ESTABLISHED", "SYN_RECEIVED");
        assertThat(counts()).contains("0 unanswered connects given up for a new connection, 0 refused").contains("1 SYNs left for their retransmission");

        now += TcpNat.GIVE_WAY_AFTER; // a retransmission: the SYN-ACK the guest never answered gives way
        assertThat(open(40003)).as("a SYN-ACK").isNotZero();
        assertThat(tcp.connections()).extracting(TcpNat.ConnectionInfo::guestPort).containsExactlyInAnyOrder(40001, 40003);
        assertThat(open(40004)).as("every connection alive: refused").isZero();
    }

    /**
     * A host socket that cannot be had (here its bind to an outbound address this host lacks; a helper's replay
     * ran out of descriptors, EMFILE): the guest is told at once, as libslirp's tcp_fconnect does, where it
     * resent its SYN for two minutes; the socket is closed, not kept.
     */
    @Test
    void aSynWhoseHostSocketCannotBeHadIsToldUnreachableAtOnce() throws IOException {
        List<String> reports = new ArrayList<>();
        tcp.onUnreachable((remote, remotePort, guest, guestPort, sequence, cause) ->
                reports.add(guestPort + " " + sequence + " " + cause.getMessage()));
        tcp.outboundAddresses(new OutboundAddresses(IpAddress.ofIpv4(Ipv4Address.parse("198.51.100.254")), null));
        long before = openDescriptors();
        for (int i = 0; i < 20; i++) {
            guest(40001, TcpFlags.SYN, GISN, 0);
        }
        assertThat(reports).hasSize(20).allSatisfy(r -> assertThat(r).startsWith("40001 " + GISN + " "));
        assertThat(tcp.connectionCount()).isZero();
        assertThat(sent).isEmpty();
        assertThat(openDescriptors()).as("no socket kept").isLessThan(before + 5);
    }

    private static long openDescriptors() throws IOException {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** A connection whose guest sent its FIN while the host keeps its side open; returns our initial sequence number. */
    private int guestClosed(int guestPort) throws IOException {
        int iss = open(guestPort);
        held.add(listener.accept()); // held open, as the report's server does (closed after the test)
        guest(guestPort, TcpFlags.ACK | TcpFlags.FIN, GISN + 1, iss + 1);
        return iss;
    }

    /** Opens a connection from {@code guestPort} to the listener; returns our initial sequence number (0 after RST). */
    private int open(int guestPort) throws IOException {
        sent.clear();
        guest(guestPort, TcpFlags.SYN, GISN, 0);
        while (sent.isEmpty()) {
            pump();
        }
        Seg synAck = sent.getFirst();
        if ((synAck.flags() & TcpFlags.RST) != 0) {
            return 0;
        }
        guest(guestPort, TcpFlags.ACK, GISN + 1, synAck.seq() + 1);
        return synAck.seq();
    }

    /** A connection the host closes first, so that our FIN goes first and the guest's last ACK leaves us in TIME_WAIT. */
    private int timeWait(int guestPort) throws IOException {
        int iss = open(guestPort);
        try (SocketChannel host = listener.accept()) {
            host.shutdownOutput();
            sent.clear();
            while (sent.stream().noneMatch(s -> (s.flags() & TcpFlags.FIN) != 0)) {
                pump();
            }
        }
        guest(guestPort, TcpFlags.ACK | TcpFlags.FIN, GISN + 1, iss + 2);
        assertThat(tcp.connections()).anyMatch(c -> c.guestPort() == guestPort && c.state().equals("TIME_WAIT"));
        return iss;
    }

    private void guest(int guestPort, int flags, int sequence, int acknowledgment) {
        guest(guestPort, flags, sequence, acknowledgment, target);
    }

    private void guest(int guestPort, int flags, int sequence, int acknowledgment, InetSocketAddress to) {
        TcpSynOptions options = (flags & TcpFlags.SYN) != 0 ? new TcpSynOptions(1460, -1, false) : null;
        tcp.guestSegment(GUEST, guestPort, GATEWAY, to.getPort(), flags, sequence, acknowledgment, 65535, options, null,
                ByteBuffer.allocate(0), 0, 0, to, ++now);
        tcp.flushAcks();
    }

    private void pump() throws IOException {
        selector.select(100);
        selector.forEachReady(k -> tcp.ready((TcpNat.Flow) k.attachment(), ++now));
    }

    private String counts() {
        List<String> lines = new ArrayList<>();
        tcp.describe(lines);
        return lines.getLast();
    }
}
