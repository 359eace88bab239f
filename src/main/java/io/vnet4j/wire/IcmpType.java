package io.vnet4j.wire;

/** ICMPv4 message types (RFC 792). */
public final class IcmpType {
    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;

    private IcmpType() {}
}
