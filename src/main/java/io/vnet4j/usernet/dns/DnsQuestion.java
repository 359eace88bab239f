package io.vnet4j.usernet.dns;

import io.vnet4j.wire.WireError;

/**
 * Checked reader of one question entry (RFC 1035 §4.1.2): QNAME, QTYPE and QCLASS. Offsets are
 * relative to the start of the message. Reusable; not thread-safe.
 */
public final class DnsQuestion {
    private static final int TYPE_AND_CLASS_LENGTH = 4;

    private final DnsNameReader names = new DnsNameReader();
    private int type;
    private int qclass;
    private int end;

    /**
     * Reads the question at {@code at}; after {@link WireError#NONE} the accessors describe it.
     * Errors are those of {@link DnsNameReader#read}, or {@link WireError#TRUNCATED} when QTYPE and
     * QCLASS do not fit.
     */
    public WireError read(DnsMessage message, int at) {
        WireError error = names.read(message, at);
        if (error != WireError.NONE) {
            return error;
        }
        int fixed = names.end();
        if (fixed + TYPE_AND_CLASS_LENGTH > message.length()) {
            return WireError.TRUNCATED;
        }
        type = message.wordAt(fixed);
        qclass = message.wordAt(fixed + 2);
        end = fixed + TYPE_AND_CLASS_LENGTH;
        return WireError.NONE;
    }

    /** QNAME in the presentation form of {@link DnsNameReader#name()}. */
    public String name() {
        return names.name();
    }

    /** QTYPE, e.g. {@link DnsType#A}. */
    public int type() {
        return type;
    }

    /** QCLASS, e.g. {@link DnsClass#IN}. */
    public int qclass() {
        return qclass;
    }

    /** Offset just past QCLASS: where the next question or the answer section starts. */
    public int end() {
        return end;
    }
}
