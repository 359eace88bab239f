package io.vnet4j.usernet.tftp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/** Client-side packets for the tests, built by hand so they do not share code with the server. */
final class Packets {
    static final io.vnet4j.wire.IpAddress CLIENT_IP = io.vnet4j.wire.IpAddress.ofIpv4(0x0a00_020f);
    static final io.vnet4j.wire.IpAddress SERVER_IP = io.vnet4j.wire.IpAddress.ofIpv4(0x0a00_0202);
    static final int CLIENT_PORT = 2070;

    private Packets() {}

    /** An RRQ; {@code options} alternate names and values. */
    static byte[] rrq(String name, String mode, String... options) {
        return request(TftpOpcode.RRQ, name, mode, options);
    }

    static byte[] wrq(String name, String mode) {
        return request(TftpOpcode.WRQ, name, mode);
    }

    private static byte[] request(int opcode, String name, String mode, String... options) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(0);
        bytes.write(opcode);
        cString(bytes, name);
        cString(bytes, mode);
        for (String option : options) {
            cString(bytes, option);
        }
        return bytes.toByteArray();
    }

    static byte[] ack(int block) {
        return new byte[] {0, (byte) TftpOpcode.ACK, (byte) (block >>> 8), (byte) block};
    }

    static byte[] error(int code, String message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(0);
        bytes.write(TftpOpcode.ERROR);
        bytes.write(code >>> 8);
        bytes.write(code);
        cString(bytes, message);
        return bytes.toByteArray();
    }

    private static void cString(ByteArrayOutputStream bytes, String value) {
        bytes.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        bytes.write(0);
    }

    static byte[] hex(String... lines) {
        return HexFormat.ofDelimiter(" ").parseHex(String.join(" ", lines));
    }

    /** A buffer of {@code length} bytes all 0xa5, so a write that skips a byte shows. */
    static ByteBuffer poisoned(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0xa5);
        return ByteBuffer.wrap(bytes);
    }

    static int u16(byte[] packet, int at) {
        return (packet[at] & 0xFF) << 8 | packet[at + 1] & 0xFF;
    }
}
