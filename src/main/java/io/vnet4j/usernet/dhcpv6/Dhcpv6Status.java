package io.vnet4j.usernet.dhcpv6;

/** DHCPv6 status codes, the Status Code option's (RFC 8415 section 21.13). */
public final class Dhcpv6Status {
    public static final int SUCCESS = 0;
    public static final int UNSPEC_FAIL = 1;
    /** No address for this IA: none to give, or the client declined it. */
    public static final int NO_ADDRS_AVAIL = 2;
    /** The server has no binding for the IA a client releases or declines. */
    public static final int NO_BINDING = 3;
    /** An address the client confirms is not in the link's prefix. */
    public static final int NOT_ON_LINK = 4;
    /** A message the client sent to the server's unicast address, which the server did not offer (no option 12). */
    public static final int USE_MULTICAST = 5;
    /** No prefix to delegate (IA_PD). */
    public static final int NO_PREFIX_AVAIL = 6;

    private Dhcpv6Status() {}
}
