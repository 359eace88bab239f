package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkMessagesTest {
    private static final int NLMSG_DONE = 3;

    private final List<String> seen = new ArrayList<>();

    private int read(ByteBuffer datagram) {
        return LinkMessages.read(datagram, datagram.remaining(),
                (deleted, index, name) -> seen.add((deleted ? "del " : "new ") + index + " " + name));
    }

    /** An rtnetlink message of {@code type}: nlmsghdr, ifinfomsg of {@code index}, then each attribute given. */
    static byte[] message(int type, int index, byte[]... attributes) {
        int length = LinkMessages.NLMSG_HEADER + LinkMessages.IFINFOMSG;
        for (byte[] a : attributes) {
            length += (a.length + 3) & ~3;
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        b.putInt(length).putShort((short) type).putShort((short) 0).putInt(0).putInt(0);
        b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(index).putInt(0x1043).putInt(0);
        for (byte[] a : attributes) {
            b.put(a).position((b.position() + 3) & ~3);
        }
        return b.array();
    }

    /** An rtattr of {@code type} whose rta_len is {@code length} (the truth: 4 + the value's bytes). */
    static byte[] attribute(int type, int length, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(4 + value.length).order(ByteOrder.nativeOrder());
        return b.putShort((short) length).putShort((short) type).put(value).array();
    }

    static byte[] name(String name) {
        byte[] text = (name + "\0").getBytes(StandardCharsets.UTF_8);
        return attribute(LinkMessages.IFLA_IFNAME, 4 + text.length, text);
    }

    private static ByteBuffer datagram(byte[]... messages) {
        ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(messages).mapToInt(m -> m.length).sum());
        for (byte[] m : messages) {
            b.put(m);
        }
        return b.flip();
    }

    @Test
    void aNewAndADeletedLinkWithTheirNamesAmongOtherAttributesAndMessages() {
        byte[] mtu = attribute(4, 8, new byte[] {(byte) 0xdc, 5, 0, 0}); // IFLA_MTU 1500
        byte[] done = new byte[16];
        ByteBuffer.wrap(done).order(ByteOrder.nativeOrder()).putInt(16).putShort((short) NLMSG_DONE);
        assertThat(read(datagram(message(LinkMessages.RTM_NEWLINK, 7, mtu, name("eth1")), done,
                message(LinkMessages.RTM_DELLINK, 7, name("eth1")), message(LinkMessages.RTM_NEWLINK, 9)))).isZero();
        assertThat(seen).containsExactly("new 7 eth1", "del 7 eth1", "new 9 null");
    }

    @Test
    void aNameOddInLengthIsPaddedToTheNextAttribute() {
        assertThat(read(datagram(message(LinkMessages.RTM_NEWLINK, 3, name("abc"), attribute(4, 8, new byte[4]))))).isZero();
        assertThat(seen).containsExactly("new 3 abc");
    }

    @Test
    void aNameWithoutItsNulOrLongerThanTheKernelGivesIsNoName() {
        byte[] unterminated = "eth1".getBytes(StandardCharsets.US_ASCII);
        byte[] tooLong = "abcdefghijklmnopqrstuvwxyz\0".getBytes(StandardCharsets.US_ASCII);
        assertThat(read(datagram(message(LinkMessages.RTM_NEWLINK, 1, attribute(3, 4 + unterminated.length, unterminated)),
                message(LinkMessages.RTM_NEWLINK, 2, attribute(3, 4 + tooLong.length, tooLong))))).isZero();
        assertThat(seen).containsExactly("new 1 null", "new 2 null");
    }

    @Test
    void aMessageLengthThatLiesEndsTheDatagramAfterWhatCameBefore() {
        byte[] first = message(LinkMessages.RTM_NEWLINK, 1, name("a"));
        byte[] longer = message(LinkMessages.RTM_NEWLINK, 2, name("b"));
        ByteBuffer.wrap(longer).order(ByteOrder.nativeOrder()).putInt(0, longer.length + 4);
        assertThat(read(datagram(first, longer))).isEqualTo(1);
        byte[] shorter = message(LinkMessages.RTM_NEWLINK, 2, name("b"));
        ByteBuffer.wrap(shorter).order(ByteOrder.nativeOrder()).putInt(0, 15);
        assertThat(read(datagram(first, shorter))).isEqualTo(1);
        byte[] huge = message(LinkMessages.RTM_DELLINK, 2);
        ByteBuffer.wrap(huge).order(ByteOrder.nativeOrder()).putInt(0, -1); // 4 GiB less one, unsigned
        assertThat(read(datagram(huge))).isEqualTo(1);
        assertThat(seen).containsExactly("new 1 a", "new 1 a");
    }

    @Test
    void aLinkMessageTooShortForItsIfinfomsgIsCountedNotRead() {
        byte[] m = java.util.Arrays.copyOf(message(LinkMessages.RTM_NEWLINK, 1), 24);
        ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).putInt(0, 24);
        assertThat(read(datagram(m))).isEqualTo(1);
        assertThat(seen).isEmpty();
    }

    @Test
    void anAttributeLengthThatLiesEndsTheDatagram() {
        byte[] text = "eth1\0".getBytes(StandardCharsets.US_ASCII);
        assertThat(read(datagram(message(LinkMessages.RTM_NEWLINK, 1, attribute(3, 200, text))))).isEqualTo(1);
        assertThat(read(datagram(message(LinkMessages.RTM_NEWLINK, 1, attribute(3, 2, text))))).isEqualTo(1);
        assertThat(seen).isEmpty();
    }

    @Test
    void aDatagramCutShortAnywhereReadsTheWholeMessagesBeforeTheCut() {
        byte[] both = datagram(message(LinkMessages.RTM_NEWLINK, 1, name("a")), message(LinkMessages.RTM_DELLINK, 1, name("a"))).array();
        for (int cut = 0; cut <= both.length; cut++) {
            seen.clear();
            int dropped = LinkMessages.read(ByteBuffer.wrap(both), cut,
                    (deleted, index, name) -> seen.add((deleted ? "del " : "new ") + index + " " + name));
            int whole = cut >= both.length ? 2 : cut >= both.length / 2 ? 1 : 0;
            assertThat(seen).as("cut at " + cut).hasSize(whole);
            assertThat(dropped).as("cut at " + cut).isEqualTo(cut == 0 || cut == both.length / 2 || cut == both.length ? 0 : 1);
        }
    }
}
