package io.vnet4j.wire;

/**
 * Value form of the options a SYN negotiates: MSS, window scale and SACK permitted, each -1 or false
 * when absent; emitted in a fixed word-aligned layout (MSS, NOP + window scale, NOP NOP + SACK permitted).
 */
public record TcpSynOptions(int mss, int windowScale, boolean sackPermitted) {

    /** Reads the options of a segment; malformed options count as absent. */
    public static TcpSynOptions parse(TcpSegment tcp) {
        return new TcpSynOptions(tcp.mss(), tcp.windowScale(), tcp.sackPermitted());
    }

    /** Bytes {@link #emit(TcpSegment)} writes, a multiple of four. */
    public int length() {
        return (mss >= 0 ? 4 : 0) + (windowScale >= 0 ? 4 : 0) + (sackPermitted ? 4 : 0);
    }

    /** Writes the options right after the fixed header; the caller sets the header length to 20 + {@link #length()}. */
    public void emit(TcpSegment tcp) {
        int at = TcpSegment.MIN_HEADER_LENGTH;
        if (mss >= 0) {
            tcp.put8(at, TcpOption.MSS);
            tcp.put8(at + 1, TcpOption.MSS_LENGTH);
            tcp.put16(at + 2, mss);
            at += 4;
        }
        if (windowScale >= 0) {
            tcp.put8(at, TcpOption.NOP);
            tcp.put8(at + 1, TcpOption.WINDOW_SCALE);
            tcp.put8(at + 2, TcpOption.WINDOW_SCALE_LENGTH);
            tcp.put8(at + 3, windowScale);
            at += 4;
        }
        if (sackPermitted) {
            tcp.put8(at, TcpOption.NOP);
            tcp.put8(at + 1, TcpOption.NOP);
            tcp.put8(at + 2, TcpOption.SACK_PERMITTED);
            tcp.put8(at + 3, TcpOption.SACK_PERMITTED_LENGTH);
        }
    }
}
