package io.vnet4j.usernet.tftp;

import java.io.IOException;
import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A read-only TFTP server (RFC 1350 with the option extension of RFC 2347, blksize of RFC 2348, tsize and
 * timeout of RFC 2349) as pure logic: datagrams and the time come in, replies go to a {@link TftpOutput}.
 *
 * <ul>
 *   <li>Replies go from {@link #PORT}, not from a fresh port per transfer as RFC 1350 asks, like libslirp;
 *       transfers are therefore keyed by client address and port, and an RRQ from a pair with a transfer
 *       restarts it. They come from the address the request went to (a guest may ask fd00::2 from its
 *       link-local address, and a client that checks the server's address drops replies from another).
 *   <li>Only octet mode is served; netascii and mail get "Unsupported transfer mode", as from libslirp.
 *       WRQ gets "read-only" (access violation). Names are resolved as {@link TftpRoot} describes.
 *   <li>An OACK is sent when any option is acknowledged (see {@link TftpOptions#acknowledge(long)}) and the
 *       first DATA waits for ACK 0; otherwise DATA 1 goes at once. Block numbers wrap from 65535 to 0.
 *   <li>Each DATA is read from the file when sent, never the whole file. Only the ACK of the block in flight
 *       advances; others, duplicates included, are dropped, so a late ACK never doubles the traffic (RFC 1123
 *       section 4.2.3.1's Sorcerer's Apprentice), except while the transfer is held (below).
 *   <li>The packet in flight is sent again after the negotiated timeout, else {@link #DEFAULT_TIMEOUT_NANOS};
 *       after {@link #MAX_RETRANSMISSIONS} the transfer waits silently for the client's own retry and is dropped
 *       {@link #HOLD_NANOS} after the packet was first sent, or one timeout after the last retransmission when
 *       that is later. Clients retry every 5 s (atftp, tftp-hpa, curl), and atftp answers only the first copy of
 *       a block it already has: dropped 6 s after a lost ACK, its transfers failed on a lossy link, each retry a
 *       stray. Meanwhile a retry of the previous block's ACK draws one copy of the packet in flight: a client
 *       that lost all six would otherwise wait for nothing. libslirp never retransmits and keeps an idle transfer
 *       until a new request needs its slot.
 *   <li>At most {@code maxSessions} transfers run at once; further requests get "too many transfers".
 * </ul>
 *
 * Not thread-safe: one event loop drives it, and {@link TftpOutput#send} must not call back into it.
 */
public final class TftpServer implements AutoCloseable {
    /** The port clients send requests to and replies come from. */
    public static final int PORT = 69;
    /** One second: a local virtual link answers in microseconds, and boot ROMs retransmit on their own too. */
    public static final long DEFAULT_TIMEOUT_NANOS = 1_000_000_000L;
    /** Retransmissions of one packet before the transfer waits silently for the client's retry. */
    public static final int MAX_RETRANSMISSIONS = 5;
    /**
     * How long after a packet was first sent, unanswered, its transfer is kept for the client's own retries: past
     * tftp-hpa's 25 s and atftp's five tries of 5 s; dnsmasq gives up after about 29 s.
     */
    public static final long HOLD_NANOS = 30_000_000_000L;

    static final String ILLEGAL_OPERATION = "Illegal TFTP operation";
    static final String UNSUPPORTED_MODE = "Unsupported transfer mode";
    static final String READ_ONLY = "read-only";
    static final String TOO_MANY_TRANSFERS = "too many transfers";
    static final String READ_ERROR = "Read error";

    private final TftpRoot root;
    private final int maxSessions;
    /** Transfers by client: its address (either family) and port. */
    private final Map<Client, TftpSession> sessions = new HashMap<>();

    private record Client(IpAddress ip, int port) {}
    private final TftpPacket packet = new TftpPacket();
    private final ByteBuffer tx =
            ByteBuffer.allocate(TftpWriter.DATA_HEADER_LENGTH + TftpOptions.SERVED_MAX_BLOCK_SIZE);
    /** The data area of {@link #tx}, for channel reads. */
    private final ByteBuffer txData = tx.slice(TftpWriter.DATA_HEADER_LENGTH, TftpOptions.SERVED_MAX_BLOCK_SIZE);
    private final TftpCounters counters = new TftpCounters();
    /** Transfers begun, ever. */
    private long started;

    /** Serves the files under {@code root} to at most {@code maxSessions} concurrent transfers. */
    public TftpServer(Path root, int maxSessions) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1: " + maxSessions);
        }
        this.root = new TftpRoot(root);
        this.maxSessions = maxSessions;
    }

    /**
     * Handles one datagram a client sent to {@code serverIp}:{@link #PORT}: {@code length} bytes of UDP payload
     * from {@code offset}.
     */
    public void receive(IpAddress serverIp, IpAddress clientIp, int clientPort, ByteBuffer in, int offset, int length,
            long nowNanos, TftpOutput out) {
        Client key = new Client(clientIp, clientPort);
        TftpFault fault = packet.wrap(in, offset, length).check();
        if (fault != TftpFault.NONE) {
            counters.malformed++;
            int opcode = packet.opcode();
            if (opcode == TftpOpcode.RRQ || opcode == TftpOpcode.WRQ || fault == TftpFault.UNKNOWN_OPCODE) {
                refuse(key, serverIp, clientIp, clientPort, TftpErrorCode.ILLEGAL_OPERATION, ILLEGAL_OPERATION, out);
            }
            return;
        }
        switch (packet.opcode()) {
            case TftpOpcode.RRQ -> start(key, serverIp, clientIp, clientPort, packet.request(), nowNanos, out);
            case TftpOpcode.WRQ -> refuse(key, serverIp, clientIp, clientPort, TftpErrorCode.ACCESS_VIOLATION, READ_ONLY, out);
            case TftpOpcode.ACK -> acknowledged(key, packet.block(), nowNanos, out);
            case TftpOpcode.ERROR -> abortedByClient(key);
            default -> refuse(key, serverIp, clientIp, clientPort, TftpErrorCode.ILLEGAL_OPERATION, ILLEGAL_OPERATION, out);
        }
    }

    /** Retransmits what is due at {@code nowNanos} and gives up transfers out of retries. */
    public void poll(long nowNanos, TftpOutput out) {
        Iterator<TftpSession> it = sessions.values().iterator();
        while (it.hasNext()) {
            TftpSession session = it.next();
            if (session.deadline > nowNanos) {
                continue;
            }
            if (session.retransmissions >= MAX_RETRANSMISSIONS) {
                long held = session.firstSent + HOLD_NANOS;
                if (held > session.deadline) {
                    session.deadline = held; // silent from now on: the client's retry may still come
                    continue;
                }
                counters.expired++;
            } else {
                session.retransmissions++;
                counters.retransmissions++;
                if (transmit(session, nowNanos, out)) {
                    continue;
                }
            }
            it.remove();
            session.close();
        }
    }

    /** When {@link #poll} next has work: the earliest retransmission or expiry, {@link Long#MAX_VALUE} when idle. */
    public long pollAt() {
        long at = Long.MAX_VALUE;
        for (TftpSession session : sessions.values()) {
            at = Math.min(at, session.deadline);
        }
        return at;
    }

    /**
     * Transfers begun, ever (the user network's loop compares it before and after handling frames: a new one
     * may need its timed work polled sooner).
     */
    public long transfersStarted() {
        return started;
    }

    /** Transfers in progress. */
    public int activeTransfers() {
        return sessions.size();
    }

    public TftpCounters counters() {
        return counters;
    }

    /** Ends every transfer without telling the clients, closing their files. */
    @Override
    public void close() {
        sessions.values().forEach(TftpSession::close);
        sessions.clear();
    }

    private void start(Client key, IpAddress serverIp, IpAddress clientIp, int clientPort, ReadRequest request,
                       long nowNanos, TftpOutput out) {
        end(key);
        if (!request.octet()) {
            refuse(key, serverIp, clientIp, clientPort, TftpErrorCode.ILLEGAL_OPERATION, UNSUPPORTED_MODE, out);
            return;
        }
        if (sessions.size() >= maxSessions) {
            refuse(key, serverIp, clientIp, clientPort, TftpErrorCode.NOT_DEFINED, TOO_MANY_TRANSFERS, out);
            return;
        }
        switch (root.open(request.filename())) {
            case TftpRoot.Refused refused -> refuse(key, serverIp, clientIp, clientPort, refused.code(), refused.message(), out);
            case TftpRoot.Found found -> {
                TftpSession session = new TftpSession(serverIp, clientIp, clientPort, found.channel(),
                        request.options().acknowledge(found.size()), DEFAULT_TIMEOUT_NANOS);
                sessions.put(key, session);
                started++;
                session.block = session.acknowledged.any() ? 0 : 1;
                if (!transmit(session, nowNanos, out)) {
                    end(key);
                }
            }
        }
    }

    private void acknowledged(Client key, int block, long nowNanos, TftpOutput out) {
        TftpSession session = sessions.get(key);
        if (session == null) {
            counters.strays++;
            return;
        }
        if (block != session.wireBlock()) {
            counters.duplicateAcks++;
            if (session.retransmissions >= MAX_RETRANSMISSIONS && session.block > 0
                    && block == (session.wireBlock() - 1 & 0xFFFF)) {
                // held, the timer silent: the client's own retry of the previous ACK says every copy of the block in
                // flight was lost; one is sent for each such retry, which cannot double (RFC 1123 section 4.2.3.1
                // forbids answering duplicates only while the timer retransmits too)
                counters.retransmissions++;
                if (!transmit(session, nowNanos, out)) {
                    end(key);
                }
            }
            return;
        }
        if (session.lastBlock) {
            counters.completed++;
            end(key);
            return;
        }
        session.block++;
        session.retransmissions = 0;
        if (!transmit(session, nowNanos, out)) {
            end(key);
        }
    }

    private void abortedByClient(Client key) {
        if (sessions.containsKey(key)) {
            counters.aborted++;
            end(key);
        } else {
            counters.strays++;
        }
    }

    /**
     * Sends the packet in flight, the OACK or the DATA read now from the file, and arms the retransmission;
     * on a read failure sends an ERROR instead and returns false, for the caller to end the transfer.
     */
    private boolean transmit(TftpSession session, long nowNanos, TftpOutput out) {
        int length;
        if (session.block == 0) {
            length = TftpWriter.oack(tx, 0, session.acknowledged);
        } else {
            int read;
            try {
                read = readBlock(session);
            } catch (IOException e) {
                sendError(session.serverIp, session.clientIp, session.clientPort, TftpErrorCode.NOT_DEFINED, READ_ERROR, out);
                return false;
            }
            session.lastBlock = read < session.blockSize;
            length = TftpWriter.dataHeader(tx, 0, session.wireBlock()) + read;
        }
        if (session.retransmissions == 0) {
            session.firstSent = nowNanos;
        }
        session.deadline = nowNanos + session.timeoutNanos;
        out.send(session.serverIp, session.clientIp, session.clientPort, tx, 0, length);
        return true;
    }

    /** Reads the block in flight into {@link #txData}; returns its length, short only at the end of the file. */
    private int readBlock(TftpSession session) throws IOException {
        txData.clear().limit(session.blockSize);
        long position = session.position();
        while (txData.hasRemaining()) {
            if (session.channel.read(txData, position + txData.position()) < 0) {
                break;
            }
        }
        return txData.position();
    }

    private void refuse(Client key, IpAddress serverIp, IpAddress clientIp, int clientPort, int code, String message,
                        TftpOutput out) {
        end(key);
        sendError(serverIp, clientIp, clientPort, code, message, out);
    }

    private void sendError(IpAddress serverIp, IpAddress clientIp, int clientPort, int code, String message,
                           TftpOutput out) {
        counters.refused++;
        out.send(serverIp, clientIp, clientPort, tx, 0, TftpWriter.error(tx, 0, code, message));
    }

    private void end(Client key) {
        TftpSession session = sessions.remove(key);
        if (session != null) {
            session.close();
        }
    }
}
