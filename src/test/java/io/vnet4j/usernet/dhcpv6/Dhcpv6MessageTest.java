package io.vnet4j.usernet.dhcpv6;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.Golden6;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Dhcpv6MessageTest {
    /** The UDP payload of the golden frames: after Ethernet, IPv6 and UDP headers. */
    static final int PAYLOAD = Golden6.L4 + 8;
    private final Dhcpv6Message message = new Dhcpv6Message();
    private final Dhcpv6Options options = new Dhcpv6Options();

    static byte[] hex(String text) {
        return HexFormat.ofDelimiter(" ").parseHex(text);
    }

    /** The UDP payload of dhclient's Information-request. */
    static byte[] informationRequest() {
        return Arrays.copyOfRange(Golden6.DHCPV6_INFORMATION_REQUEST, PAYLOAD, Golden6.DHCPV6_INFORMATION_REQUEST.length);
    }

    @Test
    void parsesDhclientsInformationRequest() {
        byte[] payload = informationRequest();
        assertThat(message.wrap(ByteBuffer.wrap(payload), 0, payload.length).check()).isEqualTo(WireError.NONE);
        assertThat(message.msgType()).isEqualTo(Dhcpv6MessageType.INFORMATION_REQUEST);
        assertThat(message.transactionId()).isEqualTo(0x7b23c6);
        message.options(options);
        assertThat(options.next()).isTrue();
        assertThat(options.code()).isEqualTo(Dhcpv6Option.CLIENTID);
        assertThat(options.dataLength()).isEqualTo(10);
        assertThat(options.dataOffset()).isEqualTo(8);
        assertThat(options.next()).isTrue();
        assertThat(options.code()).isEqualTo(Dhcpv6Option.ORO);
        assertThat(options.dataLength()).isEqualTo(8);
        assertThat(options.next()).isTrue();
        assertThat(options.code()).isEqualTo(Dhcpv6Option.ELAPSED_TIME);
        assertThat(options.offset()).isEqualTo(30);
        assertThat(options.next()).isFalse();
        assertThat(options.error()).isEqualTo(WireError.NONE);
    }

    @Test
    void parsesDnsmasqsReply() {
        byte[] frame = Golden6.DHCPV6_DNSMASQ_REPLY;
        assertThat(message.wrap(ByteBuffer.wrap(frame), PAYLOAD, frame.length - PAYLOAD).check()).isEqualTo(WireError.NONE);
        assertThat(message.msgType()).isEqualTo(Dhcpv6MessageType.REPLY);
        assertThat(message.transactionId()).isEqualTo(0x7b23c6);
        message.options(options);
        int[] codes = new int[6];
        int n = 0;
        while (options.next()) {
            codes[n++] = options.code();
        }
        assertThat(Arrays.copyOf(codes, n)).containsExactly(1, 2, 24, 23, 32);
    }

    @Test
    void writesTheHeaderIntoPoisonedBytes() {
        byte[] out = new byte[4];
        Arrays.fill(out, (byte) 0xa5);
        message.wrap(ByteBuffer.wrap(out), 0, 4);
        message.setMsgType(Dhcpv6MessageType.REPLY);
        message.setTransactionId(0x7b23c6);
        assertThat(out).isEqualTo(hex("07 7b 23 c6"));
        assertThat(message.transactionId()).isEqualTo(0x7b23c6);
    }

    @Test
    void refusesShortMessagesLyingLengthsAndLeftoverBytes() {
        ByteBuffer buf = ByteBuffer.wrap(informationRequest());
        for (int length = 0; length < 4; length++) {
            assertThat(message.wrap(buf, 0, length).check()).isEqualTo(WireError.TRUNCATED);
        }
        for (int length = 5; length < 36; length++) {
            boolean optionBoundary = length == 4 || length == 18 || length == 30;
            assertThat(message.wrap(buf, 0, length).check()).as("length %d", length)
                    .isEqualTo(optionBoundary ? WireError.NONE : WireError.BAD_OPTION);
        }
        buf.putShort(6, (short) 11); // the client identifier claims the ORO's first byte: what follows no longer fits
        assertThat(message.wrap(buf, 0, 36).check()).isEqualTo(WireError.BAD_OPTION);
    }

    @Test
    void refusesAnOptionLengthPastTheEnd() {
        ByteBuffer buf = ByteBuffer.wrap(informationRequest());
        buf.putShort(32, (short) 3); // elapsed time says 3 bytes, 2 are there
        assertThat(message.wrap(buf, 0, 36).check()).isEqualTo(WireError.BAD_OPTION);
        message.options(options);
        assertThat(options.next()).isTrue();
        assertThat(options.next()).isTrue();
        assertThat(options.next()).isFalse();
        assertThat(options.error()).isEqualTo(WireError.BAD_OPTION);
        buf.putShort(32, (short) 0xffff);
        assertThat(message.wrap(buf, 0, 36).check()).isEqualTo(WireError.BAD_OPTION);
    }

    @Test
    void leavesRelayMessagesAside() {
        ByteBuffer buf = ByteBuffer.wrap(informationRequest());
        buf.put(0, (byte) Dhcpv6MessageType.RELAY_FORW);
        assertThat(message.wrap(buf, 0, 36).check()).isEqualTo(WireError.UNSUPPORTED);
    }
}
