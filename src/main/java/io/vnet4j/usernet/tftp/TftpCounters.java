package io.vnet4j.usernet.tftp;

/** What a {@link TftpServer} has seen and done, for diagnostics; counts only grow. */
public final class TftpCounters {
    long malformed;
    long strays;
    long duplicateAcks;
    long refused;
    long retransmissions;
    long expired;
    long aborted;
    long completed;

    /** Packets that failed {@link TftpPacket#check()}. */
    public long malformed() {
        return malformed;
    }

    /** Well-formed ACKs and ERRORs from a client with no transfer, dropped. */
    public long strays() {
        return strays;
    }

    /**
     * ACKs for a block other than the one in flight (duplicates of the previous one), dropped without a re-send unless
     * the transfer is held for the client's retry ({@link TftpServer#HOLD_NANOS}).
     */
    public long duplicateAcks() {
        return duplicateAcks;
    }

    /** ERROR packets sent: refused requests, malformed requests, read failures. */
    public long refused() {
        return refused;
    }

    /** DATA and OACK packets sent again: after a timeout, or for a client's retry while the transfer is held. */
    public long retransmissions() {
        return retransmissions;
    }

    /**
     * Transfers given up after {@link TftpServer#MAX_RETRANSMISSIONS} unanswered retransmissions and the wait for the
     * client's retry ({@link TftpServer#HOLD_NANOS}).
     */
    public long expired() {
        return expired;
    }

    /** Transfers the client ended with an ERROR. */
    public long aborted() {
        return aborted;
    }

    /** Transfers whose final block was acknowledged. */
    public long completed() {
        return completed;
    }
}
