package io.vnet4j.usernet.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds the messages a guest sends, byte by byte and independently of the code under test. */
final class ClientMessage {
    static final int LENGTH = 300;
    private int op = 1;
    private int htype = 1;
    private int hlen = 6;
    private int xid = 0x1234_5678;
    private int flags;
    private int ciaddr;
    private int giaddr;
    private final long mac;
    private final ByteArrayOutputStream options = new ByteArrayOutputStream();
    private boolean cookie = true;

    private ClientMessage(long mac) {
        this.mac = mac;
    }

    /** A message with a DHCP message type option. */
    static ClientMessage dhcp(int type, long mac) {
        return new ClientMessage(mac).option(DhcpOption.MESSAGE_TYPE, type);
    }

    /** A plain BOOTP request: the cookie but no message type. */
    static ClientMessage bootp(long mac) {
        return new ClientMessage(mac);
    }

    /** An RFC 951 client's request: a vendor area of 64 zero bytes, no magic cookie, no options. */
    static ClientMessage rfc951(long mac) {
        ClientMessage m = new ClientMessage(mac);
        m.cookie = false;
        return m;
    }

    ClientMessage op(int value) {
        op = value;
        return this;
    }

    /** The hardware type and address length (Ethernet's 1 and 6 unless set). */
    ClientMessage hardware(int type, int length) {
        htype = type;
        hlen = length;
        return this;
    }

    ClientMessage xid(int value) {
        xid = value;
        return this;
    }

    ClientMessage broadcastFlag() {
        flags = DhcpMessage.FLAG_BROADCAST;
        return this;
    }

    ClientMessage ciaddr(int address) {
        ciaddr = address;
        return this;
    }

    ClientMessage giaddr(int address) {
        giaddr = address;
        return this;
    }

    ClientMessage requested(int address) {
        return option(DhcpOption.REQUESTED_ADDRESS, address >>> 24, address >>> 16, address >>> 8, address);
    }

    ClientMessage serverId(int address) {
        return option(DhcpOption.SERVER_IDENTIFIER, address >>> 24, address >>> 16, address >>> 8, address);
    }

    ClientMessage hostname(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        options.write(DhcpOption.HOSTNAME);
        options.write(bytes.length);
        options.writeBytes(bytes);
        return this;
    }

    /** Appends an option whose value is the low byte of each argument. */
    ClientMessage option(int code, int... value) {
        options.write(code);
        options.write(value.length);
        for (int b : value) {
            options.write(b);
        }
        return this;
    }

    /** The message: fixed fields, cookie, options, end, zero padding to 300 bytes (longer when the options need it). */
    ByteBuffer build() {
        ByteBuffer buf = ByteBuffer.allocate(Math.max(LENGTH, 241 + options.size()));
        buf.put(0, (byte) op).put(1, (byte) htype).put(2, (byte) hlen);
        buf.putInt(4, xid).putShort(10, (short) flags).putInt(12, ciaddr).putInt(24, giaddr);
        buf.putShort(28, (short) (mac >>> 32)).putInt(30, (int) mac);
        if (cookie) {
            buf.putInt(236, 0x6382_5363);
            byte[] bytes = options.toByteArray();
            buf.put(240, bytes).put(240 + bytes.length, (byte) 0xFF);
        }
        return buf;
    }
}
