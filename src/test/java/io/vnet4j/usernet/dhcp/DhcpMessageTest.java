package io.vnet4j.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DhcpMessageTest {
    private final DhcpMessage message = new DhcpMessage();

    private DhcpMessage wrap(byte[] bytes) {
        return message.wrap(ByteBuffer.wrap(bytes.clone()), 0, bytes.length);
    }

    /** Bytes of the golden DISCOVER with its options area replaced. */
    private static byte[] withOptions(String... options) {
        byte[] fixed = Arrays.copyOf(DhcpGolden.DISCOVER, DhcpMessage.MIN_LENGTH);
        byte[] tail = Hex.bytes(options);
        byte[] bytes = Arrays.copyOf(fixed, fixed.length + tail.length);
        System.arraycopy(tail, 0, bytes, fixed.length, tail.length);
        return bytes;
    }

    @Test
    void parsesTheFixedFieldsOfADiscover() {
        assertThat(wrap(DhcpGolden.DISCOVER).check()).isEqualTo(WireError.NONE);
        assertThat(BootpHeader.parse(message)).isEqualTo(new BootpHeader(1, 1, 6, 0, 0x3c4d5e6f, 0, 0, 0, 0, 0, 0,
                Guests.MAC_A));
        assertThat(message.broadcast()).isFalse();
        assertThat(message.sname()).isEmpty();
        assertThat(message.file()).isEmpty();
        assertThat(message.cookie()).isEqualTo(DhcpMessage.MAGIC_COOKIE);
    }

    @Test
    void readsTheOptionsTheServerUses() {
        wrap(DhcpGolden.REQUEST);
        assertThat(message.messageType()).isEqualTo(DhcpMessageType.REQUEST);
        assertThat(message.requestedAddress()).isEqualTo(Guests.FIRST);
        assertThat(message.serverIdentifier()).isEqualTo(Guests.GATEWAY);
        assertThat(message.hostname()).isEqualTo("guest");
        assertThat(message.parameterRequestList()).containsExactly(1, 3, 6, 12, 15, 28, 42, 51, 54, 119);
        assertThat(message.clientIdentifier()).containsExactly(1, 0x52, 0x54, 0, 0x12, 0x34, 0x56);
        assertThat(message.hasOption(57)).isTrue();
        assertThat(message.hasOption(DhcpOption.DOMAIN_NAME)).isFalse();
    }

    @Test
    void reportsAbsentOptionsAsNeutralValues() {
        wrap(withOptions("ff"));
        assertThat(message.check()).isEqualTo(WireError.NONE);
        assertThat(message.messageType()).isEqualTo(DhcpMessageType.NONE);
        assertThat(message.requestedAddress()).isZero();
        assertThat(message.serverIdentifier()).isZero();
        assertThat(message.hostname()).isNull();
        assertThat(message.parameterRequestList()).isEmpty();
        assertThat(message.clientIdentifier()).isNull();
    }

    @Test
    void skipsPadsAndStopsAtTheEndOption() {
        wrap(withOptions("00 00 35 01 01 ff 32 04 0a 00 02 0f"));
        assertThat(message.check()).isEqualTo(WireError.NONE);
        assertThat(message.messageType()).isEqualTo(DhcpMessageType.DISCOVER);
        assertThat(message.requestedAddress()).isZero();
    }

    @Test
    void acceptsOptionsThatRunToTheEndWithoutAnEndOption() {
        assertThat(wrap(withOptions("35 01 01 0c 02 61 62")).check()).isEqualTo(WireError.NONE);
        assertThat(message.hostname()).isEqualTo("ab");
        assertThat(wrap(withOptions()).check()).isEqualTo(WireError.NONE);
    }

    @Test
    void cutsAHostnameAtItsFirstNul() {
        wrap(withOptions("0c 04 61 62 00 63 ff"));
        assertThat(message.hostname()).isEqualTo("ab");
    }

    @Test
    void withoutOption12TheHostnameIsTheClientFqdnOptionsName() {
        // RFC 4702: flags, RCODE1, RCODE2, name; busybox udhcpc -F sends flag S and text
        wrap(withOptions("51 0f 01 00 00 64 62 2e 76 6e 65 74 2e 74 65 73 74 ff"));
        assertThat(message.hostname()).isEqualTo("db.vnet.test");
        // flag E: the canonical wire format, as systemd-networkd sends it: its first label
        wrap(withOptions("51 0e 05 00 00 02 64 62 04 76 6e 65 74 04 74 65 73 74 00 ff"));
        assertThat(message.hostname()).isEqualTo("db");
        wrap(withOptions("0c 03 77 65 62 51 07 01 00 00 64 62 2e 78 ff"));
        assertThat(message.hostname()).as("option 12 first").isEqualTo("web");
    }

    @Test
    void aClientFqdnOptionWithoutANameGivesNoHostname() {
        assertThat(wrap(withOptions("35 01 01 51 02 01 00 ff")).check()).isEqualTo(WireError.NONE);
        assertThat(message.hostname()).isNull();
        wrap(withOptions("51 03 01 00 00 ff"));
        assertThat(message.hostname()).isNull();
        wrap(withOptions("51 05 04 00 00 c0 0c ff")); // a compression pointer, which RFC 4702 forbids
        assertThat(message.hostname()).isNull();
        wrap(withOptions("51 06 04 00 00 05 61 62 ff")); // a label longer than the option
        assertThat(message.hostname()).isNull();
    }

    @Test
    void readsAHostnameAsUtf8WhenItIsValidUtf8ElseOneCharacterPerByte() {
        wrap(withOptions("0c 05 63 61 66 c3 a9 ff")); // "café" as systemd-networkd sends it
        assertThat(message.hostname()).isEqualTo("caf\u00e9");
        wrap(withOptions("0c 04 63 61 66 e9 ff")); // ISO-8859-1's é, no UTF-8
        assertThat(message.hostname()).isEqualTo("caf\u00e9");
        wrap(withOptions("0c 02 61 c3 ff")); // UTF-8 cut short
        assertThat(message.hostname()).isEqualTo("a\u00c3");
    }

    @Test
    void rejectsAnOptionLengthRunningPastTheEnd() {
        assertThat(wrap(withOptions("35 01 01 0c 10 61 62")).check()).isEqualTo(WireError.BAD_OPTION);
        assertThat(message.hostname()).isNull();
        assertThat(message.messageType()).isEqualTo(DhcpMessageType.DISCOVER);
    }

    @Test
    void rejectsAnOptionCodeWithoutItsLengthByte() {
        assertThat(wrap(withOptions("35 01 01 0c")).check()).isEqualTo(WireError.BAD_OPTION);
    }

    /**
     * A known option too short to read is as absent, and the rest of the message is read: a client identifier of one
     * byte or an empty parameter request list had the whole message dropped, where dnsmasq's option_find(..., minsize)
     * passes such an option over. A later option of the same code that can be read is taken.
     */
    @Test
    void readsAKnownOptionTooShortAsAbsent() {
        assertThat(wrap(withOptions("35 01 03 3d 01 01 37 00 32 03 0a 00 02 36 00 39 01 02 ff")).check())
                .isEqualTo(WireError.NONE);
        assertThat(message.messageType()).isEqualTo(DhcpMessageType.REQUEST);
        assertThat(message.clientIdentifier()).isNull();
        assertThat(message.parameterRequestList()).isEmpty();
        assertThat(message.requestedAddress()).isZero();
        assertThat(message.serverIdentifier()).isZero();
        assertThat(message.maxMessageSize()).isZero();
        assertThat(wrap(withOptions("35 00 ff")).messageType()).as("no type: BOOTP").isEqualTo(DhcpMessageType.NONE);
        assertThat(wrap(withOptions("32 03 0a 00 02 32 04 0a 00 02 10 ff")).requestedAddress()).isEqualTo(0x0a00_0210);
    }

    /** A known option longer than its code needs is read by its first bytes, as dnsmasq reads it. */
    @Test
    void readsAnOverlongKnownOptionByItsFirstBytes() {
        assertThat(wrap(withOptions("35 02 01 01 32 05 0a 00 02 10 00 ff")).check()).isEqualTo(WireError.NONE);
        assertThat(message.messageType()).isEqualTo(DhcpMessageType.DISCOVER);
        assertThat(message.requestedAddress()).isEqualTo(0x0a00_0210);
    }

    @Test
    void takesAnEmptyHostNameAsNone() {
        assertThat(wrap(withOptions("0c 00 ff")).check()).isEqualTo(WireError.NONE);
        assertThat(message.hostname()).isNull();
        assertThat(wrap(withOptions("0c 01 00 ff")).hostname()).isNull();
    }

    @Test
    void rejectsAMessageShorterThanTheFixedFields() {
        assertThat(message.wrap(ByteBuffer.wrap(DhcpGolden.DISCOVER), 0, 235).check()).isEqualTo(WireError.TRUNCATED);
    }

    @Test
    void takesAVendorAreaWithoutTheCookieAsBootpWithNoOptions() {
        byte[] bytes = DhcpGolden.DISCOVER.clone();
        bytes[239] = 0x64;
        assertThat(wrap(bytes).check()).isEqualTo(WireError.NONE);
        assertThat(message.hasOptions()).isFalse();
        assertThat(message.messageType()).isEqualTo(DhcpMessageType.NONE);
        assertThat(message.hostname()).isNull();
        assertThat(message.parameterRequestList()).isEmpty();
        assertThat(message.wrap(ByteBuffer.wrap(DhcpGolden.DISCOVER), 0, 236).check()).isEqualTo(WireError.NONE);
        assertThat(message.hasOptions()).isFalse();
    }

    /**
     * Any hardware type with 6-byte addresses is taken (IEEE 802's 6, FDDI's 8 carry MAC-48 addresses too), as
     * dnsmasq's rfc2131.c and ISC dhcpd take any, and libslirp's bootp.c reads no htype at all; another address
     * length, or type 0 with an address (which dnsmasq refuses), is not.
     */
    @Test
    void takesAnyHardwareTypeWithSixByteAddresses() {
        byte[] bytes = DhcpGolden.DISCOVER.clone();
        bytes[1] = 6;
        assertThat(wrap(bytes).check()).isEqualTo(WireError.NONE);
        assertThat(message.htype()).isEqualTo(6);
        assertThat(message.chaddr()).isEqualTo(wrap(DhcpGolden.DISCOVER).chaddr());
        bytes = DhcpGolden.DISCOVER.clone();
        bytes[2] = 16;
        assertThat(wrap(bytes).check()).isEqualTo(WireError.UNSUPPORTED);
        bytes = DhcpGolden.DISCOVER.clone();
        bytes[1] = 0;
        assertThat(wrap(bytes).check()).isEqualTo(WireError.UNSUPPORTED);
    }

    @Test
    void readsAViewAtAnOffsetInsideALargerBuffer() {
        ByteBuffer buf = Hex.poisoned(DhcpGolden.REQUEST.length + 50).put(42, DhcpGolden.REQUEST);
        assertThat(message.wrap(buf, 42, DhcpGolden.REQUEST.length).check()).isEqualTo(WireError.NONE);
        assertThat(message.xid()).isEqualTo(0x3c4d5e6f);
        assertThat(message.requestedAddress()).isEqualTo(Guests.FIRST);
        assertThat(message.hostname()).isEqualTo("guest");
    }

    @Test
    void emitsTheFixedFieldsOverPoisonAndReadsThemBack() {
        BootpHeader header = new BootpHeader(2, 1, 6, 3, 0xcafe_f00d, 7, DhcpMessage.FLAG_BROADCAST,
                Ipv4Address.parse("10.0.2.20"), Guests.FIRST, Guests.GATEWAY, Ipv4Address.parse("192.0.2.1"),
                Guests.MAC_B);
        ByteBuffer buf = Hex.poisoned(DhcpMessage.MIN_LENGTH);
        header.emit(message.wrap(buf, 0, DhcpMessage.MIN_LENGTH));
        message.setFile("boot.img");

        assertThat(message.check()).isEqualTo(WireError.NONE);
        assertThat(BootpHeader.parse(message)).isEqualTo(header);
        assertThat(message.broadcast()).isTrue();
        assertThat(message.file()).isEqualTo("boot.img");
        assertThat(Arrays.copyOfRange(buf.array(), 34, 236))
                .isEqualTo(Hex.bytes(Hex.zeros(10 + 64), Hex.ascii("boot.img"), Hex.zeros(120)));
    }

    @Test
    void refusesABootFileNameThatLeavesNoRoomForTheNul() {
        message.wrap(ByteBuffer.allocate(DhcpMessage.MIN_LENGTH), 0, DhcpMessage.MIN_LENGTH);
        String name = new String(new byte[128], StandardCharsets.US_ASCII).replace('\0', 'x');
        assertThatIllegalArgumentException().isThrownBy(() -> message.setFile(name));
    }
}
