package io.vnet4j.usernet.dns;

import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Answers the gateway's DNS queries for the guests' own names, as pure logic: a standard query for
 * {@code NAME.DOMAIN}, or a bare {@code NAME}, whose host the lookup knows gets an authoritative
 * answer; everything else is left to the upstream resolvers. Not thread-safe: one caller at a time.
 */
public final class LocalResolver {
    /** What {@link #answer} returns when the query is not answered here and goes upstream. */
    public static final int FORWARD = -1;
    /** TTL of the A records: short, since a guest's lease, and so its address, can change. */
    public static final int TTL_SECONDS = 60;
    private static final int ANSWER_LENGTH = 16;
    /** Room {@link #answer} needs in {@code out}: header, the longest question, one A record. */
    public static final int MAX_RESPONSE_LENGTH =
            DnsMessage.HEADER_LENGTH + DnsNameReader.MAX_NAME_LENGTH + 4 + ANSWER_LENGTH;
    private static final int IPV4_LENGTH = 4;
    /** A compression pointer to the question name, which always starts right after the header. */
    private static final int POINTER_TO_QUESTION = 0xC000 | DnsMessage.HEADER_LENGTH;
    private static final Pattern DOMAIN = Pattern.compile("([A-Za-z0-9_-]{1,63}(\\.[A-Za-z0-9_-]{1,63})*)?");
    private static final int MAX_DOMAIN_LENGTH = 253;

    private final String domain;
    private final Function<String, Integer> lookupHost;
    private final DnsMessage query = new DnsMessage();
    private final DnsMessage response = new DnsMessage();
    private final DnsQuestion question = new DnsQuestion();

    /**
     * @param domain     the guests' domain, e.g. {@code example.test}, a final dot allowed; empty to
     *                   answer bare names only
     * @param lookupHost maps a host label, given in lower case, to a guest's IPv4 address, or null
     */
    public LocalResolver(String domain, Function<String, Integer> lookupHost) {
        String trimmed = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (trimmed.length() > MAX_DOMAIN_LENGTH || !DOMAIN.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("not a domain name: " + domain);
        }
        this.domain = trimmed;
        this.lookupHost = Objects.requireNonNull(lookupHost);
    }

    /**
     * Answers the query in {@code length} bytes at absolute {@code offset} of {@code in}, or returns
     * {@link #FORWARD}. Answered: a standard query (QR 0, OPCODE 0, QDCOUNT 1) of class IN for a known
     * host. Type A or ANY gets one A record with a TTL of {@value #TTL_SECONDS} s; any other type
     * gets NOERROR with no answer (NODATA), so the guest does not wait on upstream. The response goes
     * at absolute {@code outOffset} of {@code out}, which needs {@link #MAX_RESPONSE_LENGTH} bytes
     * there and may be the query's own bytes ({@code out == in}, {@code outOffset == offset}) but
     * must not otherwise overlap them; its length is returned. The response has the query's id, QR,
     * AA and RA set, RD copied, the question echoed and no additional records (EDNS is not echoed).
     */
    public int answer(ByteBuffer in, int offset, int length, ByteBuffer out, int outOffset) {
        Objects.checkFromIndexSize(outOffset, MAX_RESPONSE_LENGTH, out.limit());
        if (query.wrap(in, offset, length).check() != WireError.NONE || query.qr()
                || query.opcode() != DnsMessage.OPCODE_QUERY || query.questionCount() != 1
                || question.read(query, DnsMessage.HEADER_LENGTH) != WireError.NONE
                || question.qclass() != DnsClass.IN) {
            return FORWARD;
        }
        String host = hostLabel(question.name());
        Integer address = host == null ? null : lookupHost.apply(host);
        if (address == null) {
            return FORWARD;
        }
        boolean withRecord = question.type() == DnsType.A || question.type() == DnsType.ANY;
        int questionEnd = question.end();
        int total = questionEnd + (withRecord ? ANSWER_LENGTH : 0);
        int id = query.id();
        int recursion = query.flags() & DnsMessage.FLAG_RD;
        if (in != out || offset != outOffset) {
            // the question name starts right after the header, where no pointer can go: its bytes copy as they are
            out.put(outOffset + DnsMessage.HEADER_LENGTH, in, offset + DnsMessage.HEADER_LENGTH,
                    questionEnd - DnsMessage.HEADER_LENGTH);
        }
        response.wrap(out, outOffset, total);
        response.setId(id);
        response.setFlags(DnsMessage.FLAG_QR | DnsMessage.FLAG_AA | recursion | DnsMessage.FLAG_RA
                | DnsMessage.RCODE_NOERROR);
        response.setCounts(1, withRecord ? 1 : 0, 0, 0);
        if (withRecord) {
            int at = outOffset + questionEnd;
            out.putShort(at, (short) POINTER_TO_QUESTION);
            out.putShort(at + 2, (short) DnsType.A);
            out.putShort(at + 4, (short) DnsClass.IN);
            out.putInt(at + 6, TTL_SECONDS);
            out.putShort(at + 10, (short) IPV4_LENGTH);
            out.putInt(at + 12, address);
        }
        return total;
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
