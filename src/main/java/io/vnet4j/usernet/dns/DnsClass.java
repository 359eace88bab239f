package io.vnet4j.usernet.dns;

/** Resource record classes (RFC 1035 §3.2.4). */
public final class DnsClass {
    /** The Internet. */
    public static final int IN = 1;

    private DnsClass() {}
}
