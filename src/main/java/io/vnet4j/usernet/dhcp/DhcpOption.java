package io.vnet4j.usernet.dhcp;

/** DHCP option codes (RFC 2132, 3397, 4702) and the lengths the ones the server reads must have. */
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
     * True when an option of this code may carry a value of this many bytes. A host name (12) of any length is taken,
     * an empty one being read as none ({@link DhcpMessage#hostname}): RFC 2132 section 3.14 asks for one byte at least,
     * but clients send it empty (mTCP's DHCP writes strlen() of its HOSTNAME setting unchecked; a Somfy alarm's
     * client, TechnitiumSoftware/DnsServer#1951), and dnsmasq and libslirp answer them as if it were not there.
     */
    static boolean lengthFits(int code, int length) {
        return switch (code) {
            case MESSAGE_TYPE -> length == 1;
            case REQUESTED_ADDRESS, SERVER_IDENTIFIER -> length == 4;
            case MAX_MESSAGE_SIZE -> length == 2;
            case CLIENT_IDENTIFIER -> length >= 2;
            case PARAMETER_REQUEST_LIST -> length >= 1;
            default -> true;
        };
    }
}
