package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TcpSegmentTest {
    private static final int TCP = Golden.L4;
    private static final int LENGTH = 40;
    private static final int SERVER = Ipv4Address.parse("93.184.216.34");
    private final TcpSegment tcp = new TcpSegment();

    @Test
    void parsesASynWithOptions() {
        assertThat(tcp.wrap(Golden.buffer(Golden.TCP_SYN), TCP, LENGTH).check()).isEqualTo(WireError.NONE);
        assertThat(tcp.sourcePort()).isEqualTo(43512);
        assertThat(tcp.destinationPort()).isEqualTo(80);
        assertThat(tcp.sequenceNumber()).isEqualTo(0x6c2f9a01);
        assertThat(tcp.acknowledgmentNumber()).isZero();
        assertThat(tcp.headerLength()).isEqualTo(40);
        assertThat(tcp.flags()).isEqualTo(TcpFlags.SYN);
        assertThat(tcp.window()).isEqualTo(64240);
        assertThat(tcp.checksum()).isEqualTo(0x1149);
        assertThat(tcp.urgentPointer()).isZero();
        assertThat(tcp.optionsOffset()).isEqualTo(TCP + 20);
        assertThat(tcp.optionsLength()).isEqualTo(20);
        assertThat(tcp.payloadOffset()).isEqualTo(TCP + 40);
        assertThat(tcp.payloadLength()).isZero();
        assertThat(tcp.checksumValid(Golden.GUEST_IP, SERVER)).isTrue();
    }

    @Test
    void findsMssWindowScaleAndSackPermittedOptions() {
        tcp.wrap(Golden.buffer(Golden.TCP_SYN), TCP, LENGTH);
        assertThat(tcp.mss()).isEqualTo(1460);
        assertThat(tcp.windowScale()).isEqualTo(7);
        assertThat(tcp.sackPermitted()).isTrue();
    }

    @Test
    void reportsAbsentOptionsOfAnOptionlessHeader() {
        ByteBuffer buf = Golden.buffer(Golden.TCP_SYN);
        tcp.wrap(buf, TCP, LENGTH).setHeaderLength(20);
        tcp.wrap(buf, TCP, 20);
        assertThat(tcp.check()).isEqualTo(WireError.NONE);
        assertThat(tcp.mss()).isEqualTo(-1);
        assertThat(tcp.windowScale()).isEqualTo(-1);
        assertThat(tcp.sackPermitted()).isFalse();
    }

    @Test
    void stopsLookingAtTheEndOfOptionList() {
        ByteBuffer buf = Golden.buffer(Golden.TCP_SYN);
        buf.put(TCP + 24, (byte) TcpOption.END);
        tcp.wrap(buf, TCP, LENGTH);
        assertThat(tcp.check()).isEqualTo(WireError.NONE);
        assertThat(tcp.mss()).isEqualTo(1460);
        assertThat(tcp.sackPermitted()).isFalse();
        assertThat(tcp.windowScale()).isEqualTo(-1);
    }

    @Test
    void emitsEveryFixedFieldAndFillsTheChecksum() {
        TcpHeader header = TcpHeader.parse(tcp.wrap(Golden.buffer(Golden.TCP_SYN), TCP, LENGTH));
        ByteBuffer buf = Golden.poisoned(20);
        header.emit(tcp.wrap(buf, 0, 20));
        assertThat(Golden.bytes(buf)).isEqualTo(Golden.slice(Golden.TCP_SYN, TCP, TCP + 20));

        ByteBuffer segment = Golden.poisoned(LENGTH).put(20, Golden.TCP_SYN, TCP + 20, 20);
        new TcpHeader(43512, 80, 0x6c2f9a01, 0, 40, TcpFlags.SYN, 64240, 0, 0).emit(tcp.wrap(segment, 0, LENGTH));
        tcp.fillChecksum(Golden.GUEST_IP, SERVER);
        assertThat(Golden.bytes(segment)).isEqualTo(Golden.slice(Golden.TCP_SYN, TCP, TCP + LENGTH));
    }

    @Test
    void roundTripsAllNineFlagBits() {
        ByteBuffer buf = Golden.poisoned(20);
        TcpHeader header = new TcpHeader(1, 2, 3, 4, 20, TcpFlags.MASK, 5, 6, 7);
        header.emit(tcp.wrap(buf, 0, 20));
        assertThat(TcpHeader.parse(tcp)).isEqualTo(header);
        new TcpHeader(1, 2, 3, 4, 20, TcpFlags.ACK | TcpFlags.FIN, 5, 6, 7).emit(tcp);
        assertThat(buf.get(12)).isEqualTo((byte) 0x50);
        assertThat(buf.get(13)).isEqualTo((byte) 0x11);
    }

    @Test
    void rejectsTcpShorterThanItsHeader() {
        assertThat(tcp.wrap(Golden.buffer(Golden.TCP_SYN), TCP, 19).check()).isEqualTo(WireError.TRUNCATED);
    }

    @Test
    void rejectsTcpWhoseDataOffsetIsBelowFive() {
        ByteBuffer buf = Golden.buffer(Golden.TCP_SYN);
        buf.put(TCP + 12, (byte) 0x40);
        assertThat(tcp.wrap(buf, TCP, LENGTH).check()).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsTcpWhoseDataOffsetRunsPastTheSegment() {
        ByteBuffer buf = Golden.buffer(Golden.TCP_SYN);
        buf.put(TCP + 12, (byte) 0xf0);
        assertThat(tcp.wrap(buf, TCP, LENGTH).check()).isEqualTo(WireError.BAD_LENGTH);
        assertThat(tcp.mss()).isEqualTo(1460);
        assertThat(tcp.windowScale()).isEqualTo(7);
    }

    @Test
    void rejectsAnOptionWithLengthZero() {
        ByteBuffer buf = Golden.buffer(Golden.TCP_SYN);
        buf.put(TCP + 25, (byte) 0);
        tcp.wrap(buf, TCP, LENGTH);
        assertThat(tcp.check()).isEqualTo(WireError.BAD_OPTION);
        assertThat(tcp.mss()).isEqualTo(1460);
        assertThat(tcp.windowScale()).isEqualTo(-1);
    }

    @Test
    void rejectsAnOptionWithLengthOne() {
        ByteBuffer buf = Golden.buffer(Golden.TCP_SYN);
        buf.put(TCP + 21, (byte) 1);
        tcp.wrap(buf, TCP, LENGTH);
        assertThat(tcp.check()).isEqualTo(WireError.BAD_OPTION);
        assertThat(tcp.mss()).isEqualTo(-1);
    }

    @Test
    void rejectsAnOptionRunningPastTheHeader() {
        ByteBuffer buf = Golden.buffer(Golden.TCP_SYN);
        buf.put(TCP + 37, (byte) 0x22);
        buf.put(TCP + 38, (byte) 40);
        tcp.wrap(buf, TCP, LENGTH);
        assertThat(tcp.check()).isEqualTo(WireError.BAD_OPTION);
        assertThat(tcp.windowScale()).isEqualTo(-1);
    }

    @Test
    void rejectsAKindAndNoLengthAtTheVeryEndOfTheOptions() {
        ByteBuffer buf = Golden.buffer(Golden.TCP_SYN);
        buf.put(TCP + 36, (byte) TcpOption.NOP);
        buf.put(TCP + 37, (byte) TcpOption.NOP);
        buf.put(TCP + 38, (byte) TcpOption.NOP);
        buf.put(TCP + 39, (byte) TcpOption.WINDOW_SCALE);
        tcp.wrap(buf, TCP, LENGTH);
        assertThat(tcp.check()).isEqualTo(WireError.BAD_OPTION);
        assertThat(tcp.windowScale()).isEqualTo(-1);
    }

    @Test
    void rejectsKnownOptionsWithTheWrongLength() {
        ByteBuffer buf = Golden.buffer(Golden.TCP_SYN);
        buf.put(TCP + 21, (byte) 3);
        tcp.wrap(buf, TCP, LENGTH);
        assertThat(tcp.check()).isEqualTo(WireError.BAD_OPTION);
        assertThat(tcp.mss()).isEqualTo(-1);
    }

    /** An ACK whose options are NOP, NOP and a SACK option of {@code blocks} {left, right} pairs. */
    private static ByteBuffer ackWithSack(int[]... blocks) {
        TcpSackBlocks sack = new TcpSackBlocks();
        for (int[] block : blocks) {
            sack.add(block[0], block[1]);
        }
        int length = TcpSegment.MIN_HEADER_LENGTH + sack.length();
        ByteBuffer buf = ByteBuffer.allocate(length);
        TcpSegment ack = new TcpSegment().wrap(buf, 0, length);
        ack.setHeaderLength(length);
        ack.setFlags(TcpFlags.ACK);
        sack.emit(ack, TcpSegment.MIN_HEADER_LENGTH);
        return buf;
    }

    @Test
    void readsTheGuestsSackBlocks() {
        ByteBuffer buf = ackWithSack(new int[] {5000, 6000}, new int[] {-200, 100}, new int[] {1, 2}, new int[] {7, 9});
        tcp.wrap(buf, 0, buf.capacity());
        assertThat(tcp.check()).isEqualTo(WireError.NONE);
        TcpSackBlocks read = new TcpSackBlocks();
        assertThat(tcp.sackBlocks(read)).isEqualTo(4);
        assertThat(read.left(1)).isEqualTo(-200);
        assertThat(read.right(1)).isEqualTo(100);
        assertThat(read.right(3)).isEqualTo(9);
    }

    @Test
    void ignoresASackOptionWhoseLengthIsNoWholeNumberOfBlocks() {
        TcpSackBlocks read = new TcpSackBlocks();
        read.add(1, 2); // cleared by each read
        for (int lying : new int[] {2, 3, 9, 11, 17}) {
            ByteBuffer buf = ackWithSack(new int[] {5000, 6000}, new int[] {7000, 8000});
            buf.put(23, (byte) lying); // the option's length byte, after NOP, NOP and its kind
            tcp.wrap(buf, 0, buf.capacity());
            assertThat(tcp.sackBlocks(read)).as("length %d", lying).isZero();
            assertThat(read.count()).isZero();
        }
    }

    @Test
    void readsNoSackBlocksFromOptionsThatRunPastTheHeaderOrAreAbsent() {
        ByteBuffer buf = ackWithSack(new int[] {5000, 6000});
        buf.put(23, (byte) 18); // one block's worth of bytes, two claimed
        tcp.wrap(buf, 0, buf.capacity());
        assertThat(tcp.check()).isEqualTo(WireError.BAD_OPTION);
        TcpSackBlocks read = new TcpSackBlocks();
        assertThat(tcp.sackBlocks(read)).isZero();
        ByteBuffer truncated = ackWithSack(new int[] {5000, 6000});
        tcp.wrap(truncated, 0, 28); // the view ends inside the block
        assertThat(tcp.sackBlocks(read)).isZero();
        tcp.wrap(Golden.buffer(Golden.TCP_SYN), TCP, LENGTH);
        assertThat(tcp.sackBlocks(read)).isZero();
    }

    @Test
    void verifiesAndFillsTheChecksumOfAnIpv6Syn() {
        ByteBuffer buf = Golden6.buffer(Golden6.TCP_SYN);
        Ipv6Packet ip = new Ipv6Packet().wrap(buf, Golden6.IP, buf.capacity() - Golden6.IP);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        TcpSegment tcp = new TcpSegment().wrap(buf, ip.upperOffset(), ip.upperLength());
        assertThat(tcp.check()).isEqualTo(WireError.NONE);
        assertThat(tcp.sourcePort()).isEqualTo(34036);
        assertThat(tcp.destinationPort()).isEqualTo(8080);
        assertThat(tcp.mss()).isEqualTo(1440);
        assertThat(tcp.checksum()).isEqualTo(0x75bd);
        assertThat(tcp.checksumValid(Golden6.GUEST, Golden6.ROUTER)).isTrue();
        assertThat(tcp.checksumValid(ip)).isTrue();
        assertThat(tcp.checksumValid(Golden6.ROUTER, Golden6.ROUTER)).isFalse();

        tcp.setChecksum(0xa5a5);
        tcp.fillChecksum(Golden6.GUEST, Golden6.ROUTER);
        assertThat(Golden.bytes(buf)).isEqualTo(Golden6.TCP_SYN);
        tcp.setChecksum(0xa5a5);
        tcp.fillChecksum(ip);
        assertThat(Golden.bytes(buf)).isEqualTo(Golden6.TCP_SYN);
    }
}
