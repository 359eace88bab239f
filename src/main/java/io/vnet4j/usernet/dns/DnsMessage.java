package io.vnet4j.usernet.dns;

import io.vnet4j.wire.WireError;
import io.vnet4j.wire.WireView;
import java.nio.ByteBuffer;

/**
 * Flyweight view of a DNS message (RFC 1035 §4.1): a UDP payload, or a TCP message after its 2-byte
 * length prefix. Reads and writes the 12-byte header with absolute accessors only; the sections after
 * it are read with {@link DnsQuestion}.
 */
public final class DnsMessage extends WireView {
    /** Length of the header, and the offset of the first question. */
    public static final int HEADER_LENGTH = 12;
    public static final int OPCODE_QUERY = 0;
    public static final int RCODE_NOERROR = 0;
    /** RFC 1035 section 4.1.1: the server could not process the query (no upstream to ask). */
    public static final int RCODE_SERVFAIL = 2;
    /** RFC 1035 section 4.1.1: the name does not exist (a reverse name of the virtual network without a guest). */
    public static final int RCODE_NXDOMAIN = 3;
    /** RFC 1035 section 4.1.1: the server refuses for policy reasons ({@code restrict=on}). */
    public static final int RCODE_REFUSED = 5;
    public static final int FLAG_QR = 0x8000;
    public static final int FLAG_AA = 0x0400;
    public static final int FLAG_TC = 0x0200;
    public static final int FLAG_RD = 0x0100;
    public static final int FLAG_RA = 0x0080;
    private static final int OPCODE_SHIFT = 11;
    private static final int OPCODE_MASK = 0xF;
    private static final int RCODE_MASK = 0xF;
    private static final int ID = 0;
    private static final int FLAGS = 2;
    private static final int QDCOUNT = 4;
    private static final int ANCOUNT = 6;
    private static final int NSCOUNT = 8;
    private static final int ARCOUNT = 10;


    /** Points this view at {@code length} bytes from absolute {@code offset} of a big-endian buffer; returns {@code this}. */
    public DnsMessage wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /** Checks the header is present; the counts are not checked against the sections. */
    public WireError check() {
        return len < HEADER_LENGTH ? WireError.TRUNCATED : WireError.NONE;
    }

    public int id() {
        return u16(ID);
    }

    /** The whole flags word: QR, OPCODE, AA, TC, RD, RA, Z and RCODE. */
    public int flags() {
        return u16(FLAGS);
    }

    /** True for a response, false for a query. */
    public boolean qr() {
        return (flags() & FLAG_QR) != 0;
    }

    public int opcode() {
        return flags() >>> OPCODE_SHIFT & OPCODE_MASK;
    }

    /** Authoritative answer. */
    public boolean aa() {
        return (flags() & FLAG_AA) != 0;
    }

    /** Truncated. */
    public boolean tc() {
        return (flags() & FLAG_TC) != 0;
    }

    /** Recursion desired. */
    public boolean rd() {
        return (flags() & FLAG_RD) != 0;
    }

    /** Recursion available. */
    public boolean ra() {
        return (flags() & FLAG_RA) != 0;
    }

    public int rcode() {
        return flags() & RCODE_MASK;
    }

    /** QDCOUNT: entries in the question section. */
    public int questionCount() {
        return u16(QDCOUNT);
    }

    /** ANCOUNT: records in the answer section. */
    public int answerCount() {
        return u16(ANCOUNT);
    }

    /** NSCOUNT: records in the authority section. */
    public int authorityCount() {
        return u16(NSCOUNT);
    }

    /** ARCOUNT: records in the additional section. */
    public int additionalCount() {
        return u16(ARCOUNT);
    }

    public void setId(int id) {
        put16(ID, id);
    }

    /** Writes the whole flags word. */
    public void setFlags(int flags) {
        put16(FLAGS, flags);
    }

    /** Writes QDCOUNT, ANCOUNT, NSCOUNT and ARCOUNT. */
    public void setCounts(int questions, int answers, int authorities, int additionals) {
        put16(QDCOUNT, questions);
        put16(ANCOUNT, answers);
        put16(NSCOUNT, authorities);
        put16(ARCOUNT, additionals);
    }

    /** The byte at {@code at}, relative to the start of the message (for the name and question readers). */
    int byteAt(int at) {
        return u8(at);
    }

    /** The 16-bit word at {@code at}, relative to the start of the message. */
    int wordAt(int at) {
        return u16(at);
    }
}
