package io.vnet4j.usernet.tftp;

/**
 * The options of a request or of an OACK: blksize (RFC 2348), tsize and timeout (RFC 2349), each
 * {@link #ABSENT} when not present. A request's values are as the client sent them; {@link #acknowledge(long)}
 * turns them into the values this server agrees to.
 */
public record TftpOptions(long blockSize, long transferSize, long timeout) {
    public static final long ABSENT = -1;
    /** No options: a plain RFC 1350 transfer. */
    public static final TftpOptions NONE = new TftpOptions(ABSENT, ABSENT, ABSENT);

    /** Option names as sent in an OACK; requests may use any case. */
    public static final String BLKSIZE = "blksize";
    public static final String TSIZE = "tsize";
    public static final String TIMEOUT = "timeout";

    /** RFC 1350's block size, used when blksize is not negotiated. */
    public static final int DEFAULT_BLOCK_SIZE = 512;
    /** Smallest blksize RFC 2348 allows. */
    public static final int MIN_BLOCK_SIZE = 8;
    /** Largest blksize RFC 2348 allows. */
    public static final int MAX_BLOCK_SIZE = 65464;
    /**
     * Largest blksize this server agrees to: a DATA packet of 1432 + 4 bytes in UDP (8) and IPv4 (20) is
     * 1464 bytes, so it crosses a 1500-byte MTU unfragmented with room for IP options or an IPv6 header (40).
     * libslirp caps at 1428.
     */
    public static final int SERVED_MAX_BLOCK_SIZE = 1432;
    /** Timeout range in seconds (RFC 2349). */
    public static final int MIN_TIMEOUT = 1;
    public static final int MAX_TIMEOUT = 255;

    /** True when at least one option is present. */
    public boolean any() {
        return blockSize != ABSENT || transferSize != ABSENT || timeout != ABSENT;
    }

    /**
     * The options a server acknowledges for these requested ones (RFC 2347): blksize from 8 capped at
     * {@link #SERVED_MAX_BLOCK_SIZE}, also one above RFC 2348's 65464 (a smaller block size is the server's
     * to answer, as libslirp clamps any; busybox tftp, told nothing of its {@code -b 65465}, took the first
     * 512-byte block for the last), tsize answered with {@code fileSize} but for an empty file, timeout within
     * 1..255 seconds; other values are left unacknowledged, so the transfer runs with the default. An empty file's
     * tsize is left out (RFC 2347 lets a server leave out any option): curl takes an OACK's tsize 0 for an invalid
     * one and gives up ("invalid tsize -:0:- value in OACK packet"; libslirp sends it), and the transfer's one
     * empty block tells the size anyway.
     */
    public TftpOptions acknowledge(long fileSize) {
        long blocks = blockSize >= MIN_BLOCK_SIZE ? Math.min(blockSize, SERVED_MAX_BLOCK_SIZE) : ABSENT;
        long size = transferSize != ABSENT && fileSize > 0 ? fileSize : ABSENT;
        long seconds = timeout >= MIN_TIMEOUT && timeout <= MAX_TIMEOUT ? timeout : ABSENT;
        return new TftpOptions(blocks, size, seconds);
    }

    /** The block size a transfer with these acknowledged options uses. */
    public int effectiveBlockSize() {
        return blockSize == ABSENT ? DEFAULT_BLOCK_SIZE : (int) blockSize;
    }
}
