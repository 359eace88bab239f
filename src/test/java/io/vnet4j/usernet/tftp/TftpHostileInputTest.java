package io.vnet4j.usernet.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncated, corrupted and random datagrams: the parser reports, the server answers or drops, nothing throws. */
class TftpHostileInputTest {
    private static final byte[][] VALID = {
        TftpPacketTest.PXE_RRQ,
        Packets.rrq("pxelinux.0", "octet", "tsize", "0", "timeout", "2", "blksize", "8"),
        Packets.wrq("pxelinux.0", "octet"),
        Packets.ack(1),
        Packets.error(2, "x"),
    };

    @TempDir
    Path root;
    private TftpServer server;
    private final Recorder out = new Recorder();
    private final TftpPacket packet = new TftpPacket();

    @BeforeEach
    void start() throws IOException {
        Files.write(root.resolve("pxelinux.0"), new byte[3000]);
        server = new TftpServer(root, 3);
    }

    @AfterEach
    void closeServer() {
        server.close();
    }

    /** Parses as a caller would, reading every field of a packet that checks out. */
    private TftpFault parse(ByteBuffer buf, int offset, int length) {
        TftpFault fault = packet.wrap(buf, offset, length).check();
        if (fault == TftpFault.NONE) {
            switch (packet.opcode()) {
                case TftpOpcode.RRQ, TftpOpcode.WRQ -> packet.request();
                case TftpOpcode.ERROR -> packet.errorMessage();
                default -> packet.block();
            }
        }
        return fault;
    }

    @Test
    void rejectsEveryTruncationOfAValidReadRequestExceptThoseEndingAfterAWholeField() {
        byte[] rrq = TftpPacketTest.PXE_RRQ;
        Set<Integer> wellFormed = new TreeSet<>();
        for (int length = 0; length < rrq.length; length++) {
            ByteBuffer exact = ByteBuffer.wrap(Arrays.copyOf(rrq, length));
            ByteBuffer inLarger = ByteBuffer.allocateDirect(rrq.length + 8).put(4, rrq);
            TftpFault fault = parse(exact, 0, length);
            assertThat(parse(inLarger, 4, length)).as("length %d", length).isEqualTo(fault);
            if (fault == TftpFault.NONE) {
                wellFormed.add(length);
            }
            int end = length;
            assertThatCode(() -> server.receive(Packets.SERVER_IP, IpAddress.ofIpv4(1), 2, exact, 0, end, 0, out)).doesNotThrowAnyException();
        }
        // "pxelinux.0" "octet" and then the blksize pair: shorter but still whole requests
        assertThat(wellFormed).containsExactly(19, 32);
    }

    @Test
    void neverThrowsOnEmptyOrOneBytePackets() {
        for (byte[] bytes : new byte[][] {{}, {0}, {1}, {(byte) 0xff}}) {
            assertThatCode(() -> server.receive(Packets.SERVER_IP, IpAddress.ofIpv4(1), 2, ByteBuffer.wrap(bytes), 0, bytes.length, 0, out))
                    .doesNotThrowAnyException();
        }
        assertThat(out.sent).isEmpty();
        assertThat(server.counters().malformed()).isEqualTo(4);
    }

    @Test
    void neverThrowsOnRandomAndCorruptedPackets() {
        Random random = new Random(1350_2347L);
        Set<TftpFault> outcomes = EnumSet.noneOf(TftpFault.class);
        long now = 0;
        for (int iteration = 0; iteration < 10_000; iteration++) {
            byte[] bytes;
            if (random.nextBoolean()) {
                bytes = new byte[random.nextInt(64)];
                random.nextBytes(bytes);
                if (bytes.length >= 2 && random.nextBoolean()) {
                    bytes[0] = 0;
                    bytes[1] = (byte) (1 + random.nextInt(6));
                }
            } else {
                byte[] valid = VALID[random.nextInt(VALID.length)];
                bytes = Arrays.copyOf(valid, random.nextInt(valid.length + 1));
                for (int flips = random.nextInt(4); flips > 0 && bytes.length > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            byte[] datagram = bytes;
            int port = 1 + random.nextInt(4);
            now += random.nextInt(400_000_000);
            long at = now;
            assertThatCode(() -> {
                outcomes.add(parse(ByteBuffer.wrap(datagram), 0, datagram.length));
                server.receive(Packets.SERVER_IP, Packets.CLIENT_IP, port, ByteBuffer.wrap(datagram), 0, datagram.length, at, out);
                server.poll(at, out);
            }).doesNotThrowAnyException();
        }
        // a long name and many options need longer packets than these; TftpPacketTest covers them
        assertThat(outcomes).as("the corruption reaches every other check").containsAll(
                EnumSet.complementOf(EnumSet.of(TftpFault.NAME_TOO_LONG, TftpFault.TOO_MANY_OPTIONS)));
        assertThat(server.activeTransfers()).isLessThanOrEqualTo(3);
    }
}
