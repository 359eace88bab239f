package io.vnet4j.wire;

/** TCP control bits as returned by {@link TcpSegment#flags()}: the low 9 bits of header bytes 12-13. */
public final class TcpFlags {
    public static final int FIN = 0x001;
    public static final int SYN = 0x002;
    public static final int RST = 0x004;
    public static final int PSH = 0x008;
    public static final int ACK = 0x010;
    public static final int URG = 0x020;
    public static final int ECE = 0x040;
    public static final int CWR = 0x080;
    public static final int NS = 0x100;
    /** All bits a {@link TcpSegment} reads and writes as flags. */
    public static final int MASK = 0x1FF;

    private TcpFlags() {}
}
