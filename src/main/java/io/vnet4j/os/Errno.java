package io.vnet4j.os;

/**
 * The Linux errno values (asm-generic/errno-base.h and errno.h, the same on x86-64 and arm64) that callers
 * turn into ICMP errors for a guest: what {@link NativeDatagramSocket#send} returns and
 * {@link SocketErrorQueue#errno()} reports.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EMSGSIZE = 90;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;

    private Errno() {}
}
