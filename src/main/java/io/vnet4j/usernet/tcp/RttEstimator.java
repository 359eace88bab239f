package io.vnet4j.usernet.tcp;

/**
 * The retransmission timeout from measured round trips, as RFC 6298 section 2 computes it: the first sample
 * R sets SRTT = R and RTTVAR = R/2, each later one RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| and then SRTT =
 * 7/8 SRTT + 1/8 R; RTO = SRTT + max(G, 4 RTTVAR), within [{@link TcpConnection#MIN_RTO},
 * {@link TcpConnection#MAX_RTO}]; before any sample, {@link TcpConnection#INITIAL_RTO}, or
 * {@link TcpConnection#FALLBACK_RTO} once a SYN had to be resent (section 5.7). The floor is Linux's
 * TCP_RTO_MIN (200 ms), not RFC 6298's 1 s: the guest is one local link away. Which segments may be timed
 * (Karn's algorithm: none that was retransmitted) is the caller's business. All times in nanoseconds.
 */
final class RttEstimator {
    /** G, the clock granularity: System.nanoTime's is far finer, the loop's timer about a millisecond. */
    static final long GRANULARITY = 1_000_000;

    private long srtt;
    private long rttvar;
    private boolean measured;
    private long initial = TcpConnection.INITIAL_RTO;

    /** Takes one round-trip sample of {@code rtt} nanoseconds (negative values count as 0). */
    void sample(long rtt) {
        long r = Math.max(0, rtt);
        if (!measured) {
            srtt = r;
            rttvar = r / 2;
            measured = true;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
    }

    /**
     * Our SYN or SYN-ACK had to be resent: until the first sample the RTO is 3 s (RFC 6298 section 5.7, Linux's
     * TCP_TIMEOUT_FALLBACK in tcp_init_metrics), the handshake having given no sample (Karn's rule).
     */
    void synRetransmitted() {
        initial = TcpConnection.FALLBACK_RTO;
    }

    /** SRTT in nanoseconds, or -1 before the first sample. */
    long srtt() {
        return measured ? srtt : -1;
    }

    /** The retransmission timeout before any back-off. */
    long rto() {
        if (!measured) {
            return initial;
        }
        return Math.min(TcpConnection.MAX_RTO, Math.max(TcpConnection.MIN_RTO, srtt + Math.max(GRANULARITY, 4 * rttvar)));
    }
}
