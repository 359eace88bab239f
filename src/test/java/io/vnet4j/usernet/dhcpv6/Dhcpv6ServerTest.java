package io.vnet4j.usernet.dhcpv6;

import static io.vnet4j.usernet.dhcpv6.Dhcpv6MessageTest.hex;
import static io.vnet4j.usernet.dhcpv6.Dhcpv6MessageTest.informationRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Dhcpv6ServerTest {
    private static final long SERVER_MAC = 0x5255_0a00_0202L;
    private static final Dhcpv6Settings SETTINGS = new Dhcpv6Settings(IpAddress.parse("2001:db8:1::3"),
            List.of("vnet.test", "lab.vnet.test"), null, SERVER_MAC);
    /** The Reply to dhclient's Information-request (ORO 23, 24, 39, 31): client and server identifiers, 23, 24. */
    private static final byte[] REPLY = hex("07 7b 23 c6"
            + " 00 01 00 0a 00 03 00 01 52 54 00 12 34 56"
            + " 00 02 00 0a 00 03 00 01 52 55 0a 00 02 02"
            + " 00 17 00 10 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 03"
            + " 00 18 00 1a 04 76 6e 65 74 04 74 65 73 74 00 03 6c 61 62 04 76 6e 65 74 04 74 65 73 74 00");

    private final Dhcpv6Server server = new Dhcpv6Server(SETTINGS);

    private static ByteBuffer poisoned(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0xa5);
        return ByteBuffer.wrap(bytes);
    }

    private int handle(byte[] request, ByteBuffer out) {
        return server.handle(ByteBuffer.wrap(request), 0, request.length, out, 0);
    }

    /** An Information-request with transaction-id 0x010203 and these options (hex). */
    private static byte[] request(String options) {
        return hex(("0b 01 02 03 " + options).trim());
    }

    @Test
    void answersDhclientsInformationRequestByteForByte() {
        byte[] in = informationRequest();
        ByteBuffer out = poisoned(REPLY.length + 7);
        int n = server.handle(ByteBuffer.wrap(in), 0, in.length, out, 3);
        assertThat(n).isEqualTo(REPLY.length);
        assertThat(Arrays.copyOfRange(out.array(), 3, 3 + n)).isEqualTo(REPLY);
        assertThat(Arrays.copyOfRange(out.array(), 0, 3)).containsOnly((byte) 0xa5);
        assertThat(Arrays.copyOfRange(out.array(), 3 + n, out.capacity())).containsOnly((byte) 0xa5);
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(0, 0, 0, 1, 0, 0, 0, 0, 0));
        assertThat(n).isLessThanOrEqualTo(server.maxReplyLength());
    }

    @Test
    void encodesTheSearchListAsDnsmasqDoes() {
        // option 24 of dnsmasq's Reply to the same request
        byte[] dnsmasq = io.vnet4j.wire.Golden6.DHCPV6_DNSMASQ_REPLY;
        int option24 = Dhcpv6MessageTest.PAYLOAD + 4 + 14 + 18;
        assertThat(Arrays.copyOfRange(dnsmasq, option24, option24 + 30))
                .isEqualTo(Arrays.copyOfRange(REPLY, 4 + 14 + 14 + 20, REPLY.length));
    }

    @Test
    void sendsTheBootFileUrlInLibslirpsFormOnlyWhenAskedForAndConfigured() {
        String url = Dhcpv6Settings.tftpBootFileUrl(IpAddress.parse("fec0::2"), "pxelinux.0");
        assertThat(url).isEqualTo("tftp://[fec0:0000:0000:0000:0000:0000:0000:0002]/pxelinux.0");
        Dhcpv6Server boot = new Dhcpv6Server(new Dhcpv6Settings(null, List.of(), url, SERVER_MAC));
        byte[] in = request("00 06 00 04 00 3b 00 17"); // ORO: boot file URL, DNS servers (none configured)
        ByteBuffer out = ByteBuffer.allocate(boot.maxReplyLength());
        int n = boot.handle(ByteBuffer.wrap(in), 0, in.length, out, 0);
        byte[] urlBytes = url.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer expected = ByteBuffer.allocate(4 + 14 + 4 + urlBytes.length);
        expected.put(hex("07 01 02 03 00 02 00 0a 00 03 00 01 52 55 0a 00 02 02 00 3b"));
        expected.putShort((short) urlBytes.length).put(urlBytes);
        assertThat(Arrays.copyOf(out.array(), n)).isEqualTo(expected.array());

        int withoutUrl = server.handle(ByteBuffer.wrap(in), 0, in.length, out, 0);
        assertThat(withoutUrl).as("no boot file configured: only the server identifier").isEqualTo(4 + 14 + 20);
    }

    @Test
    void sendsOnlyTheIdentifiersWithoutAnOptionRequest() {
        ByteBuffer out = ByteBuffer.allocate(128);
        assertThat(handle(request(""), out)).isEqualTo(4 + 14);
        assertThat(Arrays.copyOf(out.array(), 18)).isEqualTo(hex("07 01 02 03 00 02 00 0a 00 03 00 01 52 55 0a 00 02 02"));
    }

    @Test
    void echoesTheLastClientIdentifierAsLibslirp() {
        ByteBuffer out = ByteBuffer.allocate(128);
        int n = handle(request("00 01 00 02 aa bb 00 01 00 03 cc dd ee"), out);
        assertThat(Arrays.copyOf(out.array(), 11)).isEqualTo(hex("07 01 02 03 00 01 00 03 cc dd ee"));
        assertThat(n).isEqualTo(11 + 14);
    }

    @Test
    void answersAnInformationRequestNamingThisServer() {
        ByteBuffer out = ByteBuffer.allocate(128);
        assertThat(handle(request("00 02 00 0a 00 03 00 01 52 55 0a 00 02 02"), out)).isEqualTo(18);
    }

    @Test
    void ignoresEveryOtherMessageTypeAsLibslirp() {
        ByteBuffer out = ByteBuffer.allocate(128);
        for (int type = 0; type < 256; type++) {
            if (type == Dhcpv6MessageType.INFORMATION_REQUEST) {
                continue;
            }
            byte[] in = informationRequest();
            in[0] = (byte) type;
            assertThat(handle(in, out)).as("type %d", type).isEqualTo(Dhcpv6Server.NO_REPLY);
        }
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(0, 255, 0));
    }

    @Test
    void discardsInformationRequestsWithIaOptionsOrAnotherServersIdentifier() {
        ByteBuffer out = ByteBuffer.allocate(128);
        for (String option : List.of("00 03 00 0c 00 00 00 01 00 00 00 00 00 00 00 00", // IA_NA
                "00 04 00 04 00 00 00 01", "00 19 00 0c 00 00 00 01 00 00 00 00 00 00 00 00", // IA_TA, IA_PD
                "00 05 00 18 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00", // IAADDR
                "00 02 00 0a 00 03 00 01 52 55 0a 00 02 03")) { // another server
            assertThat(handle(request(option), out)).as(option).isEqualTo(Dhcpv6Server.NO_REPLY);
        }
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(0, 5, 0));
    }

    @Test
    void dropsAnOddOptionRequestAnOverlongClientIdentifierAndLyingLengths() {
        ByteBuffer out = ByteBuffer.allocate(2048);
        assertThat(handle(request("00 06 00 03 00 17 00"), out)).isEqualTo(Dhcpv6Server.NO_REPLY);
        ByteBuffer longId = ByteBuffer.allocate(4 + 4 + 257);
        longId.put(0, request("00 01 01 01"));
        assertThat(handle(longId.array(), out)).isEqualTo(Dhcpv6Server.NO_REPLY);
        ByteBuffer longestId = ByteBuffer.allocate(4 + 4 + 256);
        longestId.put(0, request("00 01 01 00"));
        assertThat(handle(longestId.array(), out)).isEqualTo(4 + 4 + 256 + 14);
        assertThat(handle(request("00 01 00 0b 00 03 00 01 52 54 00 12 34 56"), out)).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(request("00 06 00"), out)).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(hex("0b 01 02"), out)).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(5, 0, 0, 1, 0, 0, 0, 0, 0));
    }

    @Test
    void countsAReplyThatDoesNotFitTheBuffer() {
        byte[] in = informationRequest();
        ByteBuffer out = ByteBuffer.allocate(REPLY.length - 1);
        assertThat(handle(in, out)).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(server.handle(ByteBuffer.wrap(in), 0, in.length, ByteBuffer.allocate(200), 199))
                .isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(0, 0, 2));
        assertThatThrownBy(() -> server.handle(ByteBuffer.wrap(in), 0, in.length,
                ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesSettingsItCannotSend() {
        assertThatThrownBy(() -> new Dhcpv6Settings(IpAddress.parse("10.0.2.3"), List.of(), null, SERVER_MAC))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Dhcpv6Settings(null, List.of("a..b"), null, SERVER_MAC))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Dhcpv6Settings(null, List.of(), "tftp://[fec0::2]/a file", SERVER_MAC))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Dhcpv6Settings(null, List.of(), "", SERVER_MAC))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Dhcpv6Settings(null, List.of(), null, 1L << 48))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Dhcpv6Settings.tftpBootFileUrl(IpAddress.parse("10.0.2.2"), "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverThrowsOnCorruptedRequestsAndEveryReplyParsesBack() {
        Random random = new Random(8415);
        Dhcpv6Server full = new Dhcpv6Server(new Dhcpv6Settings(IpAddress.parse("fec0::3"), List.of("vnet.test"),
                Dhcpv6Settings.tftpBootFileUrl(IpAddress.parse("fec0::2"), "pxelinux.0"), SERVER_MAC));
        ByteBuffer out = ByteBuffer.allocate(full.maxReplyLength());
        Dhcpv6Message reply = new Dhcpv6Message();
        Dhcpv6Options options = new Dhcpv6Options();
        int answered = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = Arrays.copyOf(request("00 01 00 0a 00 03 00 01 52 54 00 12 34 56 00 06 00 06 00 17 00 18 00 3b"
                    + " 00 08 00 02 00 00"), 4 + 38 + random.nextInt(8));
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                bytes[random.nextInt(bytes.length)] = (byte) (random.nextBoolean() ? random.nextInt(256) : random.nextInt(8));
            }
            int length = random.nextInt(bytes.length + 1);
            int[] n = new int[1];
            assertThatCode(() -> n[0] = full.handle(ByteBuffer.wrap(bytes), 0, length, out, 0)).doesNotThrowAnyException();
            if (n[0] == Dhcpv6Server.NO_REPLY) {
                continue;
            }
            answered++;
            assertThat(reply.wrap(out, 0, n[0]).check()).isEqualTo(WireError.NONE);
            assertThat(reply.msgType()).isEqualTo(Dhcpv6MessageType.REPLY);
            assertThat(reply.transactionId()).isEqualTo(ByteBuffer.wrap(bytes).getInt(0) & 0xffffff);
            reply.options(options);
            boolean serverId = false;
            while (options.next()) {
                serverId |= options.code() == Dhcpv6Option.SERVERID;
            }
            assertThat(serverId).isTrue();
        }
        assertThat(answered).as("some corrupted requests are still answered").isGreaterThan(1000);
    }

    @Test
    void answersWithoutAllocating() {
        byte[] in = informationRequest();
        ByteBuffer request = ByteBuffer.wrap(in);
        ByteBuffer out = ByteBuffer.allocate(server.maxReplyLength());
        long sum = 0;
        for (int i = 0; i < 10_000; i++) {
            sum += server.handle(request, 0, in.length, out, 0);
        }
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            sum += server.handle(request, 0, in.length, out, 0);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - start;
        assertThat(sum).isEqualTo(20_000L * REPLY.length);
        assertThat(allocated).isLessThan(16 * 1024);
    }
}
