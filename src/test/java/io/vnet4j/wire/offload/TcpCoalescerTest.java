package io.vnet4j.wire.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.WireError;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inputs are built the way a receiver would see them: a large segment cut by {@link TcpSegmenter} (full
 * checksums), so that a coalesced output cut again with its segment size must give the very same frames.
 */
class TcpCoalescerTest {
    private static final int MSS = 100;
    /** The stream's first sequence number: it wraps after a few segments. */
    private static final int SEQ = 0xFFFF_FF00;
    private static final int ACK = TcpFlags.ACK;
    private static final int IPV4_TCP = 34;
    private static final int IPV6_TCP = 54;
    /** Offsets in a TCP header. */
    private static final int TCP_OFFSET = 12;
    private static final int TCP_FLAGS = 13;
    private static final int TCP_CHECKSUM = 16;

    private final TcpCoalescer coalescer = new TcpCoalescer();
    private final List<CoalescedFrame> outputs = new ArrayList<>();
    private final TcpCoalescer.Sink sink = (frame, offset, length, segmentSize) -> {
        byte[] bytes = new byte[length];
        frame.get(offset, bytes);
        outputs.add(new CoalescedFrame(bytes, segmentSize));
    };

    // --- round trip ---

    @ParameterizedTest(name = "IPv4 {0}")
    @ValueSource(booleans = {true, false})
    void aCutSegmentLeavesAsOneLargeSegmentThatCutsAgainToTheSameFrames(boolean v4) {
        byte[] large = large(v4, SEQ, ACK, 5 * MSS);
        List<byte[]> frames = cut(large, MSS);
        assertThat(frames).hasSize(5);

        offer(frames);
        assertThat(outputs).as("nothing leaves before the flush").isEmpty();
        coalescer.flush(sink);

        assertThat(outputs).hasSize(1);
        CoalescedFrame out = outputs.getFirst();
        assertThat(out.segmentSize()).isEqualTo(MSS);
        assertThat(out.frame()).hasSize(large.length);
        assertThat(cut(out.frame(), MSS)).containsExactlyElementsOf(frames);
    }

    @ParameterizedTest(name = "IPv4 {0}")
    @ValueSource(booleans = {true, false})
    void theLargeSegmentCarriesThePseudoHeaderSumAndIpLengthOfAllItsBytes(boolean v4) {
        byte[] large = large(v4, SEQ, ACK, 3 * MSS + 7);
        offerAndFlush(cut(large, MSS));

        ByteBuffer out = ByteBuffer.wrap(outputs.getFirst().frame());
        int tcp = v4 ? IPV4_TCP : IPV6_TCP;
        int tcpLength = large.length - tcp;
        long pseudo = v4
                ? Checksum.pseudoHeaderSum(out.getInt(26), out.getInt(30), IpProtocol.TCP, tcpLength)
                : Checksum.ipv6PseudoHeaderSum(out, 22, 38, IpProtocol.TCP, tcpLength);
        assertThat(out.getShort(tcp + TCP_CHECKSUM) & 0xFFFF).isEqualTo(Checksum.fold(pseudo));
        if (v4) {
            assertThat(out.getShort(16) & 0xFFFF).isEqualTo(large.length - 14);
            assertThat(Checksum.compute(out, 14, 20)).as("IPv4 header checksum verifies").isZero();
            assertThat(out.getShort(18)).as("the first segment's identification").isEqualTo((short) 0x1234);
        } else {
            assertThat(out.getShort(18) & 0xFFFF).isEqualTo(tcpLength);
        }
    }

    @Test
    void framesAtAnOddOffsetInsideALargerBufferJoinTheSame() {
        List<byte[]> frames = cut(large(true, SEQ, ACK, 4 * MSS), MSS);
        for (byte[] frame : frames) {
            ByteBuffer buf = VirtioNetFrameTest.poisoned(7 + frame.length + 9);
            buf.put(7, frame);
            coalescer.offer(buf, 7, frame.length, sink);
        }
        coalescer.flush(sink);

        assertThat(outputs).hasSize(1);
        assertThat(cut(outputs.getFirst().frame(), MSS)).containsExactlyElementsOf(frames);
    }

    @Test
    void cutStreamsOfRandomShapesLeaveWholeAndCutAgainToTheSameFrames() {
        Random random = new Random(0x6e0);
        for (int round = 0; round < 300; round++) {
            boolean v4 = random.nextBoolean();
            int mss = random.nextBoolean() ? 1 + random.nextInt(16) : 1 + random.nextInt(9000);
            // a full segment more must fit too: see aShorterLastSegmentThatKeepsTheIpLengthWithin65535Joins
            int payload = 1 + random.nextInt(Math.min(0xFFFF - 40 - 32 - mss, 64 * mss));
            int flags = ACK | (random.nextBoolean() ? TcpFlags.PSH : 0);
            List<byte[]> frames = cut(large(v4, random.nextInt(), flags, payload), mss);
            outputs.clear();
            offerAndFlush(frames);

            assertThat(outputs).hasSize(1);
            CoalescedFrame out = outputs.getFirst();
            if (frames.size() == 1) {
                assertThat(out).isEqualTo(plain(frames.getFirst()));
            } else {
                assertThat(out.segmentSize()).isEqualTo(mss);
                assertThat(cut(out.frame(), mss)).containsExactlyElementsOf(frames);
            }
        }
    }

    // --- segment sizes ---

    @Test
    void aShorterLastSegmentJoins() {
        byte[] large = large(false, SEQ, ACK, 3 * MSS + 40);
        List<byte[]> frames = cut(large, MSS);
        offerAndFlush(frames);

        assertThat(outputs).hasSize(1);
        assertThat(outputs.getFirst().segmentSize()).isEqualTo(MSS);
        assertThat(outputs.getFirst().frame()).hasSize(large.length);
        assertThat(cut(outputs.getFirst().frame(), MSS)).containsExactlyElementsOf(frames);
    }

    @Test
    void aSegmentAfterAShorterOneStartsANewHold() {
        List<byte[]> joined = cut(large(true, SEQ, ACK, MSS + 40), MSS);
        byte[] after = segment(true, SEQ + MSS + 40, ACK, MSS);
        offer(joined);
        coalescer.offer(ByteBuffer.wrap(after), 0, after.length, sink);
        assertThat(outputs).as("the shorter one ended the large segment").hasSize(1);
        coalescer.flush(sink);

        assertThat(outputs).hasSize(2);
        assertThat(cut(outputs.get(0).frame(), MSS)).containsExactlyElementsOf(joined);
        assertThat(outputs.get(1)).isEqualTo(plain(after));
    }

    @Test
    void aSegmentLongerThanTheFirstDoesNotJoin() {
        byte[] first = segment(true, SEQ, ACK, MSS);
        byte[] longer = segment(true, SEQ + MSS, ACK, MSS + 1);
        offerAndFlush(first, longer);

        assertThat(outputs).containsExactly(plain(first), plain(longer));
    }

    // --- PSH ---

    @Test
    void pshOnTheLastSegmentJoinsAndEndsTheLargeSegment() {
        List<byte[]> frames = cut(large(true, SEQ, ACK | TcpFlags.PSH, 3 * MSS), MSS);
        assertThat(frames.getLast()[IPV4_TCP + TCP_FLAGS] & TcpFlags.PSH).as("PSH on the last cut").isNotZero();
        byte[] next = segment(true, SEQ + 3 * MSS, ACK, MSS);
        offer(frames);
        coalescer.offer(ByteBuffer.wrap(next), 0, next.length, sink);
        coalescer.flush(sink);

        assertThat(outputs).hasSize(2);
        assertThat(outputs.get(0).frame()[IPV4_TCP + TCP_FLAGS] & 0xFF).isEqualTo(ACK | TcpFlags.PSH);
        assertThat(cut(outputs.get(0).frame(), MSS)).containsExactlyElementsOf(frames);
        assertThat(outputs.get(1)).isEqualTo(plain(next));
    }

    @Test
    void aPshSegmentAloneIsPassedOnAtOnce() {
        byte[] push = segment(true, SEQ, ACK | TcpFlags.PSH, MSS);
        coalescer.offer(ByteBuffer.wrap(push), 0, push.length, sink);
        assertThat(outputs).containsExactly(plain(push));

        coalescer.flush(sink);
        assertThat(outputs).hasSize(1);
    }

    // --- single segments and batches ---

    @Test
    void oneSegmentHeldAloneLeavesAtTheFlushAsItCame() {
        byte[] frame = segment(true, SEQ, ACK, MSS);
        coalescer.offer(ByteBuffer.wrap(frame), 0, frame.length, sink);
        assertThat(outputs).isEmpty();
        coalescer.flush(sink);

        assertThat(outputs).containsExactly(plain(frame));
    }

    @Test
    void nothingIsHeldPastAFlush() {
        List<byte[]> frames = cut(large(true, SEQ, ACK, 3 * MSS), MSS);
        offerAndFlush(frames.get(0), frames.get(1));
        offerAndFlush(frames.get(2));
        coalescer.flush(sink);

        assertThat(outputs).hasSize(2);
        assertThat(outputs.get(1)).isEqualTo(plain(frames.get(2)));
    }

    @Test
    void ipv4IdentificationsAreNotComparedAndTheFirstIsKept() {
        byte[] first = segment(true, SEQ, ACK, MSS);
        byte[] second = refill(set16(segment(true, SEQ + MSS, ACK, MSS), 18, 0x0777));
        offerAndFlush(first, second);

        assertThat(outputs).hasSize(1);
        assertThat(ByteBuffer.wrap(outputs.getFirst().frame()).getShort(18)).isEqualTo((short) 0x1234);
    }

    // --- not joined ---

    @Test
    void aSequenceGapDoesNotJoin() {
        assertNotJoined(segment(true, SEQ, ACK, MSS), segment(true, SEQ + MSS + 1, ACK, MSS));
    }

    @Test
    void aRetransmissionDoesNotJoin() {
        assertNotJoined(segment(true, SEQ, ACK, MSS), segment(true, SEQ, ACK, MSS));
    }

    @Test
    void otherTcpOptionsLengthDoesNotJoin() {
        assertNotJoined(segment(true, SEQ, ACK, MSS), refill(cutOnce(large(true, 20, SEQ + MSS, ACK, MSS))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerFields")
    void aSegmentDifferingInOneHeaderFieldDoesNotJoin(String field, boolean v4, int at, int xor) {
        byte[] first = segment(v4, SEQ, ACK, MSS);
        byte[] second = refill(xor(segment(v4, SEQ + MSS, ACK, MSS), at, xor));
        assertNotJoined(first, second);
    }

    static Stream<Arguments> headerFields() {
        return Stream.of(
                arguments("destination MAC", true, 5, 0x01),
                arguments("source MAC", true, 11, 0x01),
                arguments("IPv4 TOS (ECN)", true, 15, 0x01),
                arguments("IPv4 DF", true, 20, 0x40),
                arguments("IPv4 TTL", true, 22, 0x01),
                arguments("IPv4 source address", true, 29, 0x01),
                arguments("IPv4 destination address", true, 33, 0x01),
                arguments("source port", true, IPV4_TCP + 1, 0x01),
                arguments("destination port", true, IPV4_TCP + 3, 0x01),
                arguments("ACK number", true, IPV4_TCP + 11, 0x01),
                arguments("NS bit", true, IPV4_TCP + TCP_OFFSET, 0x01),
                arguments("window", true, IPV4_TCP + 15, 0x01),
                arguments("urgent pointer (URG off)", true, IPV4_TCP + 19, 0x01),
                arguments("TCP timestamp option", true, IPV4_TCP + 31, 0x01),
                arguments("IPv6 traffic class", false, 15, 0x10),
                arguments("IPv6 flow label", false, 17, 0x01),
                arguments("IPv6 hop limit", false, 21, 0x01),
                arguments("IPv6 source address", false, 37, 0x01),
                arguments("IPv6 destination address", false, 53, 0x01),
                arguments("IPv6 ACK number", false, IPV6_TCP + 11, 0x01),
                arguments("IPv6 window", false, IPV6_TCP + 15, 0x01),
                arguments("IPv6 TCP timestamp option", false, IPV6_TCP + 31, 0x01));
    }

    @Test
    void interleavedFlowsLeaveInTheOrderOffered() {
        byte[] a1 = segment(true, SEQ, ACK, MSS);
        byte[] b1 = refill(xor(segment(true, SEQ + MSS, ACK, MSS), IPV4_TCP + 1, 0x01));
        byte[] a2 = segment(true, SEQ + MSS, ACK, MSS);
        offerAndFlush(a1, b1, a2);

        assertThat(outputs).containsExactly(plain(a1), plain(b1), plain(a2));
        assertThat(coalescer.joined()).isZero();
    }

    // --- never coalesced ---

    @ParameterizedTest(name = "{0}")
    @MethodSource({"refusedFrames", "lyingFrames"})
    void aFrameThatMayNotJoinIsPassedOnAtOnceUnchanged(String what, boolean v4, byte[] frame) {
        byte[] lead = segment(v4, SEQ - MSS, ACK, MSS);
        coalescer.offer(ByteBuffer.wrap(lead), 0, lead.length, sink);
        assertThatCode(() -> coalescer.offer(ByteBuffer.wrap(frame), 0, frame.length, sink)).doesNotThrowAnyException();
        assertThat(outputs).as("the held segment first, then the frame at once").containsExactly(plain(lead), plain(frame));

        coalescer.flush(sink);
        assertThat(outputs).hasSize(2);
    }

    static Stream<Arguments> refusedFrames() {
        byte[] v4 = segment(true, SEQ, ACK, MSS);
        byte[] v6 = segment(false, SEQ, ACK, MSS);
        return Stream.of(
                arguments("SYN", true, segment(true, SEQ, ACK | TcpFlags.SYN, MSS)),
                arguments("FIN", true, segment(true, SEQ, ACK | TcpFlags.FIN, MSS)),
                arguments("RST", true, segment(true, SEQ, ACK | TcpFlags.RST, MSS)),
                arguments("URG", true, segment(true, SEQ, ACK | TcpFlags.URG, MSS)),
                arguments("CWR", true, segment(true, SEQ, ACK | TcpFlags.CWR, MSS)),
                arguments("no ACK", true, segment(true, SEQ, 0, MSS)),
                arguments("IPv6 FIN", false, segment(false, SEQ, ACK | TcpFlags.FIN, MSS)),
                arguments("pure ACK, no payload", true, segment(true, SEQ, ACK, 0)),
                arguments("IPv6 pure ACK, no payload", false, segment(false, SEQ, ACK, 0)),
                arguments("bad TCP checksum", true, xor(v4, IPV4_TCP + TCP_CHECKSUM + 1, 0x01)),
                arguments("IPv6 bad TCP checksum", false, xor(v6, IPV6_TCP + TCP_CHECKSUM + 1, 0x01)),
                arguments("bad IPv4 header checksum", true, xor(v4, 25, 0x01)),
                arguments("IPv4 options (IHL 6)", true, refill(withIpv4Options(v4))),
                arguments("IPv4 MF", true, refill(xor(v4, 20, 0x20))),
                arguments("IPv4 fragment offset 1", true, refill(xor(v4, 21, 0x01))),
                arguments("IPv6 next header hop-by-hop", false, xor(v6, 20, IpProtocol.TCP)),
                arguments("IPv6 next header UDP", false, xor(v6, 20, IpProtocol.TCP ^ IpProtocol.UDP)),
                arguments("IPv4 UDP", true, refill(xor(v4, 23, IpProtocol.TCP ^ IpProtocol.UDP))),
                arguments("VLAN tag", true, withVlanTag(v4)),
                arguments("ARP EtherType", true, set16(v4.clone(), 12, EtherType.ARP)),
                arguments("IPv4 version 6 under EtherType IPv4", true, refill(xor(v4, 14, 0x40 ^ 0x60))));
    }

    // --- truncated and lying lengths ---

    static Stream<Arguments> lyingFrames() {
        byte[] v4 = segment(true, SEQ, ACK, 10);
        byte[] v6 = segment(false, SEQ, ACK, 10);
        return Stream.of(
                arguments("IPv4 total length one past the frame", true, refillIpv4Header(set16(v4.clone(), 16, v4.length - 14 + 1))),
                arguments("IPv4 total length 65535", true, refillIpv4Header(set16(v4.clone(), 16, 0xFFFF))),
                arguments("IPv4 total length below the headers", true, refillIpv4Header(set16(v4.clone(), 16, 39))),
                arguments("IPv6 payload length one past the frame", false, set16(v6.clone(), 18, v6.length - 54 + 1)),
                arguments("IPv6 payload length 19", false, set16(v6.clone(), 18, 19)),
                arguments("TCP data offset 15, past the segment", true, refill(xor(v4, IPV4_TCP + TCP_OFFSET, 0x80 ^ 0xF0))),
                arguments("TCP data offset 4", true, refill(xor(v4, IPV4_TCP + TCP_OFFSET, 0x80 ^ 0x40))),
                arguments("TCP data offset 0", true, refill(xor(v4, IPV4_TCP + TCP_OFFSET, 0x80))),
                arguments("IPv6 TCP data offset 15", false, refill(xor(v6, IPV6_TCP + TCP_OFFSET, 0x80 ^ 0xF0))),
                arguments("TCP data offset over all the payload", true,
                        refill(xor(segment(true, SEQ, ACK, 8), IPV4_TCP + TCP_OFFSET, 0x80 ^ 0xA0))));
    }

    @ParameterizedTest(name = "IPv4 {0}")
    @ValueSource(booleans = {true, false})
    void aFrameCutShortAtAnyLengthIsPassedOnUnchanged(boolean v4) {
        byte[] lead = segment(v4, SEQ - MSS, ACK, MSS);
        byte[] frame = segment(v4, SEQ, ACK, 30);
        for (int length = 0; length < frame.length; length++) {
            byte[] cut = Arrays.copyOf(frame, length);
            outputs.clear();
            assertThatCode(() -> {
                coalescer.offer(ByteBuffer.wrap(lead), 0, lead.length, sink);
                coalescer.offer(ByteBuffer.wrap(cut), 0, cut.length, sink);
                coalescer.flush(sink);
            }).as("length %d", length).doesNotThrowAnyException();
            assertThat(outputs).as("length %d", length).containsExactly(plain(lead), plain(cut));
        }
    }

    @Test
    void aRangeOutsideTheBufferIsPassedOnAsGivenWithoutThrowing() {
        record Call(ByteBuffer frame, int offset, int length, int segmentSize) { }
        List<Call> calls = new ArrayList<>();
        TcpCoalescer.Sink recorder = (frame, offset, length, segmentSize) -> calls.add(new Call(frame, offset, length, segmentSize));
        byte[] frame = segment(true, SEQ, ACK, MSS);
        ByteBuffer whole = ByteBuffer.wrap(frame);
        ByteBuffer limited = ByteBuffer.wrap(frame.clone()).limit(frame.length - 1);
        List<Call> offered = List.of(
                new Call(whole, 0, frame.length + 1, 0),
                new Call(whole, 1, frame.length, 0),
                new Call(whole, frame.length + 5, 60, 0),
                new Call(whole, -1, frame.length, 0),
                new Call(whole, 0, -1, 0),
                new Call(whole, Integer.MAX_VALUE, Integer.MAX_VALUE, 0),
                new Call(limited, 0, frame.length, 0));
        for (Call call : offered) {
            assertThatCode(() -> coalescer.offer(call.frame, call.offset, call.length, recorder)).doesNotThrowAnyException();
        }
        coalescer.flush(recorder);

        assertThat(calls).containsExactlyElementsOf(offered);
    }

    // --- Ethernet padding ---

    @Test
    void paddingPastTheIpLengthIsNotPayload() {
        List<byte[]> frames = cut(large(true, 20, SEQ, ACK, 8), 3);
        offerAndFlush(frames.stream().map(TcpCoalescerTest::padded).toList());

        assertThat(outputs).hasSize(1);
        assertThat(outputs.getFirst().segmentSize()).isEqualTo(3);
        assertThat(outputs.getFirst().frame()).hasSize(54 + 8);
        assertThat(cut(outputs.getFirst().frame(), 3)).containsExactlyElementsOf(frames);
    }

    /** Surprising but harmless: "one segment held alone leaves as it came" holds up to the IP length. */
    @Test
    void aPaddedSegmentHeldAloneLeavesWithoutItsPadding() {
        byte[] frame = cutOnce(large(true, 20, SEQ, ACK, 3));
        offerAndFlush(padded(frame));

        assertThat(outputs).containsExactly(plain(frame));
    }

    @Test
    void aPaddedPshSegmentPassedOnAtOnceKeepsItsPadding() {
        byte[] frame = padded(cutOnce(large(true, 20, SEQ, ACK | TcpFlags.PSH, 3)));
        offerAndFlush(frame);

        assertThat(outputs).containsExactly(plain(frame));
    }

    // --- the 64 KiB cap ---

    @ParameterizedTest(name = "IPv4 {0}")
    @ValueSource(booleans = {true, false})
    void fiftySegmentsOf1448LeaveAsLargeSegmentsWithin65535BytesCarryingTheWholeStream(boolean v4) {
        int mss = 1448;
        List<byte[]> frames = new ArrayList<>(cut(large(v4, SEQ, ACK, 40 * mss), mss));
        byte[] second = large(v4, SEQ + 40 * mss, ACK, 10 * mss);
        if (v4) {
            set16(second, 18, 0x1234 + 40); // identifications count on, as from one sender
        }
        frames.addAll(cut(second, mss));
        assertThat(frames).hasSize(50);
        offerAndFlush(frames);

        int headers = v4 ? IPV4_TCP + 32 : IPV6_TCP + 32;
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<byte[]> cutAgain = new ArrayList<>();
        for (CoalescedFrame out : outputs) {
            ByteBuffer b = ByteBuffer.wrap(out.frame());
            assertThat(b.getShort(v4 ? 16 : 18) & 0xFFFF).isEqualTo(out.frame().length - (v4 ? 14 : 54));
            assertThat(out.frame().length - (v4 ? 14 : 54)).isLessThanOrEqualTo(0xFFFF);
            assertThat(out.segmentSize()).isEqualTo(mss);
            stream.write(out.frame(), headers, out.frame().length - headers);
            cutAgain.addAll(cut(out.frame(), mss));
        }
        assertThat(outputs).hasSize(2);
        assertThat(outputs.getFirst().frame()).as("45 segments fit, 46 do not").hasSize(headers + 45 * mss);
        assertThat(stream.toByteArray()).isEqualTo(streamBytes(SEQ, 50 * mss));
        assertThat(cutAgain).containsExactlyElementsOf(frames);
        assertThat(coalescer.joined()).isEqualTo(48);
    }

    /**
     * The class comment's rule: a shorter last segment joins when "the IP length stays within 65,535 bytes".
     * 45 segments of 1448 make an IPv4 length of 65,212; a 46th of 100 bytes makes 65,312. Fails: the
     * coalescer stops growing once a full segment (1448) would not fit ({@code mayGrow}), so the 100 bytes
     * leave as a second frame (Linux's GRO, which checks the actual length, joins them).
     */
    @Test
    void aShorterLastSegmentThatKeepsTheIpLengthWithin65535Joins() {
        byte[] large = large(true, SEQ, ACK, 45 * 1448 + 100);
        List<byte[]> frames = cut(large, 1448);
        assertThat(frames).hasSize(46);
        offerAndFlush(frames);

        assertThat(outputs).hasSize(1);
        assertThat(outputs.getFirst().frame()).hasSize(large.length);
        assertThat(cut(outputs.getFirst().frame(), 1448)).containsExactlyElementsOf(frames);
    }

    // --- joined() ---

    @Test
    void joinedCountsTheSegmentsThatJoined() {
        offerAndFlush(cut(large(true, SEQ, ACK, 5 * MSS), MSS));
        assertThat(coalescer.joined()).isEqualTo(4);

        offerAndFlush(segment(true, 0, ACK, MSS), segment(true, 7 * MSS, ACK, MSS), segment(true, 0, TcpFlags.SYN, 0));
        assertThat(coalescer.joined()).as("nothing joined").isEqualTo(4);

        offerAndFlush(cut(large(false, 0, ACK, 3 * MSS), MSS));
        assertThat(coalescer.joined()).isEqualTo(6);
    }

    // --- helpers ---


    private static CoalescedFrame plain(byte[] frame) {
        return new CoalescedFrame(frame, 0);
    }

    private void assertNotJoined(byte[] first, byte[] second) {
        coalescer.offer(ByteBuffer.wrap(first), 0, first.length, sink);
        assertThat(outputs).isEmpty();
        coalescer.offer(ByteBuffer.wrap(second), 0, second.length, sink);
        assertThat(outputs).as("the second is held in its turn (it may start one)").containsExactly(plain(first));
        coalescer.flush(sink);

        assertThat(outputs).containsExactly(plain(first), plain(second));
        assertThat(coalescer.joined()).isZero();
    }

    private void offer(List<byte[]> frames) {
        for (byte[] frame : frames) {
            coalescer.offer(ByteBuffer.wrap(frame), 0, frame.length, sink);
        }
    }

    private void offerAndFlush(List<byte[]> frames) {
        offer(frames);
        coalescer.flush(sink);
    }

    private void offerAndFlush(byte[]... frames) {
        offerAndFlush(List.of(frames));
    }

    /** The bytes of the stream at sequence numbers {@code sequence} onwards. */
    private static byte[] streamBytes(int sequence, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            int position = sequence + i;
            bytes[i] = (byte) (position * 31 ^ position >>> 9);
        }
        return bytes;
    }

    private static byte[] large(boolean v4, int sequence, int flags, int payload) {
        return large(v4, 32, sequence, flags, payload);
    }

    /**
     * A large segment, checksums left 0: 52:54:00:12:34:56 to 52:55:0a:00:02:02; IPv4 10.0.2.15 to
     * 93.184.216.34, TOS 0, identification 0x1234, DF, TTL 64, or IPv6 fd00::15 to 2001:db8::1, flow label
     * 0x12345, hop limit 64; TCP 43512 to 80, ack 0x01020304, window 502, with a 32-byte header NOP NOP and
     * timestamps (else none), carrying the stream's bytes from {@code sequence}.
     */
    private static byte[] large(boolean v4, int tcpHeader, int sequence, int flags, int payload) {
        int tcp = v4 ? IPV4_TCP : IPV6_TCP;
        ByteBuffer b = ByteBuffer.allocate(tcp + tcpHeader + payload);
        b.putInt(0, 0x5255_0a00).putLong(4, 0x0202_5254_0012_3456L);
        b.putShort(12, (short) (v4 ? EtherType.IPV4 : EtherType.IPV6));
        if (v4) {
            b.putInt(14, 0x4500_0000 | 20 + tcpHeader + payload).putInt(18, 0x1234_4000).putInt(22, 0x4006_0000);
            b.putInt(26, 0x0a00_020f).putInt(30, 0x5db8_d822);
        } else {
            b.putInt(14, 0x6001_2345).putInt(18, (tcpHeader + payload) << 16 | IpProtocol.TCP << 8 | 64);
            b.putLong(22, 0xfd00_0000_0000_0000L).putLong(30, 0x15L).putLong(38, 0x2001_0db8_0000_0000L).putLong(46, 1L);
        }
        b.putInt(tcp, 43512 << 16 | 80).putInt(tcp + 4, sequence).putInt(tcp + 8, 0x0102_0304);
        b.putShort(tcp + TCP_OFFSET, (short) (tcpHeader / 4 << 12 | flags)).putShort(tcp + 14, (short) 502);
        if (tcpHeader == 32) {
            b.putInt(tcp + 20, 0x0101_080a).putInt(tcp + 24, 0x2b5c_1e07).putInt(tcp + 28, 0x00a1_b2c3);
        }
        b.put(tcp + tcpHeader, streamBytes(sequence, payload));
        return b.array();
    }

    /** One segment with full checksums: a large one that fits. */
    private static byte[] segment(boolean v4, int sequence, int flags, int payload) {
        return cutOnce(large(v4, sequence, flags, payload));
    }

    private static byte[] cutOnce(byte[] large) {
        List<byte[]> frames = cut(large, 0xFFFF);
        assertThat(frames).hasSize(1);
        return frames.getFirst();
    }

    private static List<byte[]> cut(byte[] large, int mss) {
        List<byte[]> frames = new ArrayList<>();
        FrameSink collect = (frame, offset, length) -> {
            byte[] bytes = new byte[length];
            frame.get(offset, bytes);
            frames.add(bytes);
        };
        assertThat(new TcpSegmenter().segment(ByteBuffer.wrap(large), 0, large.length, mss, collect))
                .isEqualTo(WireError.NONE);
        return frames;
    }

    private static byte[] xor(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        copy[at] ^= (byte) value;
        return copy;
    }

    private static byte[] set16(byte[] frame, int at, int value) {
        ByteBuffer.wrap(frame).putShort(at, (short) value);
        return frame;
    }

    /** Padded with 0xee to the 60 bytes of a minimal Ethernet frame. */
    private static byte[] padded(byte[] frame) {
        assertThat(frame.length).isLessThan(60);
        byte[] padded = Arrays.copyOf(frame, 60);
        Arrays.fill(padded, frame.length, 60, (byte) 0xee);
        return padded;
    }

    /** An IPv4 frame with four NOP option bytes (IHL 6); checksums to refill. */
    private static byte[] withIpv4Options(byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(frame.length + 4);
        b.put(frame, 0, 34).putInt(0x0101_0101).put(frame, 34, frame.length - 34);
        b.put(14, (byte) 0x46).putShort(16, (short) (b.getShort(16) + 4));
        return b.array();
    }

    /** The frame with an 802.1Q tag (VLAN 5) before its EtherType. */
    private static byte[] withVlanTag(byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(frame.length + 4);
        b.put(frame, 0, 12).putInt(EtherType.VLAN << 16 | 5).put(frame, 12, frame.length - 12);
        return b.array();
    }

    /** Fills the IPv4 header checksum, when the frame is IPv4. */
    private static byte[] refillIpv4Header(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        if (b.getShort(12) == EtherType.IPV4) {
            int ihl = (b.get(14) & 0x0F) * 4;
            b.putShort(24, (short) 0).putShort(24, (short) Checksum.compute(b, 14, ihl));
        }
        return frame;
    }

    /** Fills the IPv4 header checksum and the TCP checksum (by the IP length) after an edit. */
    private static byte[] refill(byte[] frame) {
        refillIpv4Header(frame);
        ByteBuffer b = ByteBuffer.wrap(frame);
        boolean v4 = b.getShort(12) == EtherType.IPV4;
        int tcp = v4 ? 14 + (b.get(14) & 0x0F) * 4 : IPV6_TCP;
        int tcpLength = v4 ? (b.getShort(16) & 0xFFFF) - (tcp - 14) : b.getShort(18) & 0xFFFF;
        long pseudo = v4
                ? Checksum.pseudoHeaderSum(b.getInt(26), b.getInt(30), IpProtocol.TCP, tcpLength)
                : Checksum.ipv6PseudoHeaderSum(b, 22, 38, IpProtocol.TCP, tcpLength);
        b.putShort(tcp + TCP_CHECKSUM, (short) 0);
        b.putShort(tcp + TCP_CHECKSUM, (short) Checksum.finish(pseudo + Checksum.sum(b, tcp, tcpLength)));
        return frame;
    }
}
