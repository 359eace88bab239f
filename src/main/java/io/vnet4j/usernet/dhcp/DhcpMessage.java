package io.vnet4j.usernet.dhcp;

import io.vnet4j.wire.WireError;
import io.vnet4j.wire.WireView;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Flyweight view of a BOOTP/DHCP message (RFC 951, 2131) over a UDP payload: the fixed fields, the
 * magic cookie and the options after it, read and written with absolute accessors only. Option
 * accessors walk the options bounded by the view and treat anything malformed as absent.
 */
public final class DhcpMessage extends WireView {
    /** The fixed fields and the magic cookie: the shortest DHCP message. */
    public static final int MIN_LENGTH = 240;
    /** The fixed fields alone: the shortest BOOTP message we take (RFC 951's has a 64-byte vendor area after them). */
    public static final int MIN_BOOTP_LENGTH = 236;
    /** The Client FQDN option's flags, RCODE1 and RCODE2 before its name (RFC 4702 section 2). */
    private static final int FQDN_NAME = 3;
    /** The flag saying the name is in DNS's canonical wire format, not ASCII text (RFC 4702 section 2.1). */
    private static final int FQDN_FLAG_E = 0x04;
    /** 99.130.83.99, the first four bytes of the vendor area (RFC 1497). */
    public static final int MAGIC_COOKIE = 0x6382_5363;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;
    public static final int HTYPE_ETHERNET = 1;
    public static final int HLEN_ETHERNET = 6;
    /** The flags bit asking for broadcast replies. */
    public static final int FLAG_BROADCAST = 0x8000;
    static final int OP = 0;
    static final int HTYPE = 1;
    static final int HLEN = 2;
    static final int HOPS = 3;
    static final int XID = 4;
    static final int SECS = 8;
    static final int FLAGS = 10;
    static final int CIADDR = 12;
    static final int YIADDR = 16;
    static final int SIADDR = 20;
    static final int GIADDR = 24;
    static final int CHADDR = 28;
    static final int CHADDR_LENGTH = 16;
    static final int SNAME = 44;
    static final int SNAME_LENGTH = 64;
    static final int FILE = 108;
    static final int FILE_LENGTH = 128;
    static final int COOKIE = 236;
    static final int OPTIONS = 240;
    private static final int ABSENT = -1;
    private static final int MALFORMED = -2;
    private static final int NO_CODE = -1;
    private static final byte[] NOTHING = {};


    /** Points this view at {@code length} bytes from absolute {@code offset} of a big-endian buffer; returns {@code this}. */
    public DhcpMessage wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /**
     * Checks the fixed fields are present, the hardware addresses are 6 bytes long (of any hardware type but 0:
     * IEEE 802's 6 and FDDI's 8 carry MAC-48 addresses too; dnsmasq's rfc2131.c and ISC dhcpd serve any type,
     * dnsmasq refusing type 0 with an address, and libslirp's bootp.c reads no type at all) and, when the
     * vendor area starts with the magic cookie, that every option lies inside the view (a missing end option is
     * accepted when the options simply run to the end of the view). An option too short for its code is no fault of
     * the message's: it reads as absent ({@link DhcpOption#lengthFits}).
     * A vendor area without the cookie (an RFC 951 client's, all zeros or another vendor's format) is
     * accepted as a plain BOOTP request with no options, as libslirp's bootp.c takes it.
     */
    public WireError check() {
        if (len < MIN_BOOTP_LENGTH) {
            return WireError.TRUNCATED;
        }
        if (htype() == 0 || hlen() != HLEN_ETHERNET) {
            return WireError.UNSUPPORTED;
        }
        return findOption(NO_CODE) == MALFORMED ? WireError.BAD_OPTION : WireError.NONE;
    }

    /** True when the vendor area starts with the magic cookie, so options follow it. */
    public boolean hasOptions() {
        return len >= MIN_LENGTH && cookie() == MAGIC_COOKIE;
    }

    public int op() {
        return u8(OP);
    }

    public int htype() {
        return u8(HTYPE);
    }

    public int hlen() {
        return u8(HLEN);
    }

    public int hops() {
        return u8(HOPS);
    }

    public int xid() {
        return i32(XID);
    }

    public int secs() {
        return u16(SECS);
    }

    public int flags() {
        return u16(FLAGS);
    }

    /** True when the client asked for broadcast replies. */
    public boolean broadcast() {
        return (flags() & FLAG_BROADCAST) != 0;
    }

    public int ciaddr() {
        return i32(CIADDR);
    }

    public int yiaddr() {
        return i32(YIADDR);
    }

    public int siaddr() {
        return i32(SIADDR);
    }

    public int giaddr() {
        return i32(GIADDR);
    }

    /** The client's MAC: the first six bytes of the hardware address field. */
    public long chaddr() {
        return mac(CHADDR);
    }

    /** The server host name field up to its first NUL. */
    public String sname() {
        return text(SNAME, SNAME_LENGTH);
    }

    /** The boot file name field up to its first NUL. */
    public String file() {
        return text(FILE, FILE_LENGTH);
    }

    public int cookie() {
        return i32(COOKIE);
    }

    /** True when a well-formed option of this code is present. */
    public boolean hasOption(int code) {
        return findOption(code) >= 0;
    }

    /** The DHCP message type (option 53), or {@link DhcpMessageType#NONE} for plain BOOTP. */
    public int messageType() {
        int at = findOption(DhcpOption.MESSAGE_TYPE);
        return at < 0 ? DhcpMessageType.NONE : u8(at + 2);
    }

    /** The requested IP address (option 50), or 0 when absent. */
    public int requestedAddress() {
        return addressOption(DhcpOption.REQUESTED_ADDRESS);
    }

    /** The server identifier (option 54), or 0 when absent. */
    public int serverIdentifier() {
        return addressOption(DhcpOption.SERVER_IDENTIFIER);
    }

    /** The largest IP datagram the client takes (option 57, bytes), or 0 when absent. */
    public int maxMessageSize() {
        int at = findOption(DhcpOption.MAX_MESSAGE_SIZE);
        return at < 0 ? 0 : u16(at + 2);
    }

    /**
     * The client's host name (option 12) up to its first NUL, or else the name of its Client FQDN option (81, RFC
     * 4702), which systemd-networkd sends alone for a host name with a domain and dhclient with {@code send
     * fqdn.fqdn}: its first label in the canonical wire format (flag E), else its text, as dnsmasq reads it. Null
     * when neither is there; an option 12 empty up to its first NUL is as none (OpenBSD's dhcpleased reads it so).
     * UTF-8 when it is valid UTF-8 (RFC 2132 §3.14 says NVT ASCII, but systemd-networkd
     * and NetworkManager send a Unicode host name as is), else ISO-8859-1, one character per byte.
     */
    public String hostname() {
        int at = findOption(DhcpOption.HOSTNAME);
        byte[] bytes = at < 0 ? NOTHING : textBytes(at + 2, u8(at + 1));
        if (bytes.length == 0) {
            bytes = fqdnName();
        }
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString(); // reports bad input
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    /** The name of the Client FQDN option (81) as {@link #hostname} reads it; null when it carries none. */
    private byte[] fqdnName() {
        int at = findOption(DhcpOption.CLIENT_FQDN);
        if (at < 0) {
            return null;
        }
        int nameAt = at + 2 + FQDN_NAME;
        int nameLength = u8(at + 1) - FQDN_NAME;
        if (nameLength <= 0) {
            return null; // no name: as dnsmasq, an option 81 too short is not read
        }
        if ((u8(at + 2) & FQDN_FLAG_E) == 0) {
            return textBytes(nameAt, nameLength);
        }
        int label = u8(nameAt);
        if (label == 0 || label > 63 || label >= nameLength) {
            return null; // no first label, or a compression pointer, which RFC 4702 forbids
        }
        return textBytes(nameAt + 1, label);
    }

    /** The codes of the parameter request list (option 55) in the client's order; empty when absent. */
    public byte[] parameterRequestList() {
        int at = findOption(DhcpOption.PARAMETER_REQUEST_LIST);
        return at < 0 ? NOTHING : value(at);
    }

    /** The client identifier (option 61): type byte then identifier; null when absent. */
    public byte[] clientIdentifier() {
        int at = findOption(DhcpOption.CLIENT_IDENTIFIER);
        return at < 0 ? null : value(at);
    }

    public void setOp(int op) {
        put8(OP, op);
    }

    public void setHardware(int htype, int hlen) {
        put8(HTYPE, htype);
        put8(HLEN, hlen);
    }

    public void setHops(int hops) {
        put8(HOPS, hops);
    }

    public void setXid(int xid) {
        put32(XID, xid);
    }

    public void setSecs(int secs) {
        put16(SECS, secs);
    }

    public void setFlags(int flags) {
        put16(FLAGS, flags);
    }

    public void setCiaddr(int address) {
        put32(CIADDR, address);
    }

    public void setYiaddr(int address) {
        put32(YIADDR, address);
    }

    public void setSiaddr(int address) {
        put32(SIADDR, address);
    }

    public void setGiaddr(int address) {
        put32(GIADDR, address);
    }

    /** Writes the MAC into the hardware address field and zeroes the rest of its 16 bytes. */
    public void setChaddr(long mac) {
        putMac(CHADDR, mac);
        zero(CHADDR + HLEN_ETHERNET, CHADDR_LENGTH - HLEN_ETHERNET);
    }

    /** Zeroes the server host name field. */
    public void clearSname() {
        zero(SNAME, SNAME_LENGTH);
    }

    public void setCookie(int cookie) {
        put32(COOKIE, cookie);
    }

    /** Writes a name into the boot file name field, NUL padded; it must be shorter than 128 bytes. */
    public void setFile(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length >= FILE_LENGTH) {
            throw new IllegalArgumentException("boot file name too long: " + name);
        }
        buf.put(off + FILE, bytes);
        zero(FILE + bytes.length, FILE_LENGTH - bytes.length);
    }

    private void zero(int at, int count) {
        for (int i = 0; i < count; i++) {
            buf.put(off + at + i, (byte) 0);
        }
    }

    private int addressOption(int code) {
        int at = findOption(code);
        return at < 0 ? 0 : buf.getInt(off + at + 2);
    }

    private byte[] value(int at) {
        byte[] bytes = new byte[u8(at + 1)];
        buf.get(off + at + 2, bytes);
        return bytes;
    }

    /** ISO-8859-1 text of at most {@code max} bytes from {@code at}, cut at the first NUL. */
    private String text(int at, int max) {
        return new String(textBytes(at, max), StandardCharsets.ISO_8859_1);
    }

    /** At most {@code max} bytes from {@code at}, cut at the first NUL. */
    private byte[] textBytes(int at, int max) {
        int end = 0;
        while (end < max && u8(at + end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end];
        buf.get(off + at, bytes);
        return bytes;
    }

    /**
     * Walks the options bounded by the view and returns the relative offset of the first option of
     * {@code code} long enough to be read, {@link #ABSENT}, or {@link #MALFORMED} if the walk meets an option that
     * runs past the view first.
     */
    private int findOption(int code) {
        if (!hasOptions()) {
            return ABSENT;
        }
        int at = OPTIONS;
        while (at < len) {
            int current = u8(at);
            if (current == DhcpOption.END) {
                return ABSENT;
            }
            if (current == DhcpOption.PAD) {
                at++;
                continue;
            }
            if (at + 1 >= len) {
                return MALFORMED;
            }
            int size = u8(at + 1);
            if (at + 2 + size > len) {
                return MALFORMED;
            }
            if (current == code && DhcpOption.lengthFits(current, size)) {
                return at; // one too short to read is passed over, as absent
            }
            at += 2 + size;
        }
        return ABSENT;
    }
}
