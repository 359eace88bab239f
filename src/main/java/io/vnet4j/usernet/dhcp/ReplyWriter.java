package io.vnet4j.usernet.dhcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes the server's replies: the fixed fields of RFC 2131 table 3, then the options, first the
 * message type and the client's own identifier (option 61, echoed in every DHCP reply as RFC 6842 requires), then
 * what the client asked for in the order it asked (the search list last of them),
 * then the rest of what the settings provide in a fixed order (the search list last); padded to the BOOTP minimum of 300 bytes, at
 * most 548 bytes (what fits a 576-byte datagram) unless the client offers more with option 57, dropping
 * options that do not fit: never the server identifier, nor an OFFER's or ACK's lease time, which table 3
 * requires (their room is kept until they are written), and the search list, the longest, first.
 */
final class ReplyWriter {
    /** The smallest BOOTP message (RFC 951: a 64-byte vendor area). */
    static final int MIN_REPLY_LENGTH = 300;
    /** The largest reply unless the client says otherwise: every client can take 576-byte datagrams (RFC 2131 §2). */
    static final int MAX_REPLY_LENGTH = 548;
    /** The IPv4 and UDP headers around a reply, which option 57's size counts (576 - 548). */
    static final int IP_UDP_HEADERS = 28;
    /** Code, length and a four-byte value. */
    private static final int FOUR_BYTE_OPTION = 6;
    private static final byte[] NAK_TEXT = "requested address not available".getBytes(StandardCharsets.US_ASCII);
    private static final int[] DEFAULT_ORDER = {
        DhcpOption.SERVER_IDENTIFIER, DhcpOption.LEASE_TIME, DhcpOption.SUBNET_MASK, DhcpOption.ROUTER,
        DhcpOption.DNS_SERVER, DhcpOption.HOSTNAME, DhcpOption.DOMAIN_NAME, DhcpOption.DOMAIN_SEARCH,
        DhcpOption.INTERFACE_MTU, DhcpOption.TFTP_SERVER_NAME, DhcpOption.BOOTFILE_NAME,
    };

    /** What a reply is; decides the fields and which options it carries. */
    enum Kind { OFFER, ACK, INFORM_ACK, BOOTP, NAK }

    private final DhcpSettings settings;
    private final byte[] hostname;
    private final byte[] domainName;
    private final byte[] searchList;
    private final byte[] tftpServerName;
    private final byte[] bootfile;
    private final boolean bootfileFitsField;
    private final DhcpMessage reply = new DhcpMessage();
    private final OptionWriter options = new OptionWriter();

    ReplyWriter(DhcpSettings settings) {
        this.settings = settings;
        hostname = bytes(settings.hostname());
        domainName = bytes(settings.domainName());
        searchList = settings.searchDomains().isEmpty() ? null : SearchListEncoder.encode(settings.searchDomains());
        tftpServerName = nulTerminated(settings.tftpServerName());
        bootfile = nulTerminated(settings.bootfile());
        bootfileFitsField = bootfile != null && bootfile.length <= DhcpMessage.FILE_LENGTH;
    }

    /**
     * Writes a reply to {@code request} at absolute offset 0 of {@code out} and returns its length.
     *
     * @param address  the client's address (yiaddr); 0 for INFORM acks and NAKs
     * @param requested the client's parameter request list
     * @param clientMaxSize the largest IP datagram the client takes (option 57), 0 when it did not say;
     *                      the reply may then be longer than 548 bytes, up to {@code out}'s limit
     * @param clientId  the value of the client's option 61, null when it sent none; a DHCP reply echoes it
     *                  (RFC 6842 section 3: OFFER, ACK and NAK), right after the message type, where it always fits
     */
    int write(ByteBuffer out, Kind kind, BootpHeader request, int address, byte[] requested, int clientMaxSize,
              byte[] clientId) {
        if (out.limit() < MIN_REPLY_LENGTH) {
            throw new IllegalArgumentException("reply buffer holds fewer than " + MIN_REPLY_LENGTH + " bytes");
        }
        int limit = Math.min(out.limit(), Math.max(MAX_REPLY_LENGTH, clientMaxSize - IP_UDP_HEADERS));
        reply.wrap(out, 0, limit);
        boolean nak = kind == Kind.NAK;
        int ciaddr = kind == Kind.OFFER || nak ? 0 : request.ciaddr();
        // the client's hardware type back (dnsmasq's and ISC dhcpd's replies carry it): Ethernet's, or IEEE 802's
        new BootpHeader(DhcpMessage.OP_REPLY, request.htype(), DhcpMessage.HLEN_ETHERNET, 0,
                request.xid(), 0, request.flags(), ciaddr, address, nak ? 0 : settings.router(),
                request.giaddr(), request.chaddr()).emit(reply);
        if (bootfileFitsField && !nak) {
            reply.setFile(settings.bootfile());
        }
        options.start(out, limit);
        if (nak) {
            options.putByte(DhcpOption.MESSAGE_TYPE, DhcpMessageType.NAK);
            putClientId(clientId);
            options.putInt(DhcpOption.SERVER_IDENTIFIER, settings.router());
            options.put(DhcpOption.MESSAGE, NAK_TEXT);
        } else {
            if (kind != Kind.BOOTP) {
                options.putByte(DhcpOption.MESSAGE_TYPE, kind == Kind.OFFER ? DhcpMessageType.OFFER : DhcpMessageType.ACK);
                putClientId(clientId);
            }
            // a long search list took the room of the lease time (and could take the server identifier's), after
            // which ISC dhclient refused the server ("no expiry time on offered lease") and never got an address
            options.reserve(requiredLength(kind));
            boolean searchAsked = false;
            for (byte code : requested) {
                if ((code & 0xFF) != DhcpOption.DOMAIN_SEARCH) {
                    putIfProvided(kind, code & 0xFF);
                } else {
                    searchAsked = true;
                }
            }
            if (searchAsked) { // last of what the client asked for, before what it did not (RFC 2132 section 9.8)
                putIfProvided(kind, DhcpOption.DOMAIN_SEARCH);
            }
            for (int code : DEFAULT_ORDER) {
                if (code != DhcpOption.DOMAIN_SEARCH) {
                    putIfProvided(kind, code);
                }
            }
            putIfProvided(kind, DhcpOption.DOMAIN_SEARCH); // last: when it does not fit, it alone is left out
        }
        return options.finish(MIN_REPLY_LENGTH);
    }

    /**
     * Echoes the client identifier (at most 255 bytes: with the message type it ends before byte 501, within the
     * smallest reply's 548 less the 12 kept for the server identifier and lease time).
     */
    private void putClientId(byte[] clientId) {
        if (clientId != null) {
            options.put(DhcpOption.CLIENT_IDENTIFIER, clientId);
        }
    }

    /** The room of the options that RFC 2131 table 3 requires in a reply of this kind, besides the message type. */
    private static int requiredLength(Kind kind) {
        return (kind == Kind.BOOTP ? 0 : FOUR_BYTE_OPTION) + (kind == Kind.OFFER || kind == Kind.ACK ? FOUR_BYTE_OPTION : 0);
    }

    /** Writes the option once if the settings provide it and this kind of reply carries it. */
    private void putIfProvided(Kind kind, int code) {
        if (options.written(code)) {
            return;
        }
        switch (code) {
            case DhcpOption.SERVER_IDENTIFIER -> {
                if (kind != Kind.BOOTP) {
                    options.release(FOUR_BYTE_OPTION);
                    options.putInt(code, settings.router());
                }
            }
            case DhcpOption.LEASE_TIME -> {
                if (kind == Kind.OFFER || kind == Kind.ACK) {
                    options.release(FOUR_BYTE_OPTION);
                    options.putInt(code, (int) settings.leaseSeconds());
                    putRenewalTimes();
                }
            }
            case DhcpOption.SUBNET_MASK -> options.putInt(code, settings.netmask());
            case DhcpOption.ROUTER -> options.putInt(code, settings.router());
            case DhcpOption.DNS_SERVER -> {
                if (settings.dnsServer() != DhcpSettings.NO_DNS_SERVER) {
                    options.putInt(code, settings.dnsServer());
                }
            }
            case DhcpOption.HOSTNAME -> putIfSet(code, hostname);
            case DhcpOption.DOMAIN_NAME -> putIfSet(code, domainName);
            case DhcpOption.DOMAIN_SEARCH -> putIfSet(code, searchList);
            case DhcpOption.INTERFACE_MTU -> {
                if (settings.mtu() > 0) {
                    options.putShort(code, settings.mtu());
                }
            }
            case DhcpOption.TFTP_SERVER_NAME -> putIfSet(code, tftpServerName);
            case DhcpOption.BOOTFILE_NAME -> putIfSet(code, bootfile);
            default -> { }
        }
    }

    /**
     * T1 and T2 (options 58, 59) after the lease time of an OFFER or ACK, at RFC 2131 section 4.4.5's defaults (0.5
     * and 0.875 of the lease), as dnsmasq's rfc2131.c writes them whenever the lease is not infinite: HP JetDirect
     * print servers take no OFFER without them (dnsmasq's comment there). A client that reads them renews when it
     * would without them; libslirp sends neither. Left out when the reply has no room for them.
     */
    private void putRenewalTimes() {
        long lease = settings.leaseSeconds();
        if (lease != DhcpSettings.INFINITE_LEASE) {
            options.putInt(DhcpOption.RENEWAL_TIME, (int) (lease / 2));
            options.putInt(DhcpOption.REBINDING_TIME, (int) (lease * 7 / 8));
        }
    }

    /**
     * The length of the largest reply (an ACK carrying every option the settings provide), to tell at
     * start-up whether all of it fits in {@link #MAX_REPLY_LENGTH} bytes for clients that offer no more.
     */
    int fullAckLength() {
        ByteBuffer scratch = ByteBuffer.allocate(DhcpMessage.OPTIONS + 65536);
        BootpHeader request = new BootpHeader(DhcpMessage.OP_REQUEST, DhcpMessage.HTYPE_ETHERNET,
                DhcpMessage.HLEN_ETHERNET, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        return write(scratch, Kind.ACK, request, settings.router(), new byte[0], scratch.limit() + IP_UDP_HEADERS, null);
    }

    private void putIfSet(int code, byte[] value) {
        if (value != null) {
            options.put(code, value);
        }
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The text and a NUL, for the TFTP server name (option 66) and boot file name (67), as dnsmasq writes them: PXE
     * firmware (Intel's UNDI PXE 2.1 ROMs and some UEFI ones) reads them as C strings, past the option's length, and
     * asked TFTP for "pxelinux.0" followed by the next byte, the end option's 0xff (netbootxyz/netboot.xyz#1198,
     * against Kea). RFC 2132 section 2 has every receiver drop trailing NULs.
     */
    private static byte[] nulTerminated(String text) {
        return text == null ? null : (text + '\0').getBytes(StandardCharsets.US_ASCII);
    }
}
