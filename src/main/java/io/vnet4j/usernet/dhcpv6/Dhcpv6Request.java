package io.vnet4j.usernet.dhcpv6;

import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;

/**
 * What one checked client message holds, read in one walk of its options and of the options inside its IA options
 * (RFC 8415 sections 21.4-21.6 and 21.21): the Client Identifier, whether a Server Identifier names this server,
 * what the Option Request asks for, Rapid Commit, the IAs and the addresses in them. Allocation-free and reused;
 * not thread-safe.
 *
 * <p>Malformed ({@link #read} false): a Client Identifier over {@link Dhcpv6Server#MAX_CLIENT_ID_LENGTH} bytes, an
 * Option Request of odd length, Rapid Commit with data, an IA shorter than its fixed fields (IA_NA and IA_PD 12
 * bytes, IA_TA 4), options inside an IA that do not tile it, an IA Address under 24 bytes, more than
 * {@link #MAX_IAS} IAs or {@link #MAX_ADDRESSES} IA Addresses. An IA Address outside any IA is noted
 * ({@link #strayAddress}) and otherwise left aside.
 */
final class Dhcpv6Request {
    /** The most IA options taken in one message; real clients send one or two. */
    static final int MAX_IAS = 8;
    /** The most IA Address options taken in one message, over all its IAs. */
    static final int MAX_ADDRESSES = 16;
    static final int NO_SERVER_ID = 0;
    static final int OUR_SERVER_ID = 1;
    static final int OTHER_SERVER_ID = 2;
    /** IAID, T1 and T2. */
    static final int IA_NA_FIXED = 12;
    /** IAID. */
    static final int IA_TA_FIXED = 4;
    /** Address, preferred and valid lifetime. */
    static final int IAADDR_FIXED = 24;

    private final Dhcpv6Options options = new Dhcpv6Options();
    private final Dhcpv6Options inner = new Dhcpv6Options();
    /** Absolute offset of the last Client Identifier's data, -1 without one. */
    int clientId;
    int clientIdLength;
    int serverId;
    boolean wantDns;
    boolean wantSearch;
    boolean wantBootFile;
    boolean rapidCommit;
    boolean strayAddress;
    int iaCount;
    /** Each IA's option code (IA_NA, IA_TA, IA_PD) and the absolute offset and length of its data. */
    final int[] iaCode = new int[MAX_IAS];
    final int[] iaOffset = new int[MAX_IAS];
    final int[] iaLength = new int[MAX_IAS];
    int addressCount;
    /** Each IA Address's absolute offset of its 16 address bytes, and the index of its IA. */
    final int[] addressOffset = new int[MAX_ADDRESSES];
    final int[] addressIa = new int[MAX_ADDRESSES];

    /** Reads a message that passed {@link Dhcpv6Message#check()}; false when it is malformed (see the class). */
    boolean read(Dhcpv6Message message, ByteBuffer in, byte[] serverDuid) {
        clientId = -1;
        clientIdLength = 0;
        serverId = NO_SERVER_ID;
        wantDns = wantSearch = wantBootFile = rapidCommit = strayAddress = false;
        iaCount = 0;
        addressCount = 0;
        message.options(options);
        while (options.next()) {
            int data = options.dataOffset();
            int dataLength = options.dataLength();
            switch (options.code()) {
                case Dhcpv6Option.CLIENTID -> {
                    if (dataLength > Dhcpv6Server.MAX_CLIENT_ID_LENGTH) {
                        return false;
                    }
                    clientId = data;
                    clientIdLength = dataLength;
                }
                case Dhcpv6Option.SERVERID -> {
                    if (!equal(in, data, dataLength, serverDuid)) {
                        serverId = OTHER_SERVER_ID;
                    } else if (serverId == NO_SERVER_ID) {
                        serverId = OUR_SERVER_ID;
                    }
                }
                case Dhcpv6Option.ORO -> {
                    if ((dataLength & 1) != 0) {
                        return false;
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
                case Dhcpv6Option.RAPID_COMMIT -> {
                    if (dataLength != 0) {
                        return false;
                    }
                    rapidCommit = true;
                }
                case Dhcpv6Option.IA_NA, Dhcpv6Option.IA_PD -> {
                    if (!readIa(in, options.code(), data, dataLength, IA_NA_FIXED)) {
                        return false;
                    }
                }
                case Dhcpv6Option.IA_TA -> {
                    if (!readIa(in, options.code(), data, dataLength, IA_TA_FIXED)) {
                        return false;
                    }
                }
                case Dhcpv6Option.IAADDR -> strayAddress = true;
                default -> { }
            }
        }
        return true;
    }

    private boolean readIa(ByteBuffer in, int code, int data, int dataLength, int fixed) {
        if (dataLength < fixed || iaCount == MAX_IAS) {
            return false;
        }
        int ia = iaCount++;
        iaCode[ia] = code;
        iaOffset[ia] = data;
        iaLength[ia] = dataLength;
        inner.reset(in, data + fixed, dataLength - fixed);
        while (inner.next()) {
            if (inner.code() == Dhcpv6Option.IAADDR && code != Dhcpv6Option.IA_PD) {
                if (inner.dataLength() < IAADDR_FIXED || addressCount == MAX_ADDRESSES) {
                    return false;
                }
                addressOffset[addressCount] = inner.dataOffset();
                addressIa[addressCount++] = ia;
            }
        }
        return inner.error() == WireError.NONE;
    }

    /** The IAID of IA {@code ia}: its first four bytes. */
    int iaid(ByteBuffer in, int ia) {
        return in.getInt(iaOffset[ia]);
    }

    private static boolean equal(ByteBuffer in, int data, int dataLength, byte[] expected) {
        if (dataLength != expected.length) {
            return false;
        }
        for (int i = 0; i < dataLength; i++) {
            if (in.get(data + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
