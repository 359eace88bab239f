package io.vnet4j.usernet.dhcp;

import static io.vnet4j.usernet.dhcp.Guests.FIRST;
import static io.vnet4j.usernet.dhcp.Guests.GATEWAY;
import static io.vnet4j.usernet.dhcp.Guests.MAC_A;
import static io.vnet4j.usernet.dhcp.Guests.MAC_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What replies carry and where they go: INFORM, BOOTP, option order and size limits, addressing. */
class DhcpRepliesTest {
    private static final int BROADCAST = 0xFFFF_FFFF;
    private final Guests guests = new Guests();

    /** The option codes of a reply in the order written, pads skipped, up to the end option. */
    private static List<Integer> codes(DhcpMessage reply) {
        ByteBuffer buf = reply.buffer();
        List<Integer> codes = new ArrayList<>();
        int at = reply.offset() + DhcpMessage.MIN_LENGTH;
        while ((buf.get(at) & 0xFF) != DhcpOption.END) {
            int code = buf.get(at) & 0xFF;
            if (code == DhcpOption.PAD) {
                at++;
                continue;
            }
            codes.add(code);
            at += 2 + (buf.get(at + 1) & 0xFF);
        }
        return codes;
    }

    /** The four-byte value of the reply's option {@code code}, -1 when the reply has none. */
    private static long intOption(DhcpMessage reply, int code) {
        ByteBuffer buf = reply.buffer();
        int at = reply.offset() + DhcpMessage.MIN_LENGTH;
        while ((buf.get(at) & 0xFF) != DhcpOption.END) {
            if ((buf.get(at) & 0xFF) == code) {
                return buf.getInt(at + 2) & 0xFFFF_FFFFL;
            }
            at += buf.get(at) == DhcpOption.PAD ? 1 : 2 + (buf.get(at + 1) & 0xFF);
        }
        return -1;
    }

    /**
     * An OFFER and an ACK carry T1 and T2 (options 58, 59) right after the lease time, at RFC 2131 section 4.4.5's
     * 0.5 and 0.875 of the lease, as dnsmasq's rfc2131.c writes them (HP JetDirect takes no OFFER without them);
     * an infinite lease has neither, nor has an INFORM's ACK.
     */
    @Test
    void anOfferAndAnAckSayT1AndT2AfterTheLeaseTime() {
        DhcpMessage offer = guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A));
        assertThat(intOption(offer, DhcpOption.RENEWAL_TIME)).isEqualTo(43_200);
        assertThat(intOption(offer, DhcpOption.REBINDING_TIME)).isEqualTo(75_600);
        DhcpMessage ack = guests.send(ClientMessage.dhcp(DhcpMessageType.REQUEST, MAC_A).requested(FIRST));
        assertThat(codes(ack)).containsSubsequence(DhcpOption.LEASE_TIME, DhcpOption.RENEWAL_TIME, DhcpOption.REBINDING_TIME);
        assertThat(intOption(ack, DhcpOption.RENEWAL_TIME)).isEqualTo(43_200);
        DhcpMessage inform = guests.send(ClientMessage.dhcp(DhcpMessageType.INFORM, MAC_A).ciaddr(FIRST));
        assertThat(codes(inform)).doesNotContain(DhcpOption.RENEWAL_TIME, DhcpOption.REBINDING_TIME);

        DhcpSettings d = DhcpSettings.qemuDefaults();
        Guests forever = new Guests(new DhcpSettings(d.network(), d.prefixLength(), d.router(), d.dnsServer(),
                d.firstAddress(), DhcpSettings.INFINITE_LEASE, null, List.of(), null, null, null, 0, Map.of(), Set.of()));
        DhcpMessage permanent = forever.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A));
        assertThat(intOption(permanent, DhcpOption.LEASE_TIME)).isEqualTo(DhcpSettings.INFINITE_LEASE);
        assertThat(codes(permanent)).doesNotContain(DhcpOption.RENEWAL_TIME, DhcpOption.REBINDING_TIME);
    }

    private static DhcpSettings withOptional(String domain, List<String> search, String bootfile) {
        DhcpSettings d = DhcpSettings.qemuDefaults();
        return new DhcpSettings(d.network(), d.prefixLength(), d.router(), d.dnsServer(), d.firstAddress(),
                d.leaseSeconds(), domain, search, null, null, bootfile, 0, Map.of(), Set.of());
    }

    /**
     * A DISCOVER with a one-byte client identifier and an empty parameter request list gets its OFFER, the two
     * options read as absent (the lease keyed by the MAC, the default options), as dnsmasq answers it; the whole
     * message was dropped as malformed before.
     */
    @Test
    void offersToADiscoverWhoseClientIdentifierAndRequestListAreTooShortToRead() {
        DhcpMessage offer = guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A)
                .option(DhcpOption.CLIENT_IDENTIFIER, 1).option(DhcpOption.PARAMETER_REQUEST_LIST));
        assertThat(offer.messageType()).isEqualTo(DhcpMessageType.OFFER);
        assertThat(offer.yiaddr()).isEqualTo(FIRST);
        assertThat(guests.server.counters().malformed()).isZero();
    }

    @Test
    void answersAnInformWithConfigurationButNoAddressOrLeaseByUnicast() {
        int client = Ipv4Address.parse("10.0.2.77");
        DhcpMessage ack = guests.send(ClientMessage.dhcp(DhcpMessageType.INFORM, MAC_A).ciaddr(client));
        assertThat(ack.messageType()).isEqualTo(DhcpMessageType.ACK);
        assertThat(ack.yiaddr()).isZero();
        assertThat(ack.ciaddr()).isEqualTo(client);
        assertThat(codes(ack)).containsExactly(53, 54, 1, 3, 6);
        assertThat(guests.reply.destinationAddress()).isEqualTo(client);
        assertThat(guests.reply.destinationMac()).isEqualTo(MAC_A);
        assertThat(guests.server.leases()).isEmpty();
    }

    /**
     * RFC 6842: a server MUST echo the client identifier (option 61) in its OFFER, ACK and NAK, so that a client on
     * a link where chaddr does not tell clients apart takes only its own replies, and a client that checks it (openSUSE's
     * wicked, RFC 6842's "MUST compare") is not left to guess. dnsmasq and ISC dhcpd echo it; vnet4j left it out, as
     * libslirp does, for every client that sent one (dhcpcd, systemd-networkd, NetworkManager, busybox udhcpc).
     */
    @Test
    void echoesTheClientIdentifierInTheOfferTheAckTheNakAndTheInformAck() {
        int[] duidId = {0xff, 0x8f, 0x17, 0x12, 0x80, 0x00, 0x02, 0x00, 0x00, 0xab, 0x11, 0x00, 0x33, 0xbd, 0xeb, 0xf9, 0x5e, 0x19, 0x2c};
        byte[] expected = new byte[duidId.length];
        for (int i = 0; i < duidId.length; i++) {
            expected[i] = (byte) duidId[i];
        }
        DhcpMessage offer = guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A).option(DhcpOption.CLIENT_IDENTIFIER, duidId));
        assertThat(offer.clientIdentifier()).isEqualTo(expected);
        DhcpMessage ack = guests.send(ClientMessage.dhcp(DhcpMessageType.REQUEST, MAC_A).requested(FIRST).serverId(GATEWAY)
                .option(DhcpOption.CLIENT_IDENTIFIER, duidId));
        assertThat(ack.messageType()).isEqualTo(DhcpMessageType.ACK);
        assertThat(ack.clientIdentifier()).isEqualTo(expected);
        DhcpMessage nak = guests.send(ClientMessage.dhcp(DhcpMessageType.REQUEST, MAC_A).requested(Ipv4Address.parse("10.0.3.15"))
                .option(DhcpOption.CLIENT_IDENTIFIER, duidId));
        assertThat(nak.messageType()).isEqualTo(DhcpMessageType.NAK);
        assertThat(nak.clientIdentifier()).isEqualTo(expected);
        DhcpMessage informAck = guests.send(ClientMessage.dhcp(DhcpMessageType.INFORM, MAC_A).ciaddr(FIRST)
                .option(DhcpOption.CLIENT_IDENTIFIER, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56));
        assertThat(informAck.clientIdentifier()).containsExactly(1, 0x52, 0x54, 0, 0x12, 0x34, 0x56);
        DhcpMessage withoutOne = guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A));
        assertThat(withoutOne.clientIdentifier()).isNull();
    }

    @Test
    void withoutADnsServerOption6IsLeftOut() {
        DhcpSettings d = DhcpSettings.qemuDefaults();
        Guests noDns = new Guests(new DhcpSettings(d.network(), d.prefixLength(), d.router(), DhcpSettings.NO_DNS_SERVER,
                d.firstAddress(), d.leaseSeconds(), null, List.of(), null, null, null, 0, Map.of(), Set.of()));
        DhcpMessage ack = noDns.send(ClientMessage.dhcp(DhcpMessageType.INFORM, MAC_A).ciaddr(Ipv4Address.parse("10.0.2.77")));
        assertThat(codes(ack)).containsExactly(53, 54, 1, 3);
    }

    @Test
    void answersPlainBootpWithAPermanentLeaseAndNoDhcpOptions() {
        Guests bootp = new Guests(withOptional(null, List.of(), "pxelinux.0"));
        DhcpMessage reply = bootp.send(ClientMessage.bootp(MAC_A));
        assertThat(reply.op()).isEqualTo(DhcpMessage.OP_REPLY);
        assertThat(reply.yiaddr()).isEqualTo(FIRST);
        assertThat(reply.siaddr()).isEqualTo(GATEWAY);
        assertThat(reply.file()).isEqualTo("pxelinux.0");
        assertThat(reply.length()).isEqualTo(ReplyWriter.MIN_REPLY_LENGTH);
        assertThat(codes(reply)).containsExactly(1, 3, 6, 67);
        assertThat(bootp.reply.messageType()).isEqualTo(DhcpMessageType.NONE);
        assertThat(bootp.server.leases().getFirst().expiresAtMillis()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void answersAnRfc951ClientWithoutTheMagicCookie() {
        Guests bootp = new Guests(withOptional(null, List.of(), "pxelinux.0"));
        DhcpMessage reply = bootp.send(ClientMessage.rfc951(MAC_A));
        assertThat(reply).isNotNull();
        assertThat(reply.op()).isEqualTo(DhcpMessage.OP_REPLY);
        assertThat(reply.yiaddr()).isEqualTo(FIRST);
        assertThat(reply.file()).isEqualTo("pxelinux.0");
        assertThat(reply.length()).isGreaterThanOrEqualTo(ReplyWriter.MIN_REPLY_LENGTH);
        assertThat(bootp.reply.messageType()).isEqualTo(DhcpMessageType.NONE);
        assertThat(bootp.server.leases().getFirst().infinite()).isTrue();
        assertThat(bootp.server.counters()).isEqualTo(new DhcpCounters(0, 0, 0));
    }

    @Test
    void aClientOfferingALargerMessageSizeGetsTheOptionsThatDoNotFit548Bytes() {
        List<String> search = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            search.add("d" + i + ".example" + i + ".test");
        }
        DhcpSettings settings = withOptional("vnet.test", search, null);
        Guests many = new Guests(settings);
        assertThat(many.server.bytesOverSmallestReply()).isPositive();
        ByteBuffer big = ByteBuffer.allocate(1472);
        int length = many.server.handle(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A)
                .option(DhcpOption.MAX_MESSAGE_SIZE, 0x05, 0xDC).build(), 0, ClientMessage.LENGTH, many.now, big, many.reply);
        DhcpMessage offer = new DhcpMessage().wrap(big, 0, length);
        assertThat(offer.check()).isEqualTo(WireError.NONE);
        assertThat(length).isGreaterThan(ReplyWriter.MAX_REPLY_LENGTH).isLessThanOrEqualTo(1500 - 28);
        assertThat(codes(offer)).contains(DhcpOption.DOMAIN_SEARCH);
    }

    @Test
    void settingsThatFitTheSmallestReplyAreNotReportedAsTooLong() {
        assertThat(guests.server.bytesOverSmallestReply()).isZero();
    }

    @Test
    void putsRequestedOptionsFirstInTheClientsOrder() {
        DhcpMessage offer = guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A)
                .option(DhcpOption.PARAMETER_REQUEST_LIST, 6, 42, 3, 51, 1));
        assertThat(codes(offer)).containsExactly(53, 6, 3, 51, 58, 59, 1, 54);
    }

    /**
     * A client without an address gets its replies broadcast whether or not it set the flag, as from libslirp: old
     * stacks that take no unicast before they have an address and do not say so got none (bluewaysw/pcgeos#768),
     * nor did an RFC 951 client, which predates the flag.
     */
    @Test
    void broadcastsToAClientWithoutAnAddressWhetherOrNotItAsks() {
        DhcpMessage offer = guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A));
        assertThat(offer.broadcast()).isFalse(); // the flags field as the client sent it
        assertThat(guests.reply.destinationAddress()).isEqualTo(BROADCAST);
        assertThat(guests.reply.destinationMac()).isEqualTo(MacAddress.BROADCAST);
        assertThat(guests.reply.clientAddress()).as("not the client's before its ACK").isZero();
        assertThat(guests.reply.clientMac()).isEqualTo(MAC_A);

        guests.send(ClientMessage.dhcp(DhcpMessageType.REQUEST, MAC_A).requested(FIRST));
        assertThat(guests.reply.messageType()).isEqualTo(DhcpMessageType.ACK);
        assertThat(guests.reply.destinationMac()).isEqualTo(MacAddress.BROADCAST);
        assertThat(guests.reply.clientAddress()).isEqualTo(FIRST);

        guests.send(ClientMessage.rfc951(MAC_B));
        assertThat(guests.reply.messageType()).isEqualTo(DhcpMessageType.NONE);
        assertThat(guests.reply.destinationAddress()).isEqualTo(BROADCAST);
        assertThat(guests.reply.destinationMac()).isEqualTo(MacAddress.BROADCAST);
        assertThat(guests.reply.clientMac()).isEqualTo(MAC_B);

        offer = guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A).broadcastFlag());
        assertThat(offer.broadcast()).isTrue();
        assertThat(guests.reply.destinationMac()).isEqualTo(MacAddress.BROADCAST);
    }

    @Test
    void broadcastsAnInformAckWhenTheClientHasNoAddress() {
        guests.send(ClientMessage.dhcp(DhcpMessageType.INFORM, MAC_A));
        assertThat(guests.reply.destinationAddress()).isEqualTo(BROADCAST);
        assertThat(guests.reply.destinationMac()).isEqualTo(MacAddress.BROADCAST);
    }

    @Test
    void splitsASearchListLongerThanOneOptionOverConsecutiveOptions() {
        List<String> search = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            search.add("d" + i + ".example" + i + ".test");
        }
        Guests many = new Guests(withOptional(null, search, null));
        DhcpMessage offer = many.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A));
        assertThat(SearchListEncoder.encode(search)).hasSize(256);
        assertThat(Collections.frequency(codes(offer), DhcpOption.DOMAIN_SEARCH)).isEqualTo(2);
        assertThat(offer.length()).isLessThanOrEqualTo(ReplyWriter.MAX_REPLY_LENGTH);
    }

    @Test
    void dropsAnOptionThatDoesNotFitA576ByteDatagram() {
        List<String> search = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            search.add("d" + i + ".example" + i + ".test");
        }
        Guests many = new Guests(withOptional("vnet.test", search, null));
        DhcpMessage offer = many.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A));
        assertThat(codes(offer)).containsExactly(53, 54, 51, 58, 59, 1, 3, 6, 15);
        assertThat(offer.length()).isEqualTo(ReplyWriter.MIN_REPLY_LENGTH);
    }

    /**
     * A search list that fits 548 bytes alone, asked for before other options (as udhcpc -O search and ISC
     * dhclient ask): it took the room of the lease time, which table 3 requires in an OFFER and ACK, and ISC
     * dhclient refused the server ("no expiry time on offered lease"), and of the MTU the client asked after it.
     * Now the server identifier and lease time always fit, and the search list is what is left out.
     */
    @Test
    void aLongSearchListLeavesRoomForTheLeaseTimeAndServerIdentifierAndGoesFirst() {
        List<String> search = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            search.add("d" + i + "-abcdefghijklmnopqrstuvwxyz.zone" + i + ".example");
        }
        DhcpSettings d = DhcpSettings.qemuDefaults();
        Guests many = new Guests(new DhcpSettings(d.network(), d.prefixLength(), d.router(), d.dnsServer(),
                d.firstAddress(), d.leaseSeconds(), null, search, null, null, null, 1400, Map.of(), Set.of()));
        // udhcpc -O search: 1, 3, 6, 12, 15, 28, 42, 119, and a maximum message size of 576
        DhcpMessage offer = many.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A)
                .option(DhcpOption.MAX_MESSAGE_SIZE, 0x02, 0x40)
                .option(DhcpOption.PARAMETER_REQUEST_LIST, 1, 3, 6, 12, 15, 28, 42, 119));
        assertThat(codes(offer)).contains(DhcpOption.SERVER_IDENTIFIER, DhcpOption.LEASE_TIME, DhcpOption.INTERFACE_MTU);
        assertThat(offer.length()).isLessThanOrEqualTo(ReplyWriter.MAX_REPLY_LENGTH);
        // ISC dhclient: 1, 28, 3, 15, 6, 119, 12, 26, no maximum message size
        DhcpMessage dhclient = many.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A)
                .option(DhcpOption.PARAMETER_REQUEST_LIST, 1, 28, 3, 15, 6, 119, 12, 26));
        assertThat(codes(dhclient)).containsExactly(53, 1, 3, 6, 26, 54, 51, 58, 59);
    }

    /**
     * A search list the client asks for goes in before the options it did not ask for (RFC 2132 section 9.8: the
     * requested ones, in its order): put after them all, it was left out for an unasked-for boot file name and TFTP
     * server name, seen with a client of option 57 = 576 asking 119 first and a 127-character bootfile=.
     */
    @Test
    void aSearchListTheClientAsksForOutranksOptionsItDidNotAskFor() {
        DhcpSettings d = DhcpSettings.qemuDefaults();
        Guests boot = new Guests(new DhcpSettings(d.network(), d.prefixLength(), d.router(), d.dnsServer(),
                d.firstAddress(), d.leaseSeconds(), "d".repeat(50) + ".example", List.of("one.example", "two.example"),
                null, "t".repeat(50) + ".example", "b".repeat(127), 0, Map.of(), Set.of()));
        DhcpMessage offer = boot.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A)
                .option(DhcpOption.MAX_MESSAGE_SIZE, 0x02, 0x40)
                .option(DhcpOption.PARAMETER_REQUEST_LIST, 119, 1, 3, 6, 15));
        assertThat(codes(offer)).startsWith(53, 1, 3, 6, 15, 119).contains(DhcpOption.SERVER_IDENTIFIER, DhcpOption.LEASE_TIME);
        assertThat(offer.length()).isLessThanOrEqualTo(ReplyWriter.MAX_REPLY_LENGTH);
    }

    /** The value of the first option of this code in a reply, null when there is none. */
    private static byte[] value(DhcpMessage reply, int code) {
        ByteBuffer buf = reply.buffer();
        for (int at = reply.offset() + DhcpMessage.MIN_LENGTH; (buf.get(at) & 0xFF) != DhcpOption.END; ) {
            int current = buf.get(at) & 0xFF;
            if (current == DhcpOption.PAD) {
                at++;
                continue;
            }
            byte[] bytes = new byte[buf.get(at + 1) & 0xFF];
            buf.get(at + 2, bytes);
            if (current == code) {
                return bytes;
            }
            at += 2 + bytes.length;
        }
        return null;
    }

    /**
     * PXE firmware reads the boot file name (option 67) and TFTP server name (66) as C strings, on past the option's
     * length: an Intel UNDI PXE 2.1 ROM asked TFTP for "netboot.xyz.efi" and the byte after the option, the end
     * option's 0xff (netbootxyz/netboot.xyz#1198, behind Kea; vnet4j writes 67 last of all, so the end option
     * followed it too). Each value ends with a NUL, as dnsmasq writes them; RFC 2132 section 2 has receivers drop it.
     */
    @Test
    void theBootFileAndTftpServerNamesEndWithANulForFirmwareThatReadsThemAsCStrings() {
        DhcpSettings d = DhcpSettings.qemuDefaults();
        Guests pxe = new Guests(new DhcpSettings(d.network(), d.prefixLength(), d.router(), d.dnsServer(),
                d.firstAddress(), d.leaseSeconds(), null, List.of(), null, "10.0.2.2", "pxelinux.0", 0, Map.of(), Set.of()));
        // an Intel PXE 2.1 ROM's DISCOVER: its parameter request list, vendor class and client architecture (RFC 4578)
        int[] vendorClass = "PXEClient:Arch:00000:UNDI:002001".chars().toArray();
        DhcpMessage offer = pxe.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A)
                .option(DhcpOption.PARAMETER_REQUEST_LIST, 1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41,
                        42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135)
                .option(60, vendorClass)
                .option(93, 0, 0));
        assertThat(offer.messageType()).isEqualTo(DhcpMessageType.OFFER);
        assertThat(value(offer, DhcpOption.BOOTFILE_NAME)).isEqualTo("pxelinux.0\0".getBytes(StandardCharsets.US_ASCII));
        assertThat(value(offer, DhcpOption.TFTP_SERVER_NAME)).isEqualTo("10.0.2.2\0".getBytes(StandardCharsets.US_ASCII));
        assertThat(offer.file()).isEqualTo("pxelinux.0");
        DhcpMessage bootp = pxe.send(ClientMessage.bootp(Guests.MAC_B));
        assertThat(value(bootp, DhcpOption.BOOTFILE_NAME)).endsWith(0);
    }

    @Test
    void ignoresRelayedMessagesMulticastClientsAndUnknownTypes() {
        assertThat(guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A).giaddr(GATEWAY))).isNull();
        assertThat(guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MacAddress.BROADCAST))).isNull();
        assertThat(guests.send(ClientMessage.dhcp(DhcpMessageType.OFFER, MAC_A))).isNull();
        assertThat(guests.send(ClientMessage.dhcp(42, MAC_A))).isNull();
        assertThat(guests.send(ClientMessage.dhcp(DhcpMessageType.REQUEST, MAC_A))).isNull();
        assertThat(guests.server.counters()).isEqualTo(new DhcpCounters(0, 5, 0));
        assertThat(guests.server.leases()).isEmpty();
    }

    @Test
    void refusesAReplyBufferSmallerThanTheMinimumReply() {
        ByteBuffer in = ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A).build();
        assertThatIllegalArgumentException().isThrownBy(() ->
                guests.server.handle(in, 0, in.limit(), 0, ByteBuffer.allocate(299), guests.reply));
    }
}
