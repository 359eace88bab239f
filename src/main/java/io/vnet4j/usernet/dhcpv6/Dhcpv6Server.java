package io.vnet4j.usernet.dhcpv6;

import io.vnet4j.wire.DomainNames;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The user-mode gateway's DHCPv6 server (RFC 8415), as pure logic: the UDP payload a guest sent to port 547 in,
 * with the guest's MAC, whether it went to the server's unicast address and the time; the answer's UDP payload
 * out; sockets and clocks are the caller's (the answer goes from the gateway's port 547 to the client's address
 * and port).
 *
 * <p>Stateless (RFC 8415 section 18.3.6, RFC 3736's subset), shaped after libslirp's dhcpv6.c ({@code dhcpv6_input},
 * {@code dhcpv6_parse_info_request}, {@code dhcpv6_info_request}):
 * <ul>
 *   <li>An Information-request (11) is answered with a Reply (7) carrying its transaction-id.</li>
 *   <li>The Client Identifier, when present, is echoed (the last one, as libslirp); one over
 *       {@link #MAX_CLIENT_ID_LENGTH} bytes, or an Option Request of odd length, drops the message.</li>
 *   <li>DNS Recursive Name Server (23), Domain Search List (24) and Boot File URL (59) are sent only when
 *       the Option Request asks for them (libslirp: 23 and 59) and the settings have them.</li>
 *   <li>Beyond libslirp: a Server Identifier (DUID-LL of the server's MAC) in every Reply, which
 *       RFC 8415 section 16.10 has clients require; the Domain Search List; Information-requests with an IA
 *       option (3, 4, 25, and 5 as libslirp) or another server's identifier are discarded as RFC 8415
 *       section 16.12 says, and so are those sent to the server's unicast address, as section 16 says of
 *       Solicit, Confirm, Rebind and Information-request (libslirp answers them); a Boot File URL only when one
 *       is configured.</li>
 * </ul>
 *
 * <p>Stateful, when the settings have a {@link Dhcpv6Pool} (libslirp ignores these messages; without a pool, so
 * does this server): one address per guest, its MAC's ({@link Dhcpv6Pool#addressFor}), so that the server keeps no
 * bindings; what it keeps is the MACs whose address a client declined, for {@link #DECLINE_HOLD_MILLIS}.
 * <ul>
 *   <li>Solicit (1): an Advertise (2) with Preference 255, so that the client takes it without waiting a
 *       second for others (section 18.2.1), or with Rapid Commit (14) asked, a Reply with Rapid Commit.</li>
 *   <li>Request (3), Renew (5), Rebind (6): a Reply. In each, the first IA_NA gets the guest's address, its
 *       IAID echoed, T1/T2 and lifetimes from the pool; a further IA_NA, every IA_NA while the guest's address is
 *       held after a Decline, and an IA_TA get the status NoAddrsAvail; an IA_PD gets NoPrefixAvail. In a Renew or
 *       Rebind, the IA's other addresses come back with lifetimes 0 (section 18.3.4).</li>
 *   <li>Confirm (4): a Reply with Success when every address in its IAs is in the prefix, NotOnLink when one is
 *       not; without addresses, nothing (section 18.3.3).</li>
 *   <li>Release (8), Decline (9): a Reply with Success; an IA without the guest's address gets NoBinding. A
 *       declined address is not given to that guest for {@link #DECLINE_HOLD_MILLIS} ({@link #declined()}).</li>
 *   <li>Discarded (section 16): messages without a Client Identifier; Solicit, Confirm and Rebind with a Server
 *       Identifier or sent to a unicast address; Request, Renew, Release and Decline without this server's
 *       identifier. Those four sent to the unicast address get a Reply with UseMulticast alone, as this server
 *       offers no Server Unicast option (sections 18.3.2, 18.3.4, 18.3.7, 18.3.8).</li>
 * </ul>
 * Answers also carry the options the Option Request asks for, as the stateless Reply does. Nothing is allocated
 * per Information-request; a stateful message may allocate an address or two. Not thread-safe: one caller at a time.
 */
public final class Dhcpv6Server {
    /** What {@link #handle} returns when there is nothing to send. */
    public static final int NO_REPLY = -1;
    /** The longest Client Identifier taken (libslirp's bound; RFC 8415 section 11.1 allows 130). */
    public static final int MAX_CLIENT_ID_LENGTH = 256;
    /** How long a guest whose client declined its address gets none, as a declined DHCPv4 address is held. */
    public static final long DECLINE_HOLD_MILLIS = 600_000;
    /** The most guests held after a Decline at one time; past it the oldest hold ends early. */
    static final int MAX_HELD = 1024;
    private static final int ADDRESS = 16;
    private static final byte[] NO_ADDRESS_TEXT = ascii("no address for this client");
    private static final byte[] NO_TEMPORARY_TEXT = ascii("no temporary addresses");
    private static final byte[] NO_PREFIX_TEXT = ascii("no prefixes to delegate");
    private static final byte[] NO_BINDING_TEXT = ascii("no binding for this IA");
    private static final byte[] ON_LINK_TEXT = ascii("all addresses on link");
    private static final byte[] NOT_ON_LINK_TEXT = ascii("an address is not on this link");
    private static final byte[] USE_MULTICAST_TEXT = ascii("send to ff02::1:2");
    private static final byte[] DONE_TEXT = ascii("done");
    private static final int MAX_TEXT = NOT_ON_LINK_TEXT.length;
    /** A Status Code option at most. */
    private static final int STATUS = Dhcpv6Options.HEADER_LENGTH + 2 + MAX_TEXT;
    /** An IA Address option with no options inside. */
    private static final int IAADDR = Dhcpv6Options.HEADER_LENGTH + Dhcpv6Request.IAADDR_FIXED;

    private final Dhcpv6Settings settings;
    private final Dhcpv6Pool pool;
    private final byte[] serverDuid;
    private final byte[] searchList;
    private final byte[] bootFileUrl;
    private final Dhcpv6Message message = new Dhcpv6Message();
    private final Dhcpv6Request request = new Dhcpv6Request();
    /** MACs whose address their client declined, each until when (ms), oldest first. */
    private final Map<Long, Long> heldUntil = new LinkedHashMap<>();
    private long malformed;
    private long ignored;
    private long unsent;
    private long informed;
    private long advertised;
    private long bound;
    private long renewed;
    private long released;
    private long declined;
    private IpAddress lastBound;
    private IpAddress lastDeclined;

    public Dhcpv6Server(Dhcpv6Settings settings) {
        this.settings = settings;
        this.pool = settings.pool();
        this.serverDuid = duidLl(settings.serverMac());
        this.searchList = DomainNames.encode(settings.searchDomains());
        this.bootFileUrl = settings.bootFileUrl() == null ? null
                : settings.bootFileUrl().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
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

    /** The options an Option Request may add, at most. */
    private int requestedOptionsLength() {
        return (settings.dnsServer() != null ? Dhcpv6Options.HEADER_LENGTH + ADDRESS : 0)
                + (searchList.length > 0 ? Dhcpv6Options.HEADER_LENGTH + searchList.length : 0)
                + (bootFileUrl != null ? Dhcpv6Options.HEADER_LENGTH + bootFileUrl.length : 0);
    }

    /**
     * The longest answer {@link #handle} can write: a Client Identifier of {@link #MAX_CLIENT_ID_LENGTH}, every
     * option, and with a pool, {@link Dhcpv6Request#MAX_IAS} IAs holding {@link Dhcpv6Request#MAX_ADDRESSES}
     * addresses between them.
     */
    public int maxReplyLength() {
        int identifiers = Dhcpv6Message.HEADER_LENGTH + Dhcpv6Options.HEADER_LENGTH + MAX_CLIENT_ID_LENGTH
                + Dhcpv6Options.HEADER_LENGTH + serverDuid.length;
        int stateful = pool == null ? 0 : STATUS + Dhcpv6Options.HEADER_LENGTH + 1
                + Dhcpv6Request.MAX_IAS * (Dhcpv6Options.HEADER_LENGTH + Dhcpv6Request.IA_NA_FIXED + IAADDR + STATUS)
                + Dhcpv6Request.MAX_ADDRESSES * IAADDR;
        return identifiers + stateful + requestedOptionsLength();
    }

    /**
     * {@link #handle(ByteBuffer, int, int, long, boolean, long, ByteBuffer, int)} for a message to
     * All_DHCP_Relay_Agents_and_Servers from a guest whose MAC is unknown (which gets no address), at time 0.
     */
    public int handle(ByteBuffer in, int offset, int length, ByteBuffer out, int outOffset) {
        return handle(in, offset, length, 0, false, 0, out, outOffset);
    }

    /**
     * Handles one message from a client: {@code length} bytes of UDP payload at absolute {@code offset} of
     * {@code in}. Writes the answer at absolute {@code outOffset} of {@code out} (big-endian, distinct from
     * {@code in}; it must fit before {@code out}'s limit, {@link #maxReplyLength()} always does) and returns
     * its length, or returns {@link #NO_REPLY} and counts why ({@link #counters()}). Never throws on what the
     * client sent.
     *
     * @param clientMac the Ethernet source of the frame: whose address a stateful client gets
     * @param unicast   the message went to the server's own address, not to ff02::1:2
     * @param nowMillis the time, for the holds after a Decline
     * @throws IllegalArgumentException when {@code out} is not big-endian
     */
    public int handle(ByteBuffer in, int offset, int length, long clientMac, boolean unicast, long nowMillis,
                      ByteBuffer out, int outOffset) {
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
        int type = message.msgType();
        if (type != Dhcpv6MessageType.INFORMATION_REQUEST && !isStateful(type)) {
            ignored++;
            return NO_REPLY;
        }
        if (!request.read(message, in, serverDuid)) {
            malformed++;
            return NO_REPLY;
        }
        if (type == Dhcpv6MessageType.INFORMATION_REQUEST) {
            return informationReply(in, unicast, out, outOffset);
        }
        return stateful(type, in, clientMac, unicast, nowMillis, out, outOffset);
    }

    private static boolean isStateful(int type) {
        return switch (type) {
            case Dhcpv6MessageType.SOLICIT, Dhcpv6MessageType.REQUEST, Dhcpv6MessageType.CONFIRM,
                 Dhcpv6MessageType.RENEW, Dhcpv6MessageType.REBIND, Dhcpv6MessageType.RELEASE,
                 Dhcpv6MessageType.DECLINE -> true;
            default -> false;
        };
    }

    private int informationReply(ByteBuffer in, boolean unicast, ByteBuffer out, int outOffset) {
        if (unicast || request.iaCount > 0 || request.strayAddress || request.serverId == Dhcpv6Request.OTHER_SERVER_ID) {
            ignored++;
            return NO_REPLY;
        }
        int replyLength = Dhcpv6Message.HEADER_LENGTH + identifiersLength() + askedLength();
        if (!fits(out, outOffset, replyLength)) {
            return NO_REPLY;
        }
        int at = identifiers(in, out, outOffset, Dhcpv6MessageType.REPLY);
        at = asked(out, at);
        informed++;
        return at - outOffset;
    }

    private int stateful(int type, ByteBuffer in, long mac, boolean unicast, long now, ByteBuffer out, int outOffset) {
        boolean serverChosen = switch (type) {
            case Dhcpv6MessageType.SOLICIT, Dhcpv6MessageType.CONFIRM, Dhcpv6MessageType.REBIND -> false;
            default -> true;
        };
        if (pool == null || request.clientId < 0 || request.clientIdLength == 0
                || (serverChosen ? request.serverId != Dhcpv6Request.OUR_SERVER_ID
                        : request.serverId != Dhcpv6Request.NO_SERVER_ID || unicast)) {
            ignored++;
            return NO_REPLY;
        }
        if (unicast) {
            return statusReply(in, out, outOffset, Dhcpv6Status.USE_MULTICAST, USE_MULTICAST_TEXT, false);
        }
        return switch (type) {
            case Dhcpv6MessageType.CONFIRM -> confirm(in, out, outOffset);
            case Dhcpv6MessageType.RELEASE, Dhcpv6MessageType.DECLINE -> releaseOrDecline(type, in, mac, now, out, outOffset);
            default -> assign(type, in, mac, now, out, outOffset);
        };
    }

    /** Solicit, Request, Renew, Rebind: the guest's address in the first IA_NA. */
    private int assign(int type, ByteBuffer in, long mac, long now, ByteBuffer out, int outOffset) {
        boolean advertise = type == Dhcpv6MessageType.SOLICIT && !request.rapidCommit;
        boolean renewing = type == Dhcpv6MessageType.RENEW || type == Dhcpv6MessageType.REBIND;
        int bound = request.iaCount * (Dhcpv6Options.HEADER_LENGTH + Dhcpv6Request.IA_NA_FIXED + IAADDR + STATUS)
                + request.addressCount * IAADDR;
        if (!fits(out, outOffset, Dhcpv6Message.HEADER_LENGTH + identifiersLength() + Dhcpv6Options.HEADER_LENGTH + 1
                + bound + askedLength())) {
            return NO_REPLY;
        }
        IpAddress address = held(mac, now) ? null : pool.addressFor(mac);
        int at = identifiers(in, out, outOffset, advertise ? Dhcpv6MessageType.ADVERTISE : Dhcpv6MessageType.REPLY);
        if (advertise) {
            at = optionHeader(out, at, Dhcpv6Option.PREFERENCE, 1);
            out.put(at++, (byte) 255);
        } else if (type == Dhcpv6MessageType.SOLICIT) {
            at = optionHeader(out, at, Dhcpv6Option.RAPID_COMMIT, 0);
        }
        boolean given = false;
        for (int ia = 0; ia < request.iaCount; ia++) {
            int iaid = request.iaid(in, ia);
            int start = at;
            switch (request.iaCode[ia]) {
                case Dhcpv6Option.IA_NA -> {
                    boolean gives = address != null && !given;
                    at = iaHeader(out, at, Dhcpv6Option.IA_NA, iaid, gives ? pool.t1() : 0, gives ? pool.t2() : 0);
                    if (gives) {
                        at = iaAddress(out, at, address, pool.leaseSeconds());
                        given = true;
                    }
                    if (renewing) {
                        for (int a = 0; a < request.addressCount; a++) {
                            int offset = request.addressOffset[a];
                            if (request.addressIa[a] == ia && !(gives && address.equalsAt(in, offset))) {
                                at = iaAddress(out, at, IpAddress.ofIpv6(in.getLong(offset), in.getLong(offset + 8)), 0);
                            }
                        }
                    }
                    if (!gives) {
                        at = status(out, at, Dhcpv6Status.NO_ADDRS_AVAIL, NO_ADDRESS_TEXT);
                    }
                }
                case Dhcpv6Option.IA_TA -> {
                    at = iaHeader(out, at, Dhcpv6Option.IA_TA, iaid, 0, 0);
                    at = status(out, at, Dhcpv6Status.NO_ADDRS_AVAIL, NO_TEMPORARY_TEXT);
                }
                default -> {
                    at = iaHeader(out, at, Dhcpv6Option.IA_PD, iaid, 0, 0);
                    at = status(out, at, Dhcpv6Status.NO_PREFIX_AVAIL, NO_PREFIX_TEXT);
                }
            }
            endOption(out, start, at);
        }
        at = asked(out, at);
        if (given) {
            if (advertise) {
                advertised++;
            } else if (renewing) {
                renewed++;
            } else {
                this.bound++;
                lastBound = address;
            }
        }
        return at - outOffset;
    }

    /** Confirm: are the client's addresses on this link? */
    private int confirm(ByteBuffer in, ByteBuffer out, int outOffset) {
        if (request.addressCount == 0) {
            ignored++;
            return NO_REPLY;
        }
        for (int a = 0; a < request.addressCount; a++) {
            if (!pool.onLink(in, request.addressOffset[a])) {
                return statusReply(in, out, outOffset, Dhcpv6Status.NOT_ON_LINK, NOT_ON_LINK_TEXT, true);
            }
        }
        return statusReply(in, out, outOffset, Dhcpv6Status.SUCCESS, ON_LINK_TEXT, true);
    }

    /** Release, Decline: Success, and NoBinding for each IA that does not hold the guest's address. */
    private int releaseOrDecline(int type, ByteBuffer in, long mac, long now, ByteBuffer out, int outOffset) {
        int bound = request.iaCount * (Dhcpv6Options.HEADER_LENGTH + Dhcpv6Request.IA_NA_FIXED + STATUS);
        if (!fits(out, outOffset, Dhcpv6Message.HEADER_LENGTH + identifiersLength() + STATUS + bound)) {
            return NO_REPLY;
        }
        IpAddress address = pool.addressFor(mac);
        int at = identifiers(in, out, outOffset, Dhcpv6MessageType.REPLY);
        at = status(out, at, Dhcpv6Status.SUCCESS, DONE_TEXT);
        boolean found = false;
        for (int ia = 0; ia < request.iaCount; ia++) {
            int code = request.iaCode[ia];
            boolean holds = false;
            for (int a = 0; a < request.addressCount && code == Dhcpv6Option.IA_NA && address != null; a++) {
                holds |= request.addressIa[a] == ia && address.equalsAt(in, request.addressOffset[a]);
            }
            if (holds) {
                found = true;
                continue;
            }
            int start = at;
            at = iaHeader(out, at, code, request.iaid(in, ia), 0, 0);
            at = status(out, at, Dhcpv6Status.NO_BINDING, NO_BINDING_TEXT);
            endOption(out, start, at);
        }
        if (found && type == Dhcpv6MessageType.DECLINE) {
            hold(mac, now + DECLINE_HOLD_MILLIS);
            declined++;
            lastDeclined = address;
        } else if (found) {
            released++;
        }
        return at - outOffset;
    }

    /** A Reply with the identifiers and one Status Code (Confirm's answer, UseMulticast). */
    private int statusReply(ByteBuffer in, ByteBuffer out, int outOffset, int code, byte[] text, boolean asked) {
        if (!fits(out, outOffset, Dhcpv6Message.HEADER_LENGTH + identifiersLength() + STATUS + (asked ? askedLength() : 0))) {
            return NO_REPLY;
        }
        int at = identifiers(in, out, outOffset, Dhcpv6MessageType.REPLY);
        at = status(out, at, code, text);
        if (asked) {
            at = asked(out, at);
        }
        return at - outOffset;
    }

    private boolean held(long mac, long now) {
        Long until = heldUntil.get(mac);
        if (until == null) {
            return false;
        }
        if (now < until) {
            return true;
        }
        heldUntil.remove(mac);
        return false;
    }

    private void hold(long mac, long until) {
        heldUntil.remove(mac);
        if (heldUntil.size() >= MAX_HELD) {
            Iterator<Long> oldest = heldUntil.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        heldUntil.put(mac, until);
    }

    private boolean fits(ByteBuffer out, int outOffset, int length) {
        if (outOffset < 0 || length > out.limit() - outOffset) {
            unsent++;
            return false;
        }
        return true;
    }

    private int identifiersLength() {
        return (request.clientId >= 0 ? Dhcpv6Options.HEADER_LENGTH + request.clientIdLength : 0)
                + Dhcpv6Options.HEADER_LENGTH + serverDuid.length;
    }

    /** The header with the request's transaction-id, the Client Identifier when there was one, the Server Identifier. */
    private int identifiers(ByteBuffer in, ByteBuffer out, int outOffset, int type) {
        out.putInt(outOffset, type << 24 | message.transactionId());
        int at = outOffset + Dhcpv6Message.HEADER_LENGTH;
        if (request.clientId >= 0) {
            at = optionHeader(out, at, Dhcpv6Option.CLIENTID, request.clientIdLength);
            out.put(at, in, request.clientId, request.clientIdLength);
            at += request.clientIdLength;
        }
        at = optionHeader(out, at, Dhcpv6Option.SERVERID, serverDuid.length);
        out.put(at, serverDuid);
        return at + serverDuid.length;
    }

    private boolean dns() {
        return request.wantDns && settings.dnsServer() != null;
    }

    private boolean search() {
        return request.wantSearch && searchList.length > 0;
    }

    private boolean bootFile() {
        return request.wantBootFile && bootFileUrl != null;
    }

    /** The options the Option Request asked for that the settings have. */
    private int askedLength() {
        return (dns() ? Dhcpv6Options.HEADER_LENGTH + ADDRESS : 0)
                + (search() ? Dhcpv6Options.HEADER_LENGTH + searchList.length : 0)
                + (bootFile() ? Dhcpv6Options.HEADER_LENGTH + bootFileUrl.length : 0);
    }

    /** Options 23, 24 and 59, as asked for; in that order. */
    private int asked(ByteBuffer out, int at) {
        if (dns()) {
            at = optionHeader(out, at, Dhcpv6Option.DNS_SERVERS, ADDRESS);
            settings.dnsServer().write(out, at);
            at += ADDRESS;
        }
        if (search()) {
            at = optionHeader(out, at, Dhcpv6Option.DOMAIN_LIST, searchList.length);
            out.put(at, searchList);
            at += searchList.length;
        }
        if (bootFile()) {
            at = optionHeader(out, at, Dhcpv6Option.BOOTFILE_URL, bootFileUrl.length);
            out.put(at, bootFileUrl);
            at += bootFileUrl.length;
        }
        return at;
    }

    /**
     * An IA option's header (its length filled in by {@link #endOption} once its options are written), IAID, and T1/T2
     * but in an IA_TA, which has none (RFC 8415 section 21.5).
     */
    private static int iaHeader(ByteBuffer out, int at, int code, int iaid, long t1, long t2) {
        at = optionHeader(out, at, code, 0);
        out.putInt(at, iaid);
        at += 4;
        if (code != Dhcpv6Option.IA_TA) {
            out.putInt(at, (int) t1);
            out.putInt(at + 4, (int) t2);
            at += 8;
        }
        return at;
    }

    /** An IA Address whose preferred and valid lifetimes are both {@code lifetime}. */
    private static int iaAddress(ByteBuffer out, int at, IpAddress address, long lifetime) {
        at = optionHeader(out, at, Dhcpv6Option.IAADDR, Dhcpv6Request.IAADDR_FIXED);
        address.write(out, at);
        out.putInt(at + ADDRESS, (int) lifetime);
        out.putInt(at + ADDRESS + 4, (int) lifetime);
        return at + Dhcpv6Request.IAADDR_FIXED;
    }

    private static int status(ByteBuffer out, int at, int code, byte[] text) {
        at = optionHeader(out, at, Dhcpv6Option.STATUS_CODE, 2 + text.length);
        out.putShort(at, (short) code);
        out.put(at + 2, text);
        return at + 2 + text.length;
    }

    /** Fills in the length of the option that starts at {@code start} and whose options end at {@code end}. */
    private static void endOption(ByteBuffer out, int start, int end) {
        out.putShort(start + 2, (short) (end - start - Dhcpv6Options.HEADER_LENGTH));
    }

    private static int optionHeader(ByteBuffer out, int at, int code, int length) {
        out.putShort(at, (short) code);
        out.putShort(at + 2, (short) length);
        return at + Dhcpv6Options.HEADER_LENGTH;
    }

    public Dhcpv6Counters counters() {
        return new Dhcpv6Counters(malformed, ignored, unsent, informed, advertised, bound, renewed, released, declined);
    }

    /** Clients' Declines of their guest's address, ever ({@link #lastDeclined()} names the last). */
    public long declined() {
        return declined;
    }

    /** The address declined last, null before any. */
    public IpAddress lastDeclined() {
        return lastDeclined;
    }

    /** Replies that gave an address to a Request or a Rapid Commit Solicit, ever ({@link #lastBound()} names the last). */
    public long bound() {
        return bound;
    }

    /** The address given last in a Reply to a Request or Rapid Commit Solicit, null before any. */
    public IpAddress lastBound() {
        return lastBound;
    }
}
