package io.vnet4j.port.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The version 3 request and the reply in golden bytes, as libvdeplug sends them on x86-64 (host byte
 * order: little-endian), and hostile requests, which are refused with a reason and never throw.
 */
class VdeRequestTest {
    private static final String PATH = "/tmp/vnet4j-vde-1/data";

    @BeforeEach
    void littleEndianHost() {
        assumeThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] golden(int typeAndPortLe0, int typeAndPortLe1, String description) {
        byte[] g = new byte[VdeRequest.HEADER_LENGTH + description.length()];
        byte[] head = HexFormat.of().parseHex("cefaedfe" + "03000000");
        System.arraycopy(head, 0, g, 0, 8);
        g[8] = (byte) typeAndPortLe0;
        g[9] = (byte) typeAndPortLe1;
        g[12] = 1; // sa_family AF_UNIX, little-endian short
        byte[] path = PATH.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(path, 0, g, 14, path.length);
        byte[] text = description.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, g, VdeRequest.HEADER_LENGTH, text.length);
        return g;
    }

    private static ByteBuffer prefilled() {
        ByteBuffer b = ByteBuffer.allocate(300);
        Arrays.fill(b.array(), (byte) 0xa5);
        b.position(7);
        return b;
    }

    @Test
    void requestForAnyPortIsGolden() {
        ByteBuffer b = prefilled();
        int n = VdeRequest.newControl(0, PATH, "vnet4j a").emit(b);
        assertThat(n).isEqualTo(130);
        assertThat(b.position()).isEqualTo(7 + 130);
        assertThat(Arrays.copyOfRange(b.array(), 7, 7 + n)).isEqualTo(golden(0, 0, "vnet4j a"));
        assertThat(b.array()[6]).isEqualTo((byte) 0xa5);
        assertThat(b.array()[7 + n]).isEqualTo((byte) 0xa5); // no NUL after the description
    }

    @Test
    void portGoesAboveTheTypeByte() {
        ByteBuffer b = prefilled();
        int n = VdeRequest.newControl(5, PATH, "QEMU").emit(b);
        assertThat(Arrays.copyOfRange(b.array(), 7, 7 + n)).isEqualTo(golden(0, 5, "QEMU"));
        b = prefilled();
        n = VdeRequest.newControl(300, PATH, "QEMU").emit(b);
        assertThat(Arrays.copyOfRange(b.array(), 7 + 8, 7 + 12)).containsExactly(0, 0x2c, 0x01, 0);
    }

    @Test
    void descriptionIsCutAt128Bytes() {
        ByteBuffer b = prefilled();
        int n = VdeRequest.newControl(0, PATH, "x".repeat(200)).emit(b);
        assertThat(n).isEqualTo(VdeRequest.MAX_LENGTH).isEqualTo(250);
    }

    @Test
    void replyAddressIsGolden() {
        ByteBuffer b = prefilled();
        VdeRequest.emitAddress("/tmp/sw/001", b);
        assertThat(b.position()).isEqualTo(7 + 110);
        byte[] expected = new byte[110];
        expected[0] = 1;
        System.arraycopy("/tmp/sw/001".getBytes(StandardCharsets.US_ASCII), 0, expected, 2, 11);
        assertThat(Arrays.copyOfRange(b.array(), 7, 117)).isEqualTo(expected);
        assertThat(b.array()[117]).isEqualTo((byte) 0xa5);
        assertThat(VdeRequest.parseAddress(ByteBuffer.wrap(expected), 0, 110)).isEqualTo("/tmp/sw/001");
    }

    @Test
    void parsesWhatItEmitsAndWhatVdePlugSends() {
        ByteBuffer b = ByteBuffer.wrap(golden(0, 7, "vdeplug: user=root pid=17772"));
        VdeRequest.Parsed p = VdeRequest.parse(b, 0, b.capacity());
        assertThat(p).isEqualTo(new VdeRequest.Ok(new VdeRequest(0, 7, PATH, "vdeplug: user=root pid=17772")));
        ByteBuffer noText = ByteBuffer.wrap(golden(1, 0, ""));
        assertThat(VdeRequest.parse(noText, 0, noText.capacity()))
                .isEqualTo(new VdeRequest.Ok(new VdeRequest(VdeRequest.REQ_NEW_PORT0, 0, PATH, "")));
    }

    @Test
    void everyTruncationIsRefusedWithoutThrowing() {
        byte[] whole = golden(0, 0, "QEMU");
        for (int len = 0; len < VdeRequest.HEADER_LENGTH; len++) {
            ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(whole, len));
            assertThat(VdeRequest.parse(b, 0, len)).as("length %d", len).isInstanceOf(VdeRequest.Malformed.class);
        }
        for (int len = VdeRequest.HEADER_LENGTH; len <= whole.length; len++) {
            ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(whole, len));
            assertThat(VdeRequest.parse(b, 0, len)).as("length %d", len).isInstanceOf(VdeRequest.Ok.class);
        }
    }

    @Test
    void badMagicAndOtherVersionsAreRefused() {
        byte[] g = golden(0, 0, "QEMU");
        byte[] magic = g.clone();
        magic[0] = (byte) 0xcf;
        assertThat(VdeRequest.parse(ByteBuffer.wrap(magic), 0, magic.length))
                .isEqualTo(new VdeRequest.Malformed("bad magic 0xfeedfacf (expected 0xfeedface)"));
        for (int version : new int[] {0, 1, 2, 4, -1}) {
            byte[] v = g.clone();
            ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putInt(4, version);
            assertThat(VdeRequest.parse(ByteBuffer.wrap(v), 0, v.length)).isInstanceOf(VdeRequest.Malformed.class)
                    .asString().contains("version " + Integer.toUnsignedString(version));
        }
    }

    @Test
    void badTypeFamilyAndPathAreRefused() {
        byte[] type = golden(2, 0, "");
        assertThat(VdeRequest.parse(ByteBuffer.wrap(type), 0, type.length))
                .isEqualTo(new VdeRequest.Malformed("bad request type 2"));
        byte[] family = golden(0, 0, "");
        family[12] = 2;
        assertThat(VdeRequest.parse(ByteBuffer.wrap(family), 0, family.length)).isInstanceOf(VdeRequest.Malformed.class);
        byte[] empty = golden(0, 0, "");
        Arrays.fill(empty, 14, 122, (byte) 0);
        assertThat(VdeRequest.parse(ByteBuffer.wrap(empty), 0, empty.length)).isInstanceOf(VdeRequest.Malformed.class);
        byte[] unterminated = golden(0, 0, "");
        Arrays.fill(unterminated, 14, 122, (byte) 'a');
        assertThat(VdeRequest.parse(ByteBuffer.wrap(unterminated), 0, unterminated.length))
                .isInstanceOf(VdeRequest.Malformed.class);
    }

    @Test
    void randomBytesNeverThrow() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(260)];
            random.nextBytes(junk);
            if (junk.length >= 8 && random.nextBoolean()) {
                System.arraycopy(golden(0, 0, ""), 0, junk, 0, Math.min(junk.length, random.nextInt(123)));
            }
            ByteBuffer b = ByteBuffer.wrap(junk);
            assertThat(VdeRequest.parse(b, 0, junk.length)).isNotNull();
            VdeRequest.parseAddress(b, 0, junk.length);
        }
        assertThat(VdeRequest.parse(ByteBuffer.allocate(4), 2, 8)).isInstanceOf(VdeRequest.Malformed.class);
        assertThat(VdeRequest.parse(ByteBuffer.allocate(4), -1, 2)).isInstanceOf(VdeRequest.Malformed.class);
    }
}
