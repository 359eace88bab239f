package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.usernet.tftp.TftpFault;
import io.vnet4j.usernet.tftp.TftpOpcode;
import io.vnet4j.usernet.tftp.TftpOptions;
import io.vnet4j.usernet.tftp.TftpPacket;
import io.vnet4j.usernet.tftp.TftpServer;
import java.io.IOException;
import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The TFTP server's input: a sequence of datagrams from up to four clients, each 4 header bytes then
 * the UDP payload:
 * <pre>
 *   client (1 byte, low 2 bits: which of four address and port pairs)
 *   clock step (1 byte, in 100 ms units; the server is polled after every datagram)
 *   payload length (16 bits, big-endian, cut to the bytes left)
 * </pre>
 * The root (a temporary directory) holds files of 0, 10, 512 and 3000 bytes, a subdirectory and a
 * symlink that leads outside it to a file holding {@link #SECRET}. The view's check never throws and a
 * checked request reads; the server sends only DATA, OACK and ERROR, each within the served block size
 * and never a byte of the file outside the root; DATA and ERROR packets pass the view's own check; at
 * most {@value #MAX_SESSIONS} transfers run at once.
 */
class TftpFuzzTest {
    private static final int HEADER = 4;
    private static final int MAX_SESSIONS = 2;
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final byte[] SECRET = "SECRET-OUTSIDE-THE-TFTP-ROOT".getBytes(StandardCharsets.US_ASCII);
    private static final int CLIENT = 0x0a00_020f;
    private static final IpAddress SERVER = IpAddress.ofIpv4(0x0a00_0202);
    private static Path dir;
    private static Path root;

    private final TftpPacket view = new TftpPacket();
    private final TftpPacket sent = new TftpPacket();

    @BeforeAll
    static void makeRoot() throws IOException {
        dir = Files.createTempDirectory("vnet4j-tftp-fuzz");
        root = Files.createDirectories(dir.resolve("root"));
        Files.write(dir.resolve("secret"), SECRET);
        Files.write(root.resolve("empty"), new byte[0]);
        Files.write(root.resolve("small.txt"), "ten bytes\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(root.resolve("exact512"), filled(512));
        Files.write(Files.createDirectories(root.resolve("boot")).resolve("pxelinux.0"), filled(3000));
        Files.createSymbolicLink(root.resolve("escape"), dir.resolve("secret"));
        Files.createSymbolicLink(root.resolve("inside"), root.resolve("small.txt"));
    }

    @AfterAll
    static void removeRoot() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @FuzzTest
    void repliesStayWithinTheRootAndTheirBounds(byte[] input) {
        ByteBuffer in = ByteBuffer.wrap(input);
        long now = 0;
        try (TftpServer server = new TftpServer(root, MAX_SESSIONS)) {
            for (int at = 0; at + HEADER <= input.length; ) {
                int client = in.get(at) & 0x03;
                now += (in.get(at + 1) & 0xFF) * STEP_NANOS;
                int length = Math.min(in.getShort(at + 2) & 0xFFFF, input.length - at - HEADER);
                int payload = at + HEADER;
                at = payload + length;

                if (view.wrap(in, payload, length).check() == TftpFault.NONE
                        && (view.opcode() == TftpOpcode.RRQ || view.opcode() == TftpOpcode.WRQ)) {
                    view.request();
                }
                server.receive(SERVER, IpAddress.ofIpv4(CLIENT + client), 1000 + client, in, payload, length, now, this::check);
                server.poll(now, this::check);
                assertThat(server.activeTransfers()).isLessThanOrEqualTo(MAX_SESSIONS);
            }
        }
    }

    private void check(IpAddress serverIp, IpAddress clientIp, int clientPort, ByteBuffer payload, int offset, int length) {
        assertThat(serverIp).isEqualTo(SERVER);
        assertThat(length).isBetween(4, 4 + TftpOptions.SERVED_MAX_BLOCK_SIZE);
        byte[] bytes = new byte[length];
        payload.get(offset, bytes);
        assertThat(Arrays.equals(bytes, 4, length, SECRET, 0, SECRET.length)).isFalse();
        int opcode = sent.wrap(payload, offset, length).opcode();
        assertThat(opcode).isIn(TftpOpcode.DATA, TftpOpcode.OACK, TftpOpcode.ERROR);
        if (opcode != TftpOpcode.OACK) {
            assertThat(sent.check()).isEqualTo(TftpFault.NONE);
        }
    }

    private static byte[] filled(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }
}
