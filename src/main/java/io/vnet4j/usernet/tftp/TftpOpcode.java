package io.vnet4j.usernet.tftp;

/** TFTP opcodes: the first two bytes of every packet (RFC 1350; OACK from RFC 2347). */
public final class TftpOpcode {
    public static final int RRQ = 1;
    public static final int WRQ = 2;
    public static final int DATA = 3;
    public static final int ACK = 4;
    public static final int ERROR = 5;
    public static final int OACK = 6;

    private TftpOpcode() {}
}
