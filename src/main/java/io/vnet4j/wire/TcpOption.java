package io.vnet4j.wire;

/** TCP option kinds (RFC 9293, 7323, 2018) and the lengths the fixed-size ones must have. */
public final class TcpOption {
    public static final int END = 0;
    public static final int NOP = 1;
    public static final int MSS = 2;
    public static final int WINDOW_SCALE = 3;
    public static final int SACK_PERMITTED = 4;
    public static final int SACK = 5;
    public static final int TIMESTAMPS = 8;
    public static final int MSS_LENGTH = 4;
    public static final int WINDOW_SCALE_LENGTH = 3;
    public static final int SACK_PERMITTED_LENGTH = 2;
    public static final int TIMESTAMPS_LENGTH = 10;

    private TcpOption() {}

    /** True when an option of this kind may have this total length (kind and length bytes included). */
    static boolean lengthFits(int kind, int length) {
        return switch (kind) {
            case MSS -> length == MSS_LENGTH;
            case WINDOW_SCALE -> length == WINDOW_SCALE_LENGTH;
            case SACK_PERMITTED -> length == SACK_PERMITTED_LENGTH;
            case TIMESTAMPS -> length == TIMESTAMPS_LENGTH;
            default -> length >= 2;
        };
    }
}
