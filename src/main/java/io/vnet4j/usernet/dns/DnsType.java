package io.vnet4j.usernet.dns;

/** Resource record types (RFC 1035 §3.2.2, RFC 3596) the local resolver tells apart. */
public final class DnsType {
    public static final int A = 1;
    public static final int AAAA = 28;
    /** The QTYPE asking for every record of a name. */
    public static final int ANY = 255;

    private DnsType() {}
}
