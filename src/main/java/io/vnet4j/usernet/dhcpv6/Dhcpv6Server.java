package io.vnet4j.usernet.dhcpv6;

import io.vnet4j.wire.DomainNames;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The user-mode gateway's stateless DHCPv6 server (RFC 8415 section 18.3.6, RFC 3736's subset), as pure
 * logic: the UDP payload a guest sent to port 547 in, the Reply's UDP payload out; sockets are the caller's
 * (the Reply goes from the gateway's port 547 to the client's address and port). Shaped after libslirp's
 * dhcpv6.c ({@code dhcpv6_input}, {@code dhcpv6_parse_info_request}, {@code dhcpv6_info_request}):
 *
 * <ul>
 *   <li>Only Information-request (11) is answered, with a Reply (7) carrying its transaction-id; every
 *       other type is ignored and counted, as libslirp ignores it.</li>
 *   <li>The Client Identifier, when present, is echoed (the last one, as libslirp); one over
 *       {@link #MAX_CLIENT_ID_LENGTH} bytes, or an Option Request of odd length, drops the message.</li>
 *   <li>DNS Recursive Name Server (23), Domain Search List (24) and Boot File URL (59) are sent only when
 *       the Option Request asks for them (libslirp: 23 and 59) and the settings have them.</li>
 *   <li>Beyond libslirp: a Server Identifier (DUID-LL of the server's MAC) in every Reply, which
 *       RFC 8415 section 16.10 has clients require; the Domain Search List; Information-requests with an IA
 *       option (3, 4, 25, and 5 as libslirp) or another server's identifier are discarded as RFC 8415
 *       section 16.12 says; a Boot File URL only when one is configured.</li>
 * </ul>
 *
 * Options appear in the Reply in the order 1, 2, 23, 24, 59. Nothing is allocated per message. Not
 * thread-safe: one caller at a time.
 */
public final class Dhcpv6Server {
    /** What {@link #handle} returns when there is nothing to send. */
    public static final int NO_REPLY = -1;
    /** The longest Client Identifier taken (libslirp's bound; RFC 8415 section 11.1 allows 130). */
    public static final int MAX_CLIENT_ID_LENGTH = 256;
    private static final int ADDRESS = 16;

    private final Dhcpv6Settings settings;
    private final byte[] serverDuid;
    private final byte[] searchList;
    private final byte[] bootFileUrl;
    private final Dhcpv6Message message = new Dhcpv6Message();
    private final Dhcpv6Options options = new Dhcpv6Options();
    private long malformed;
    private long ignored;
    private long unsent;

    public Dhcpv6Server(Dhcpv6Settings settings) {
        this.settings = settings;
        this.serverDuid = duidLl(settings.serverMac());
        this.searchList = DomainNames.encode(settings.searchDomains());
        this.bootFileUrl = settings.bootFileUrl() == null ? null
                : settings.bootFileUrl().getBytes(StandardCharsets.US_ASCII);
    }

    /** DUID-LL (RFC 8415 section 11.4): type 3, hardware type 1 (Ethernet), the MAC. */
    private static byte[] duidLl(long mac) {
        byte[] duid = new byte[10];
        ByteBuffer b = ByteBuffer.wrap(duid);
        b.putShort(0, (short) Dhcpv6Option.DUID_LL);
        b.putShort(2, (short) Dhcpv6Option.HARDWARE_ETHERNET);
        MacAddress.write(b, 4, mac);
        return duid;
    }

    /** The server's DUID as sent in the Server Identifier option (a copy). */
    public byte[] serverDuid() {
        return serverDuid.clone();
    }

    /** The longest Reply {@link #handle} can write: with a Client Identifier of {@link #MAX_CLIENT_ID_LENGTH} and every option. */
    public int maxReplyLength() {
        return Dhcpv6Message.HEADER_LENGTH + Dhcpv6Options.HEADER_LENGTH + MAX_CLIENT_ID_LENGTH
                + Dhcpv6Options.HEADER_LENGTH + serverDuid.length
                + (settings.dnsServer() != null ? Dhcpv6Options.HEADER_LENGTH + ADDRESS : 0)
                + (searchList.length > 0 ? Dhcpv6Options.HEADER_LENGTH + searchList.length : 0)
                + (bootFileUrl != null ? Dhcpv6Options.HEADER_LENGTH + bootFileUrl.length : 0);
    }

    /**
     * Handles one message from a client: {@code length} bytes of UDP payload at absolute {@code offset} of
     * {@code in}. Writes the Reply at absolute {@code outOffset} of {@code out} (big-endian, distinct from
     * {@code in}; it must fit before {@code out}'s limit, {@link #maxReplyLength()} always does) and returns
     * its length, or returns {@link #NO_REPLY} and counts why ({@link #counters()}). Never throws on what the
     * client sent.
     *
     * @throws IllegalArgumentException when {@code in} or {@code out} is not big-endian
     */
    public int handle(ByteBuffer in, int offset, int length, ByteBuffer out, int outOffset) {
        if (out.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("the reply buffer must be big-endian");
        }
        WireError error = message.wrap(in, offset, length).check();
        if (error != WireError.NONE) {
            if (error == WireError.UNSUPPORTED) {
                ignored++;
            } else {
                malformed++;
            }
            return NO_REPLY;
        }
        if (message.msgType() != Dhcpv6MessageType.INFORMATION_REQUEST) {
            ignored++;
            return NO_REPLY;
        }
        int clientId = -1;
        int clientIdLength = 0;
        boolean wantDns = false;
        boolean wantSearch = false;
        boolean wantBootFile = false;
        message.options(options);
        while (options.next()) {
            int data = options.dataOffset();
            int dataLength = options.dataLength();
            switch (options.code()) {
                case Dhcpv6Option.IA_NA, Dhcpv6Option.IA_TA, Dhcpv6Option.IA_PD, Dhcpv6Option.IAADDR -> {
                    ignored++;
                    return NO_REPLY;
                }
                case Dhcpv6Option.SERVERID -> {
                    if (!isOurDuid(in, data, dataLength)) {
                        ignored++;
                        return NO_REPLY;
                    }
                }
                case Dhcpv6Option.CLIENTID -> {
                    if (dataLength > MAX_CLIENT_ID_LENGTH) {
                        malformed++;
                        return NO_REPLY;
                    }
                    clientId = data;
                    clientIdLength = dataLength;
                }
                case Dhcpv6Option.ORO -> {
                    if ((dataLength & 1) != 0) {
                        malformed++;
                        return NO_REPLY;
                    }
                    for (int at = data; at < data + dataLength; at += 2) {
                        switch (in.getShort(at) & 0xFFFF) {
                            case Dhcpv6Option.DNS_SERVERS -> wantDns = true;
                            case Dhcpv6Option.DOMAIN_LIST -> wantSearch = true;
                            case Dhcpv6Option.BOOTFILE_URL -> wantBootFile = true;
                            default -> { }
                        }
                    }
                }
                default -> { }
            }
        }
        boolean dns = wantDns && settings.dnsServer() != null;
        boolean search = wantSearch && searchList.length > 0;
        boolean bootFile = wantBootFile && bootFileUrl != null;
        int replyLength = Dhcpv6Message.HEADER_LENGTH
                + (clientId >= 0 ? Dhcpv6Options.HEADER_LENGTH + clientIdLength : 0)
                + Dhcpv6Options.HEADER_LENGTH + serverDuid.length
                + (dns ? Dhcpv6Options.HEADER_LENGTH + ADDRESS : 0)
                + (search ? Dhcpv6Options.HEADER_LENGTH + searchList.length : 0)
                + (bootFile ? Dhcpv6Options.HEADER_LENGTH + bootFileUrl.length : 0);
        if (outOffset < 0 || replyLength > out.limit() - outOffset) {
            unsent++;
            return NO_REPLY;
        }
        int transactionId = message.transactionId();
        out.putInt(outOffset, Dhcpv6MessageType.REPLY << 24 | transactionId);
        int at = outOffset + Dhcpv6Message.HEADER_LENGTH;
        if (clientId >= 0) {
            at = optionHeader(out, at, Dhcpv6Option.CLIENTID, clientIdLength);
            out.put(at, in, clientId, clientIdLength);
            at += clientIdLength;
        }
        at = optionHeader(out, at, Dhcpv6Option.SERVERID, serverDuid.length);
        out.put(at, serverDuid);
        at += serverDuid.length;
        if (dns) {
            at = optionHeader(out, at, Dhcpv6Option.DNS_SERVERS, ADDRESS);
            settings.dnsServer().write(out, at);
            at += ADDRESS;
        }
        if (search) {
            at = optionHeader(out, at, Dhcpv6Option.DOMAIN_LIST, searchList.length);
            out.put(at, searchList);
            at += searchList.length;
        }
        if (bootFile) {
            at = optionHeader(out, at, Dhcpv6Option.BOOTFILE_URL, bootFileUrl.length);
            out.put(at, bootFileUrl);
            at += bootFileUrl.length;
        }
        return at - outOffset;
    }

    private boolean isOurDuid(ByteBuffer in, int data, int dataLength) {
        if (dataLength != serverDuid.length) {
            return false;
        }
        for (int i = 0; i < dataLength; i++) {
            if (in.get(data + i) != serverDuid[i]) {
                return false;
            }
        }
        return true;
    }

    private static int optionHeader(ByteBuffer out, int at, int code, int length) {
        out.putShort(at, (short) code);
        out.putShort(at + 2, (short) length);
        return at + Dhcpv6Options.HEADER_LENGTH;
    }

    public Dhcpv6Counters counters() {
        return new Dhcpv6Counters(malformed, ignored, unsent);
    }
}
