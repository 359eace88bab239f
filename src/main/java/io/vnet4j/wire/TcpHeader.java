package io.vnet4j.wire;

/**
 * Value form of the fixed TCP header fields; {@code headerLength} includes the options,
 * whose bytes stay the caller's to write.
 */
public record TcpHeader(int sourcePort, int destinationPort, int sequenceNumber, int acknowledgmentNumber,
                        int headerLength, int flags, int window, int checksum, int urgentPointer) {

    /** Reads the header of a view that passed {@link TcpSegment#check()}. */
    public static TcpHeader parse(TcpSegment tcp) {
        return new TcpHeader(tcp.sourcePort(), tcp.destinationPort(), tcp.sequenceNumber(),
                tcp.acknowledgmentNumber(), tcp.headerLength(), tcp.flags(), tcp.window(),
                tcp.checksum(), tcp.urgentPointer());
    }

    /** Writes every fixed field, checksum as held; call {@link TcpSegment#fillChecksum(int, int)} after the data. */
    public void emit(TcpSegment tcp) {
        tcp.setSourcePort(sourcePort);
        tcp.setDestinationPort(destinationPort);
        tcp.setSequenceNumber(sequenceNumber);
        tcp.setAcknowledgmentNumber(acknowledgmentNumber);
        tcp.setHeaderLength(headerLength);
        tcp.setFlags(flags);
        tcp.setWindow(window);
        tcp.setChecksum(checksum);
        tcp.setUrgentPointer(urgentPointer);
    }
}
