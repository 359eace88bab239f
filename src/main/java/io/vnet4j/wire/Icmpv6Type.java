package io.vnet4j.wire;

/**
 * ICMPv6 message types (RFC 4443 section 2.1, NDP's from RFC 4861 section 4) and the shortest message each
 * can be: the type, code and checksum, plus the fixed part of its body.
 */
public final class Icmpv6Type {
    public static final int DESTINATION_UNREACHABLE = 1;
    public static final int PACKET_TOO_BIG = 2;
    public static final int TIME_EXCEEDED = 3;
    public static final int PARAMETER_PROBLEM = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int ROUTER_SOLICITATION = 133;
    public static final int ROUTER_ADVERTISEMENT = 134;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;
    public static final int REDIRECT = 137;

    private Icmpv6Type() {}

    /** True for an error message: types 0 to 127 (RFC 4443 section 2.1). */
    public static boolean isError(int type) {
        return type < 128;
    }

    /**
     * The shortest message of {@code type} in bytes: 8 for the errors 1-4 (the unused, MTU or pointer word),
     * echo and Router Solicitation; 16 for Router Advertisement; 24 for Neighbor Solicitation and
     * Advertisement; 40 for Redirect; 4 (type, code, checksum) for any other.
     */
    public static int minimumLength(int type) {
        return switch (type) {
            case DESTINATION_UNREACHABLE, PACKET_TOO_BIG, TIME_EXCEEDED, PARAMETER_PROBLEM,
                 ECHO_REQUEST, ECHO_REPLY, ROUTER_SOLICITATION -> 8;
            case ROUTER_ADVERTISEMENT -> 16;
            case NEIGHBOR_SOLICITATION, NEIGHBOR_ADVERTISEMENT -> 24;
            case REDIRECT -> 40;
            default -> 4;
        };
    }
}
