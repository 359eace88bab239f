package io.vnet4j.usernet.dhcpv6;

import static io.vnet4j.usernet.dhcpv6.Dhcpv6MessageTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Stateful DHCPv6 (RFC 8415 section 18.3): IA_NA with the guest's MAC in the prefix, as {@link Dhcpv6Pool} says. */
class Dhcpv6StatefulServerTest {
    private static final long SERVER_MAC = 0x5255_0a00_0202L;
    private static final long GUEST_MAC = 0x5254_0012_3456L;
    private static final String SERVER_ID = "00 02 00 0a 00 03 00 01 52 55 0a 00 02 02";
    private static final String OTHER_SERVER_ID = "00 02 00 0a 00 03 00 01 52 55 0a 00 02 03";
    /** dhclient's DUID-LLT for 52:54:00:12:34:56. */
    private static final String CLIENT_ID = "00 01 00 0e 00 01 00 01 32 a9 8f fe 52 54 00 12 34 56";
    private static final String ORO = "00 06 00 04 00 17 00 18";
    private static final String ELAPSED = "00 08 00 02 00 00";
    /** IA_NA, IAID 0x12340001, T1 and T2 0, no addresses. */
    private static final String IA_NA = "00 03 00 0c 12 34 00 01 00 00 00 00 00 00 00 00";
    private static final String GUEST_ADDRESS = "fe c0 00 00 00 00 00 00 00 00 52 54 00 12 34 56";
    private static final String OTHER_ADDRESS = "fe c0 00 00 00 00 00 00 00 00 52 54 00 ab cd ef";
    private static final String OFF_LINK_ADDRESS = "20 01 0d b8 00 00 00 00 00 00 52 54 00 12 34 56";
    private static final String SEARCH = "00 18 00 1a 04 76 6e 65 74 04 74 65 73 74 00 03 6c 61 62 04 76 6e 65 74 04 74 65 73 74 00";
    private static final String DNS = "00 17 00 10 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 03";
    private static final Dhcpv6Pool POOL = new Dhcpv6Pool(IpAddress.parse("fec0::"), 64, 86_400,
            IpAddress.parse("fec0::2"), IpAddress.parse("fec0::3"));
    private static final Dhcpv6Settings SETTINGS = new Dhcpv6Settings(IpAddress.parse("2001:db8:1::3"),
            List.of("vnet.test", "lab.vnet.test"), null, SERVER_MAC, POOL);

    private final Dhcpv6Server server = new Dhcpv6Server(SETTINGS);
    private final ByteBuffer out = ByteBuffer.allocate(server.maxReplyLength());

    /** A message of this type with transaction-id 0x0a0b0c and these options (hex). */
    private static byte[] message(int type, String... options) {
        return hex((String.format("%02x 0a 0b 0c ", type) + String.join(" ", options)).trim().replaceAll(" +", " "));
    }

    /** An IA_NA with IAID 0x12340001 holding these IA Address options. */
    private static String iaNa(String... addresses) {
        return ia(3, "12 34 00 01 00 00 00 00 00 00 00 00", addresses);
    }

    private static String ia(int code, String fixed, String... inner) {
        String data = (fixed + " " + String.join(" ", inner)).trim();
        return String.format("00 %02x %04x ", code, hex(data).length).replaceAll("(\\w\\w)(\\w\\w) $", "$1 $2 ") + data;
    }

    /** An IA Address option with lifetimes 0. */
    private static String iaAddr(String address) {
        return "00 05 00 18 " + address + " 00 00 00 00 00 00 00 00";
    }

    private int handle(byte[] in, long mac, boolean unicast, long now) {
        return server.handle(ByteBuffer.wrap(in), 0, in.length, mac, unicast, now, out, 0);
    }

    private int handle(byte[] in) {
        return handle(in, GUEST_MAC, false, 0);
    }

    private String reply(int n) {
        assertThat(n).isNotEqualTo(Dhcpv6Server.NO_REPLY);
        return HexFormat.ofDelimiter(" ").formatHex(out.array(), 0, n);
    }

    /** The reply's top-level options, each as code and data. */
    private List<Option> options(int n) {
        Dhcpv6Message reply = new Dhcpv6Message();
        assertThat(reply.wrap(out, 0, n).check()).isEqualTo(WireError.NONE);
        return Option.walk(out, reply.optionsOffset(), reply.optionsLength());
    }

    record Option(int code, byte[] data) {
        static List<Option> walk(ByteBuffer buffer, int offset, int length) {
            Dhcpv6Options cursor = new Dhcpv6Options().reset(buffer, offset, length);
            List<Option> all = new ArrayList<>();
            while (cursor.next()) {
                byte[] data = new byte[cursor.dataLength()];
                buffer.get(cursor.dataOffset(), data);
                all.add(new Option(cursor.code(), data));
            }
            assertThat(cursor.error()).isEqualTo(WireError.NONE);
            return all;
        }

        /** The options inside this IA option, after its {@code fixed} bytes. */
        List<Option> inner(int fixed) {
            return walk(ByteBuffer.wrap(data), fixed, data.length - fixed);
        }

        int status() {
            return ByteBuffer.wrap(data).getShort(0);
        }
    }

    private static Option only(List<Option> options, int code) {
        List<Option> found = options.stream().filter(o -> o.code() == code).toList();
        assertThat(found).as("options %d", code).hasSize(1);
        return found.getFirst();
    }

    @Test
    void advertisesTheGuestsAddressByteForByte() {
        byte[] solicit = message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, ORO, ELAPSED, IA_NA);
        ByteBuffer poisoned = ByteBuffer.wrap(new byte[server.maxReplyLength() + 10]);
        Arrays.fill(poisoned.array(), (byte) 0xa5);
        int n = server.handle(ByteBuffer.wrap(solicit), 0, solicit.length, GUEST_MAC, false, 0, poisoned, 5);
        String expected = "02 0a 0b 0c " + CLIENT_ID + " " + SERVER_ID + " 00 07 00 01 ff"
                + " 00 03 00 28 12 34 00 01 00 00 a8 c0 00 01 0e 00" // IAID echoed, T1 43200, T2 69120
                + " 00 05 00 18 " + GUEST_ADDRESS + " 00 01 51 80 00 01 51 80 " + DNS + " " + SEARCH; // a day
        assertThat(HexFormat.ofDelimiter(" ").formatHex(poisoned.array(), 5, 5 + n)).isEqualTo(expected);
        assertThat(Arrays.copyOfRange(poisoned.array(), 0, 5)).containsOnly((byte) 0xa5);
        assertThat(Arrays.copyOfRange(poisoned.array(), 5 + n, poisoned.capacity())).containsOnly((byte) 0xa5);
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(0, 0, 0, 0, 1, 0, 0, 0, 0));
    }

    @Test
    void theAddressIsTheMacInThePrefixNotTheSlaacOne() {
        assertThat(POOL.addressFor(GUEST_MAC)).isEqualTo(IpAddress.parse("fec0::5254:12:3456"));
        assertThat(POOL.addressFor(0x0200_0000_0001L)).isEqualTo(IpAddress.parse("fec0::200:0:1"));
        Dhcpv6Pool wide = new Dhcpv6Pool(IpAddress.parse("2001:db8:1:2:3::"), 80, 3600, IpAddress.parse("2001:db8:1:2:3::2"),
                IpAddress.parse("2001:db8:1:2:3::3"));
        assertThat(wide.addressFor(GUEST_MAC)).isEqualTo(IpAddress.parse("2001:db8:1:2:3:5254:12:3456"));
        assertThat(wide.t1()).isEqualTo(1800);
        assertThat(wide.t2()).isEqualTo(2880);
        Dhcpv6Pool narrow = new Dhcpv6Pool(IpAddress.parse("fec0::"), 81, 3600, IpAddress.parse("fec0::2"),
                IpAddress.parse("fec0::3"));
        assertThat(narrow.addressFor(GUEST_MAC)).as("no room for a MAC").isNull();
        assertThat(POOL.addressFor(0x0100_5e00_0001L)).as("a multicast MAC").isNull();
        assertThat(POOL.addressFor(0)).isNull();
        assertThat(POOL.addressFor(2)).as("the gateway's own address").isNull();
        assertThat(POOL.addressFor(3)).as("the DNS address").isNull();
        assertThatThrownBy(() -> new Dhcpv6Pool(IpAddress.parse("10.0.2.0"), 24, 3600, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Dhcpv6Pool(IpAddress.parse("fec0::"), 64, 0, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSolicitWithRapidCommitGetsAReplyWithRapidCommit() {
        int n = handle(message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, "00 0e 00 00", IA_NA));
        assertThat(reply(n)).isEqualTo("07 0a 0b 0c " + CLIENT_ID + " " + SERVER_ID + " 00 0e 00 00"
                + " 00 03 00 28 12 34 00 01 00 00 a8 c0 00 01 0e 00 00 05 00 18 " + GUEST_ADDRESS + " 00 01 51 80 00 01 51 80");
        assertThat(server.bound()).isEqualTo(1);
        assertThat(server.lastBound()).isEqualTo(IpAddress.parse("fec0::5254:12:3456"));
    }

    @Test
    void requestRenewAndRebindGetTheAddressAndRenewAndRebindEndTheOthers() {
        int n = handle(message(Dhcpv6MessageType.REQUEST, CLIENT_ID, SERVER_ID, IA_NA));
        assertThat(reply(n)).startsWith("07 0a 0b 0c").endsWith("00 05 00 18 " + GUEST_ADDRESS + " 00 01 51 80 00 01 51 80");
        for (int type : new int[] {Dhcpv6MessageType.RENEW, Dhcpv6MessageType.REBIND}) {
            String serverId = type == Dhcpv6MessageType.RENEW ? SERVER_ID : "";
            n = handle(message(type, CLIENT_ID, serverId, iaNa(iaAddr(GUEST_ADDRESS), iaAddr(OTHER_ADDRESS))));
            Option iaNa = only(options(n), Dhcpv6Option.IA_NA);
            List<Option> inner = iaNa.inner(12);
            assertThat(inner).extracting(Option::code).containsExactly(Dhcpv6Option.IAADDR, Dhcpv6Option.IAADDR);
            assertThat(HexFormat.ofDelimiter(" ").formatHex(inner.get(0).data()))
                    .isEqualTo(GUEST_ADDRESS + " 00 01 51 80 00 01 51 80");
            assertThat(HexFormat.ofDelimiter(" ").formatHex(inner.get(1).data()))
                    .as("an address it does not give: lifetimes 0").isEqualTo(OTHER_ADDRESS + " 00 00 00 00 00 00 00 00");
        }
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(0, 0, 0, 0, 0, 1, 2, 0, 0));
    }

    @Test
    void onlyTheFirstIaNaGetsTheAddressAndIaTaAndIaPdAreRefused() {
        String secondIaNa = ia(3, "00 00 00 02 00 00 00 00 00 00 00 00");
        String iaTa = ia(4, "00 00 00 03");
        String iaPd = ia(25, "00 00 00 04 00 00 00 00 00 00 00 00");
        int n = handle(message(Dhcpv6MessageType.REQUEST, CLIENT_ID, SERVER_ID, IA_NA, secondIaNa, iaTa, iaPd));
        List<Option> ias = options(n).stream().filter(o -> o.code() != 1 && o.code() != 2).toList();
        assertThat(ias).extracting(Option::code).containsExactly(3, 3, 4, 25);
        assertThat(ias.get(0).inner(12)).extracting(Option::code).containsExactly(Dhcpv6Option.IAADDR);
        assertThat(HexFormat.of().formatHex(ias.get(1).data(), 0, 12)).isEqualTo("000000020000000000000000");
        assertThat(only(ias.get(1).inner(12), Dhcpv6Option.STATUS_CODE).status()).isEqualTo(Dhcpv6Status.NO_ADDRS_AVAIL);
        assertThat(HexFormat.of().formatHex(ias.get(2).data(), 0, 4)).isEqualTo("00000003");
        assertThat(only(ias.get(2).inner(4), Dhcpv6Option.STATUS_CODE).status()).isEqualTo(Dhcpv6Status.NO_ADDRS_AVAIL);
        assertThat(only(ias.get(3).inner(12), Dhcpv6Option.STATUS_CODE).status()).isEqualTo(Dhcpv6Status.NO_PREFIX_AVAIL);
    }

    @Test
    void aGuestWithNoAddressToGiveGetsNoAddrsAvailWithT1AndT2Zero() {
        Dhcpv6Server narrow = new Dhcpv6Server(new Dhcpv6Settings(null, List.of(), null, SERVER_MAC,
                new Dhcpv6Pool(IpAddress.parse("fec0::"), 96, 86_400, IpAddress.parse("fec0::2"), IpAddress.parse("fec0::3"))));
        byte[] in = message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, IA_NA);
        int n = narrow.handle(ByteBuffer.wrap(in), 0, in.length, GUEST_MAC, false, 0, out, 0);
        assertThat(reply(n)).isEqualTo("02 0a 0b 0c " + CLIENT_ID + " " + SERVER_ID + " 00 07 00 01 ff"
                + " 00 03 00 2c 12 34 00 01 00 00 00 00 00 00 00 00 00 0d 00 1c 00 02"
                + " 6e 6f 20 61 64 64 72 65 73 73 20 66 6f 72 20 74 68 69 73 20 63 6c 69 65 6e 74"); // "no address for this client"
        assertThat(narrow.counters().advertised()).isZero();
    }

    @Test
    void checksTheServerIdentifierAndTheClientIdentifierAsSection16Says() {
        assertThat(handle(message(Dhcpv6MessageType.REQUEST, CLIENT_ID, OTHER_SERVER_ID, IA_NA))).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.REQUEST, CLIENT_ID, IA_NA))).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.RENEW, CLIENT_ID, OTHER_SERVER_ID, IA_NA))).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.RENEW, CLIENT_ID, SERVER_ID, OTHER_SERVER_ID, IA_NA)))
                .as("two identifiers, one another server's").isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.RELEASE, CLIENT_ID, OTHER_SERVER_ID, iaNa(iaAddr(GUEST_ADDRESS)))))
                .isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.DECLINE, CLIENT_ID, iaNa(iaAddr(GUEST_ADDRESS))))).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, SERVER_ID, IA_NA))).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.REBIND, CLIENT_ID, SERVER_ID, IA_NA))).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.CONFIRM, CLIENT_ID, SERVER_ID, iaNa(iaAddr(GUEST_ADDRESS)))))
                .isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.SOLICIT, IA_NA))).as("no client identifier").isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.REQUEST, "00 01 00 00", SERVER_ID, IA_NA))).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(0, 11, 0));
        assertThat(handle(message(Dhcpv6MessageType.REQUEST, CLIENT_ID, SERVER_ID, SERVER_ID, IA_NA))).isPositive();
    }

    @Test
    void messagesToTheUnicastAddressGetUseMulticastOrNothing() {
        for (int type : new int[] {Dhcpv6MessageType.REQUEST, Dhcpv6MessageType.RENEW, Dhcpv6MessageType.RELEASE,
                Dhcpv6MessageType.DECLINE}) {
            int n = handle(message(type, CLIENT_ID, SERVER_ID, ORO, iaNa(iaAddr(GUEST_ADDRESS))), GUEST_MAC, true, 0);
            assertThat(reply(n)).as("type %d", type).isEqualTo("07 0a 0b 0c " + CLIENT_ID + " " + SERVER_ID
                    + " 00 0d 00 13 00 05 73 65 6e 64 20 74 6f 20 66 66 30 32 3a 3a 31 3a 32"); // "send to ff02::1:2"
        }
        assertThat(handle(message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, IA_NA), GUEST_MAC, true, 0)).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.REBIND, CLIENT_ID, IA_NA), GUEST_MAC, true, 0)).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.CONFIRM, CLIENT_ID, iaNa(iaAddr(GUEST_ADDRESS))), GUEST_MAC, true, 0))
                .isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(handle(message(Dhcpv6MessageType.INFORMATION_REQUEST, CLIENT_ID, ORO), GUEST_MAC, true, 0))
                .as("an Information-request, RFC 8415 section 16").isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(0, 4, 0));
        assertThat(handle(message(Dhcpv6MessageType.INFORMATION_REQUEST, CLIENT_ID, ORO), GUEST_MAC, false, 0)).isPositive();
    }

    @Test
    void confirmSaysWhetherTheAddressesAreOnTheLink() {
        int n = handle(message(Dhcpv6MessageType.CONFIRM, CLIENT_ID, iaNa(iaAddr(GUEST_ADDRESS), iaAddr(OTHER_ADDRESS))));
        assertThat(options(n)).extracting(Option::code).containsExactly(1, 2, 13);
        assertThat(only(options(n), Dhcpv6Option.STATUS_CODE).status()).isEqualTo(Dhcpv6Status.SUCCESS);
        n = handle(message(Dhcpv6MessageType.CONFIRM, CLIENT_ID, iaNa(iaAddr(GUEST_ADDRESS)), ia(4, "00 00 00 09", iaAddr(OFF_LINK_ADDRESS))));
        assertThat(only(options(n), Dhcpv6Option.STATUS_CODE).status()).isEqualTo(Dhcpv6Status.NOT_ON_LINK);
        assertThat(handle(message(Dhcpv6MessageType.CONFIRM, CLIENT_ID, IA_NA))).as("no addresses: no answer")
                .isEqualTo(Dhcpv6Server.NO_REPLY);
    }

    @Test
    void releaseSucceedsAndAnIaWithoutTheGuestsAddressHasNoBinding() {
        int n = handle(message(Dhcpv6MessageType.RELEASE, CLIENT_ID, SERVER_ID, iaNa(iaAddr(GUEST_ADDRESS))));
        assertThat(reply(n)).isEqualTo("07 0a 0b 0c " + CLIENT_ID + " " + SERVER_ID + " 00 0d 00 06 00 00 64 6f 6e 65");
        assertThat(server.counters().released()).isEqualTo(1);
        n = handle(message(Dhcpv6MessageType.RELEASE, CLIENT_ID, SERVER_ID, iaNa(iaAddr(OTHER_ADDRESS))));
        List<Option> options = options(n);
        assertThat(only(options, Dhcpv6Option.STATUS_CODE).status()).isEqualTo(Dhcpv6Status.SUCCESS);
        Option ia = only(options, Dhcpv6Option.IA_NA);
        assertThat(HexFormat.of().formatHex(ia.data(), 0, 12)).isEqualTo("123400010000000000000000");
        assertThat(only(ia.inner(12), Dhcpv6Option.STATUS_CODE).status()).isEqualTo(Dhcpv6Status.NO_BINDING);
        assertThat(ia.inner(12)).hasSize(1);
        n = handle(message(Dhcpv6MessageType.RELEASE, CLIENT_ID, SERVER_ID, iaNa(iaAddr(GUEST_ADDRESS))), 0x5254_00ab_cdefL, false, 0);
        assertThat(only(only(options(n), Dhcpv6Option.IA_NA).inner(12), Dhcpv6Option.STATUS_CODE).status())
                .as("another guest's address").isEqualTo(Dhcpv6Status.NO_BINDING);
        assertThat(server.counters().released()).isEqualTo(1);
    }

    @Test
    void aDeclinedAddressIsNotGivenToThatGuestForTenMinutes() {
        long now = 1_000_000;
        int n = handle(message(Dhcpv6MessageType.DECLINE, CLIENT_ID, SERVER_ID, iaNa(iaAddr(GUEST_ADDRESS))), GUEST_MAC, false, now);
        assertThat(only(options(n), Dhcpv6Option.STATUS_CODE).status()).isEqualTo(Dhcpv6Status.SUCCESS);
        assertThat(server.declined()).isEqualTo(1);
        assertThat(server.lastDeclined()).isEqualTo(IpAddress.parse("fec0::5254:12:3456"));

        n = handle(message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, IA_NA), GUEST_MAC, false, now + 1000);
        Option ia = only(options(n), Dhcpv6Option.IA_NA);
        assertThat(ia.inner(12)).extracting(Option::code).containsExactly(Dhcpv6Option.STATUS_CODE);
        assertThat(ia.inner(12).getFirst().status()).isEqualTo(Dhcpv6Status.NO_ADDRS_AVAIL);
        n = handle(message(Dhcpv6MessageType.RENEW, CLIENT_ID, SERVER_ID, iaNa(iaAddr(GUEST_ADDRESS))), GUEST_MAC, false, now + 1000);
        assertThat(HexFormat.ofDelimiter(" ").formatHex(only(options(n), Dhcpv6Option.IA_NA).inner(12).getFirst().data()))
                .as("the held address ends at once").isEqualTo(GUEST_ADDRESS + " 00 00 00 00 00 00 00 00");
        n = handle(message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, IA_NA), 0x5254_00ab_cdefL, false, now + 1000);
        assertThat(only(options(n), Dhcpv6Option.IA_NA).inner(12)).as("other guests are not held")
                .extracting(Option::code).containsExactly(Dhcpv6Option.IAADDR);

        n = handle(message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, IA_NA), GUEST_MAC, false, now + Dhcpv6Server.DECLINE_HOLD_MILLIS);
        assertThat(only(options(n), Dhcpv6Option.IA_NA).inner(12)).extracting(Option::code).containsExactly(Dhcpv6Option.IAADDR);
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(0, 0, 0, 0, 2, 0, 0, 0, 1));
    }

    @Test
    void holdsAtMostSoManyDeclinedGuestsTheOldestLeavingFirst() {
        for (long mac = 1; mac <= Dhcpv6Server.MAX_HELD + 1; mac++) {
            String address = String.format("fe c0 00 00 00 00 00 00 00 00 52 54 %02x %02x %02x %02x",
                    (mac >> 24) & 0xff, (mac >> 16) & 0xff, (mac >> 8) & 0xff, mac & 0xff);
            handle(message(Dhcpv6MessageType.DECLINE, CLIENT_ID, SERVER_ID, iaNa(iaAddr(address))), 0x5254_0000_0000L | mac, false, 0);
        }
        assertThat(server.declined()).isEqualTo(Dhcpv6Server.MAX_HELD + 1);
        int n = handle(message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, IA_NA), 0x5254_0000_0001L, false, 1);
        assertThat(only(options(n), Dhcpv6Option.IA_NA).inner(12)).extracting(Option::code).containsExactly(Dhcpv6Option.IAADDR);
        n = handle(message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, IA_NA), 0x5254_0000_0002L, false, 1);
        assertThat(only(options(n), Dhcpv6Option.IA_NA).inner(12)).extracting(Option::code).containsExactly(Dhcpv6Option.STATUS_CODE);
    }

    @Test
    void dropsTruncatedAndLyingIaOptions() {
        List<String> bad = List.of(
                "00 03 00 0b 12 34 00 01 00 00 00 00 00 00 00", // IA_NA shorter than IAID, T1, T2
                "00 04 00 03 00 00 01", // IA_TA shorter than its IAID
                "00 19 00 08 00 00 00 01 00 00 00 00", // IA_PD without T2
                ia(3, "12 34 00 01 00 00 00 00 00 00 00 00", "00 05 00 17 " + GUEST_ADDRESS + " 00 00 00 00 00 00 00"), // IAADDR of 23
                ia(3, "12 34 00 01 00 00 00 00 00 00 00 00", "00 05 00 19 " + GUEST_ADDRESS + " 00 00 00 00 00 00 00 00"), // runs past the IA
                ia(3, "12 34 00 01 00 00 00 00 00 00 00 00", "00 05 00"), // a header cut short
                ia(4, "00 00 00 03", "00 0d 00 02 00"), // a status code running past the IA_TA
                "00 0e 00 01 00"); // rapid commit with data
        for (String option : bad) {
            assertThat(handle(message(Dhcpv6MessageType.REQUEST, CLIENT_ID, SERVER_ID, option))).as(option)
                    .isEqualTo(Dhcpv6Server.NO_REPLY);
        }
        // the IA_NA claims 4 bytes more than the message holds: the message's own check refuses it
        byte[] lying = message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, IA_NA);
        ByteBuffer.wrap(lying).putShort(4 + 18 + 2, (short) 16);
        assertThat(handle(lying)).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(server.counters()).isEqualTo(new Dhcpv6Counters(bad.size() + 1, 0, 0));
        // an IA Address past the end of an IA whose length is right is a malformed IA, not a message cut short
        assertThat(handle(message(Dhcpv6MessageType.REQUEST, CLIENT_ID, SERVER_ID, ia(3, "12 34 00 01 00 00 00 00 00 00 00 00",
                "00 05 00 18 " + GUEST_ADDRESS + " 00 00 00 00 00 00 00 00", "00 0d 00 00"))))
                .as("well-formed: an empty status code beside the address").isPositive();
    }

    @Test
    void dropsMoreIasOrAddressesThanItTakes() {
        String nine = String.join(" ", java.util.Collections.nCopies(Dhcpv6Request.MAX_IAS + 1, IA_NA));
        assertThat(handle(message(Dhcpv6MessageType.REQUEST, CLIENT_ID, SERVER_ID, nine))).isEqualTo(Dhcpv6Server.NO_REPLY);
        String eight = String.join(" ", java.util.Collections.nCopies(Dhcpv6Request.MAX_IAS, IA_NA));
        assertThat(handle(message(Dhcpv6MessageType.REQUEST, CLIENT_ID, SERVER_ID, eight))).isPositive();
        String[] addresses = new String[Dhcpv6Request.MAX_ADDRESSES + 1];
        Arrays.fill(addresses, iaAddr(OTHER_ADDRESS));
        assertThat(handle(message(Dhcpv6MessageType.RENEW, CLIENT_ID, SERVER_ID, iaNa(addresses)))).isEqualTo(Dhcpv6Server.NO_REPLY);
        int n = handle(message(Dhcpv6MessageType.RENEW, CLIENT_ID, SERVER_ID, iaNa(Arrays.copyOf(addresses, Dhcpv6Request.MAX_ADDRESSES))));
        assertThat(only(options(n), Dhcpv6Option.IA_NA).inner(12)).hasSize(Dhcpv6Request.MAX_ADDRESSES + 1);
        assertThat(server.counters().malformed()).isEqualTo(2);
    }

    @Test
    void aStatelessServerIgnoresStatefulMessagesAsLibslirp() {
        Dhcpv6Server stateless = new Dhcpv6Server(new Dhcpv6Settings(null, List.of(), null, SERVER_MAC));
        byte[] in = message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, IA_NA);
        assertThat(stateless.handle(ByteBuffer.wrap(in), 0, in.length, GUEST_MAC, false, 0, out, 0)).isEqualTo(Dhcpv6Server.NO_REPLY);
        assertThat(stateless.counters()).isEqualTo(new Dhcpv6Counters(0, 1, 0));
    }

    @Test
    void neverThrowsOnCorruptedStatefulMessagesAndEveryAnswerParsesBackAndFits() {
        Random random = new Random(8415);
        List<byte[]> seeds = List.of(message(Dhcpv6MessageType.SOLICIT, CLIENT_ID, ORO, "00 0e 00 00", IA_NA, ia(4, "00 00 00 03")),
                message(Dhcpv6MessageType.RENEW, CLIENT_ID, SERVER_ID, ORO, iaNa(iaAddr(GUEST_ADDRESS), iaAddr(OTHER_ADDRESS))),
                message(Dhcpv6MessageType.CONFIRM, CLIENT_ID, iaNa(iaAddr(GUEST_ADDRESS))),
                message(Dhcpv6MessageType.DECLINE, CLIENT_ID, SERVER_ID, iaNa(iaAddr(GUEST_ADDRESS)), ia(25, "00 00 00 04 00 00 00 00 00 00 00 00")));
        Dhcpv6Message reply = new Dhcpv6Message();
        int answered = 0;
        for (int i = 0; i < 40_000; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            byte[] bytes = Arrays.copyOf(seed, seed.length + random.nextInt(8));
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                bytes[random.nextInt(bytes.length)] = (byte) (random.nextBoolean() ? random.nextInt(256) : random.nextInt(8));
            }
            int length = random.nextInt(bytes.length + 1);
            boolean unicast = random.nextInt(8) == 0;
            int[] n = new int[1];
            assertThatCode(() -> n[0] = server.handle(ByteBuffer.wrap(bytes), 0, length, GUEST_MAC, unicast, 0, out, 0))
                    .doesNotThrowAnyException();
            if (n[0] == Dhcpv6Server.NO_REPLY) {
                continue;
            }
            answered++;
            assertThat(n[0]).isLessThanOrEqualTo(server.maxReplyLength());
            assertThat(reply.wrap(out, 0, n[0]).check()).isEqualTo(WireError.NONE);
            assertThat(reply.msgType()).isIn(Dhcpv6MessageType.ADVERTISE, Dhcpv6MessageType.REPLY);
            assertThat(reply.transactionId()).isEqualTo(ByteBuffer.wrap(bytes).getInt(0) & 0xffffff);
            List<Option> options = options(n[0]);
            only(options, Dhcpv6Option.SERVERID);
            only(options, Dhcpv6Option.CLIENTID);
            for (Option o : options) {
                if (o.code() == Dhcpv6Option.IA_NA || o.code() == Dhcpv6Option.IA_PD) {
                    o.inner(12);
                } else if (o.code() == Dhcpv6Option.IA_TA) {
                    o.inner(4);
                }
            }
        }
        assertThat(answered).as("some corrupted messages are still answered").isGreaterThan(500);
    }
}
