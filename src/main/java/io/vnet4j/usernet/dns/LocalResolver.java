package io.vnet4j.usernet.dns;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Answers the gateway's DNS queries for the guests' own names, as pure logic: a standard query for
 * {@code NAME.DOMAIN}, or a bare {@code NAME}, of a guest {@link GuestNames} knows gets an authoritative
 * answer with its addresses (A for IPv4, AAAA for IPv6, both for ANY), and a reverse query
 * ({@code in-addr.arpa}, {@code ip6.arpa}) for a guest's address gets its name (PTR), and one for any other
 * address of the virtual network NXDOMAIN; everything else is left to the upstream resolvers. Not thread-safe: one
 * caller at a time.
 */
public final class LocalResolver {
    /** What {@link #answer} returns when the query is not answered here and goes upstream. */
    public static final int FORWARD = -1;
    /** TTL of the records: short, since a guest's lease or SLAAC address, and so its address, can change. */
    public static final int TTL_SECONDS = 60;
    /** At most this many addresses of each family are answered for one name. */
    public static final int MAX_RECORDS = 4;
    /** Type, class, TTL and RDLENGTH after the compression pointer to the question name. */
    private static final int RECORD_HEADER = 2 + 10;
    private static final int PTR = 12;
    /** Room {@link #answer} needs in {@code out}: header, the longest question, the largest answer section. */
    public static final int MAX_RESPONSE_LENGTH = DnsMessage.HEADER_LENGTH + DnsNameReader.MAX_NAME_LENGTH + 4
            + Math.max(MAX_RECORDS * (RECORD_HEADER + 4 + RECORD_HEADER + 16),
                    RECORD_HEADER + DnsNameReader.MAX_NAME_LENGTH);
    /** A compression pointer to the question name, which always starts right after the header. */
    private static final int POINTER_TO_QUESTION = 0xC000 | DnsMessage.HEADER_LENGTH;
    private static final Pattern DOMAIN = Pattern.compile("([A-Za-z0-9_-]{1,63}(\\.[A-Za-z0-9_-]{1,63})*)?");
    private static final int MAX_DOMAIN_LENGTH = 253;

    private final String domain;
    private final GuestNames names;
    private final DnsMessage query = new DnsMessage();
    private final DnsMessage response = new DnsMessage();
    private final DnsQuestion question = new DnsQuestion();

    /**
     * @param domain the guests' domain, e.g. {@code example.test}, a final dot allowed; empty to answer bare
     *               names only (and PTR with bare names)
     * @param names  the guests' names and addresses
     */
    public LocalResolver(String domain, GuestNames names) {
        String trimmed = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (trimmed.length() > MAX_DOMAIN_LENGTH || !DOMAIN.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("not a domain name: " + domain);
        }
        this.domain = trimmed;
        this.names = Objects.requireNonNull(names);
    }

    /**
     * Answers the query in {@code length} bytes at absolute {@code offset} of {@code in}, or returns
     * {@link #FORWARD}. Answered: a standard query (QR 0, OPCODE 0, QDCOUNT 1) of class IN for a known
     * guest: type A, AAAA or ANY gets the guest's addresses of that family (at most {@value #MAX_RECORDS}
     * each) with a TTL of {@value #TTL_SECONDS} s, and any type without such addresses NOERROR with no
     * answer (NODATA), so the guest does not wait on upstream; type PTR of a guest's reverse name gets its
     * name, and type PTR of another address of the virtual network ({@link GuestNames#inVirtualNetwork}) NXDOMAIN:
     * no upstream knows those names (the gateway 10.0.2.2, where a host forward's clients come from, an address no
     * guest holds), and asking one cost a guest's reverse lookup the upstream's time-out when it was slow or gone
     * (sshd's {@code UseDNS}, a login held for seconds, boot2docker/boot2docker#439; or the host LAN's name when
     * the host's LAN has the same addresses). The response goes at absolute {@code outOffset} of {@code out}, which
     * needs {@link #MAX_RESPONSE_LENGTH} bytes there and may be the query's own bytes ({@code out == in},
     * {@code outOffset == offset}) but must not otherwise overlap them; its length is returned. The
     * response has the query's id, QR, AA and RA set, RD copied, the question echoed and no additional
     * records (EDNS is not echoed).
     */
    public int answer(ByteBuffer in, int offset, int length, ByteBuffer out, int outOffset) {
        Objects.checkFromIndexSize(outOffset, MAX_RESPONSE_LENGTH, out.limit());
        if (query.wrap(in, offset, length).check() != WireError.NONE || query.qr()
                || query.opcode() != DnsMessage.OPCODE_QUERY || query.questionCount() != 1
                || question.read(query, DnsMessage.HEADER_LENGTH) != WireError.NONE
                || question.qclass() != DnsClass.IN) {
            return FORWARD;
        }
        int type = question.type();
        String name = question.name();
        String pointedName = null;
        List<IpAddress> addresses = List.of();
        IpAddress reverse = type == PTR ? ReverseName.parse(name) : null;
        int rcode = DnsMessage.RCODE_NOERROR;
        if (reverse != null) {
            String host = names.name(reverse);
            if (host == null) {
                if (!names.inVirtualNetwork(reverse)) {
                    return FORWARD;
                }
                rcode = DnsMessage.RCODE_NXDOMAIN;
            } else {
                pointedName = domain.isEmpty() ? host : host + "." + domain;
                if (host.isEmpty() || pointedName.length() > MAX_DOMAIN_LENGTH || !DOMAIN.matcher(pointedName).matches()) {
                    return FORWARD; // a name a guest gave in DHCP that DNS cannot carry as it is
                }
            }
        } else {
            String host = hostLabel(name);
            addresses = host == null ? null : names.addresses(host);
            if (addresses == null) {
                return FORWARD;
            }
        }
        int questionEnd = question.end();
        int id = query.id();
        int recursion = query.flags() & DnsMessage.FLAG_RD;
        if (in != out || offset != outOffset) {
            // the question name starts right after the header, where no pointer can go: its bytes copy as they are
            out.put(outOffset + DnsMessage.HEADER_LENGTH, in, offset + DnsMessage.HEADER_LENGTH,
                    questionEnd - DnsMessage.HEADER_LENGTH);
        }
        int at = outOffset + questionEnd;
        int records = 0;
        if (pointedName != null) {
            at = writePtr(out, at, pointedName);
            records = 1;
        } else {
            int v4 = 0;
            int v6 = 0;
            for (IpAddress a : addresses) {
                boolean asked = a.isIpv4() ? type == DnsType.A || type == DnsType.ANY
                        : type == DnsType.AAAA || type == DnsType.ANY;
                if (asked && (a.isIpv4() ? v4++ : v6++) < MAX_RECORDS) {
                    at = writeAddress(out, at, a);
                    records++;
                }
            }
        }
        int total = at - outOffset;
        response.wrap(out, outOffset, total);
        response.setId(id);
        response.setFlags(DnsMessage.FLAG_QR | DnsMessage.FLAG_AA | recursion | DnsMessage.FLAG_RA | rcode);
        response.setCounts(1, records, 0, 0);
        return total;
    }

    /**
     * Answers a standard query (as {@link #answer} reads it) with no records and {@code rcode}
     * ({@link DnsMessage#RCODE_REFUSED}, {@link DnsMessage#RCODE_SERVFAIL}), so that a guest whose query
     * cannot be forwarded learns it at once instead of after its resolver's timeout; returns the length,
     * or {@link #FORWARD} when the query is not one to answer (then it is dropped). Same buffer rules as
     * {@link #answer}.
     */
    public int refuse(ByteBuffer in, int offset, int length, ByteBuffer out, int outOffset, int rcode) {
        Objects.checkFromIndexSize(outOffset, MAX_RESPONSE_LENGTH, out.limit());
        if (query.wrap(in, offset, length).check() != WireError.NONE || query.qr()
                || query.opcode() != DnsMessage.OPCODE_QUERY || query.questionCount() != 1
                || question.read(query, DnsMessage.HEADER_LENGTH) != WireError.NONE) {
            return FORWARD;
        }
        int questionEnd = question.end();
        int id = query.id();
        int recursion = query.flags() & DnsMessage.FLAG_RD;
        if (in != out || offset != outOffset) {
            out.put(outOffset + DnsMessage.HEADER_LENGTH, in, offset + DnsMessage.HEADER_LENGTH,
                    questionEnd - DnsMessage.HEADER_LENGTH);
        }
        response.wrap(out, outOffset, questionEnd);
        response.setId(id);
        response.setFlags(DnsMessage.FLAG_QR | recursion | DnsMessage.FLAG_RA | rcode);
        response.setCounts(1, 0, 0, 0);
        return questionEnd;
    }

    /** An A or AAAA record for the question's name at absolute {@code at}; returns where it ends. */
    private static int writeAddress(ByteBuffer out, int at, IpAddress address) {
        boolean v4 = address.isIpv4();
        out.putShort(at, (short) POINTER_TO_QUESTION);
        out.putShort(at + 2, (short) (v4 ? DnsType.A : DnsType.AAAA));
        out.putShort(at + 4, (short) DnsClass.IN);
        out.putInt(at + 6, TTL_SECONDS);
        out.putShort(at + 10, (short) (v4 ? 4 : 16));
        if (v4) {
            out.putInt(at + RECORD_HEADER, address.ipv4());
            return at + RECORD_HEADER + 4;
        }
        address.write(out, at + RECORD_HEADER);
        return at + RECORD_HEADER + 16;
    }

    /** A PTR record naming {@code target} (letters, digits, '-', '_' and dots: a guest's name) at {@code at}. */
    private static int writePtr(ByteBuffer out, int at, String target) {
        out.putShort(at, (short) POINTER_TO_QUESTION);
        out.putShort(at + 2, (short) PTR);
        out.putShort(at + 4, (short) DnsClass.IN);
        out.putInt(at + 6, TTL_SECONDS);
        int p = at + RECORD_HEADER;
        for (String label : target.split("\\.")) {
            out.put(p++, (byte) label.length());
            for (int i = 0; i < label.length(); i++) {
                out.put(p++, (byte) label.charAt(i));
            }
        }
        out.put(p++, (byte) 0);
        out.putShort(at + 10, (short) (p - at - RECORD_HEADER));
        return p;
    }
    /** The host label of {@code NAME.DOMAIN} or of a bare {@code NAME}, in lower case; null for any other name. */
    private String hostLabel(String name) {
        int dot = name.indexOf('.');
        String host;
        if (dot < 0) {
            host = name;
        } else if (!domain.isEmpty() && name.length() - dot - 1 == domain.length()
                && name.regionMatches(true, dot + 1, domain, 0, domain.length())) {
            host = name.substring(0, dot);
        } else {
            return null;
        }
        // an escaped byte (\DDD) is no host name a guest registers
        return host.isEmpty() || host.indexOf('\\') >= 0 ? null : host.toLowerCase(Locale.ROOT);
    }
}
