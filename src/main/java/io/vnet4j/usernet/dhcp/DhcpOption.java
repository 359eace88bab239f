package io.vnet4j.usernet.dhcp;

/** DHCP option codes (RFC 2132, 3397, 4702) and the lengths the server needs to read the ones it reads. */
public final class DhcpOption {
    public static final int PAD = 0;
    public static final int SUBNET_MASK = 1;
    public static final int ROUTER = 3;
    public static final int DNS_SERVER = 6;
    public static final int HOSTNAME = 12;
    public static final int DOMAIN_NAME = 15;
    public static final int INTERFACE_MTU = 26;
    public static final int REQUESTED_ADDRESS = 50;
    public static final int LEASE_TIME = 51;
    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_IDENTIFIER = 54;
    public static final int PARAMETER_REQUEST_LIST = 55;
    public static final int MESSAGE = 56;
    /** Maximum DHCP message size (RFC 2132 §9.10): the largest IP datagram the client takes, at least 576. */
    public static final int MAX_MESSAGE_SIZE = 57;
    /** Renewal (T1) time value (RFC 2132 section 9.11): seconds from the lease's start to RENEWING. */
    public static final int RENEWAL_TIME = 58;
    /** Rebinding (T2) time value (RFC 2132 section 9.12): seconds from the lease's start to REBINDING. */
    public static final int REBINDING_TIME = 59;
    public static final int CLIENT_IDENTIFIER = 61;
    public static final int TFTP_SERVER_NAME = 66;
    public static final int BOOTFILE_NAME = 67;
    /** Client FQDN (RFC 4702): flags, two RCODE bytes, then the name. */
    public static final int CLIENT_FQDN = 81;
    public static final int DOMAIN_SEARCH = 119;
    public static final int END = 255;
    /** Longest value one option can carry; longer values are split over several (RFC 3396). */
    public static final int MAX_VALUE_LENGTH = 255;

    private DhcpOption() {}

    /**
     * True when an option of this code is long enough for the server to read it: a message type of 1 byte at least,
     * an address of 4, a maximum message size of 2, a client identifier of 2 (type and one byte, RFC 2132 section
     * 9.14), a parameter request list of 1. A shorter one is read as absent and a longer one by its first bytes, as
     * dnsmasq's {@code option_find(mess, sz, code, minsize)} (rfc2131.c) reads them; only an option that runs past
     * the message makes it malformed. A host name (12) of any length is taken, an empty one being read as none
     * ({@link DhcpMessage#hostname}): RFC 2132 section 3.14 asks for one byte at least, but clients send it empty
     * (mTCP's DHCP writes strlen() of its HOSTNAME setting unchecked; a Somfy alarm's client,
     * TechnitiumSoftware/DnsServer#1951), and dnsmasq and libslirp answer them as if it were not there.
     */
    static boolean lengthFits(int code, int length) {
        return switch (code) {
            case MESSAGE_TYPE, PARAMETER_REQUEST_LIST -> length >= 1;
            case REQUESTED_ADDRESS, SERVER_IDENTIFIER -> length >= 4;
            case MAX_MESSAGE_SIZE, CLIENT_IDENTIFIER -> length >= 2;
            default -> true;
        };
    }
}
