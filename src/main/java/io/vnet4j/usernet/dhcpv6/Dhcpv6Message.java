package io.vnet4j.usernet.dhcpv6;

import io.vnet4j.wire.WireError;
import io.vnet4j.wire.WireView;
import java.nio.ByteBuffer;

/**
 * Flyweight view of a client/server DHCPv6 message over a UDP payload (RFC 8415 section 8): msg-type
 * (1 byte), transaction-id (3 bytes), then options ({@link Dhcpv6Options}).
 */
public final class Dhcpv6Message extends WireView {
    /** msg-type and transaction-id. */
    public static final int HEADER_LENGTH = 4;
    private static final int MSG_TYPE = 0;
    private static final int TRANSACTION_ID = 1;
    /** Walks the options in {@link #check()}, so that checking allocates nothing. */
    private final Dhcpv6Options checker = new Dhcpv6Options();

    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public Dhcpv6Message wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /**
     * Checks: {@link WireError#TRUNCATED} under 4 bytes; {@link WireError#UNSUPPORTED} for the relay messages
     * (their header differs, RFC 8415 section 9); {@link WireError#BAD_OPTION} unless the options tile the
     * rest of the view exactly (every option is walked).
     */
    public WireError check() {
        if (len < HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        if (Dhcpv6MessageType.isRelay(msgType())) {
            return WireError.UNSUPPORTED;
        }
        return checker.reset(buf, optionsOffset(), optionsLength()).walkAll();
    }

    /** msg-type ({@link Dhcpv6MessageType}). */
    public int msgType() {
        return u8(MSG_TYPE);
    }

    /** transaction-id: 24 bits. */
    public int transactionId() {
        return i32(MSG_TYPE) & 0xFF_FFFF;
    }

    /** Absolute offset of the options. */
    public int optionsOffset() {
        return off + HEADER_LENGTH;
    }

    public int optionsLength() {
        return len - HEADER_LENGTH;
    }

    /** Points {@code options} at this message's options and returns it. */
    public Dhcpv6Options options(Dhcpv6Options options) {
        return options.reset(buf, optionsOffset(), optionsLength());
    }

    public void setMsgType(int msgType) {
        put8(MSG_TYPE, msgType);
    }

    /** Writes the 24-bit transaction-id. */
    public void setTransactionId(int transactionId) {
        put8(TRANSACTION_ID, transactionId >>> 16);
        put16(TRANSACTION_ID + 1, transactionId);
    }
}
