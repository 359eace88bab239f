package io.vnet4j.usernet.dhcpv6;

/** DHCPv6 message types (RFC 8415 section 7.3). */
public final class Dhcpv6MessageType {
    public static final int SOLICIT = 1;
    public static final int ADVERTISE = 2;
    public static final int REQUEST = 3;
    public static final int CONFIRM = 4;
    public static final int RENEW = 5;
    public static final int REBIND = 6;
    public static final int REPLY = 7;
    public static final int RELEASE = 8;
    public static final int DECLINE = 9;
    public static final int RECONFIGURE = 10;
    public static final int INFORMATION_REQUEST = 11;
    public static final int RELAY_FORW = 12;
    public static final int RELAY_REPL = 13;

    private Dhcpv6MessageType() {}

    /** True for Relay-forward and Relay-reply, whose header is not msg-type and transaction-id (RFC 8415 section 9). */
    public static boolean isRelay(int type) {
        return type == RELAY_FORW || type == RELAY_REPL;
    }
}
