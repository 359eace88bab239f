package io.vnet4j.wire;

/** IP protocol numbers carried in the IPv4 protocol field. */
public final class IpProtocol {
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;

    private IpProtocol() {}
}
