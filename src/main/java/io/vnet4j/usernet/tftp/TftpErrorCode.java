package io.vnet4j.usernet.tftp;

/** The error codes of TFTP ERROR packets this server sends (RFC 1350). */
public final class TftpErrorCode {
    /** Not defined: see the message. */
    public static final int NOT_DEFINED = 0;
    public static final int FILE_NOT_FOUND = 1;
    public static final int ACCESS_VIOLATION = 2;
    public static final int ILLEGAL_OPERATION = 4;

    private TftpErrorCode() {}
}
