package io.vnet4j.usernet.tftp;

import io.vnet4j.base.Shutdown;
import io.vnet4j.wire.IpAddress;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;

/** One read transfer: the open file, the agreed options, the packet in flight and its retransmission clock. */
final class TftpSession {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int BLOCK_NUMBER_MASK = 0xFFFF;

    /** The address the client's request went to, which every reply comes from. */
    final IpAddress serverIp;
    final IpAddress clientIp;
    final int clientPort;
    final FileChannel channel;
    /** The options the OACK carries; {@link TftpOptions#NONE} when there is no OACK. */
    final TftpOptions acknowledged;
    final int blockSize;
    final long timeoutNanos;
    /** The block in flight, counted from 1 without wrapping; 0 while the OACK waits for ACK 0. */
    long block;
    /** The block in flight is shorter than {@link #blockSize}: its ACK ends the transfer. */
    boolean lastBlock;
    /** When the packet in flight is sent again, or the session given up. */
    long deadline;
    /** When the packet in flight was first sent. */
    long firstSent;
    /** Retransmissions of the packet in flight so far. */
    int retransmissions;

    TftpSession(IpAddress serverIp, IpAddress clientIp, int clientPort, FileChannel channel, TftpOptions acknowledged,
                long defaultTimeoutNanos) {
        this.serverIp = serverIp;
        this.clientIp = clientIp;
        this.clientPort = clientPort;
        this.channel = channel;
        this.acknowledged = acknowledged;
        this.blockSize = acknowledged.effectiveBlockSize();
        this.timeoutNanos = acknowledged.timeout() == TftpOptions.ABSENT
                ? defaultTimeoutNanos : acknowledged.timeout() * NANOS_PER_SECOND;
    }

    /** The block number on the wire for the block in flight: the counter cut to 16 bits, so 65535 wraps to 0. */
    int wireBlock() {
        return (int) block & BLOCK_NUMBER_MASK;
    }

    /** File position of the block in flight. */
    long position() {
        return (block - 1) * blockSize;
    }

    void close() {
        closeQuietly(channel);
    }

    /** Closes, ignoring failure: a read-only file has nothing to flush. */
    static void closeQuietly(Closeable closeable) {
        Shutdown.closeQuietly(closeable);
    }
}
