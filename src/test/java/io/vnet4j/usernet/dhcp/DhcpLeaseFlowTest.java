package io.vnet4j.usernet.dhcp;

import static io.vnet4j.usernet.dhcp.Guests.DAY_MILLIS;
import static io.vnet4j.usernet.dhcp.Guests.FIRST;
import static io.vnet4j.usernet.dhcp.Guests.GATEWAY;
import static io.vnet4j.usernet.dhcp.Guests.MAC_A;
import static io.vnet4j.usernet.dhcp.Guests.MAC_B;
import static io.vnet4j.usernet.dhcp.Guests.MAC_C;
import static io.vnet4j.usernet.dhcp.Guests.SECOND;
import static io.vnet4j.usernet.dhcp.DhcpMessageType.DECLINE;
import static io.vnet4j.usernet.dhcp.DhcpMessageType.DISCOVER;
import static io.vnet4j.usernet.dhcp.DhcpMessageType.RELEASE;
import static io.vnet4j.usernet.dhcp.DhcpMessageType.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Leases through whole conversations: who gets which address, for how long, and when it comes back. */
class DhcpLeaseFlowTest {
    private final Guests guests = new Guests();

    @Test
    void discoverOfferRequestAckLeasesTheFirstAddressForADay() {
        DhcpMessage offer = guests.send(ClientMessage.dhcp(DISCOVER, MAC_A).hostname("alpha"));
        assertThat(offer.messageType()).isEqualTo(DhcpMessageType.OFFER);
        assertThat(offer.yiaddr()).isEqualTo(FIRST);
        assertThat(offer.serverIdentifier()).isEqualTo(GATEWAY);

        DhcpMessage ack = guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST).serverId(GATEWAY));
        assertThat(ack.messageType()).isEqualTo(DhcpMessageType.ACK);
        assertThat(ack.yiaddr()).isEqualTo(FIRST);
        assertThat(guests.server.leases()).containsExactly(new Lease(MAC_A, FIRST, "alpha", guests.now + DAY_MILLIS));
    }

    @Test
    void anAckToAClientWithoutAnAddressSaysItIsStartingAndARenewalsDoesNot() {
        guests.send(ClientMessage.dhcp(DISCOVER, MAC_A));
        guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST).serverId(GATEWAY));
        assertThat(guests.reply.clientStarting()).as("SELECTING").isTrue();
        guests.send(ClientMessage.dhcp(REQUEST, MAC_A).ciaddr(FIRST));
        assertThat(guests.reply.clientStarting()).as("RENEWING").isFalse();
        guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST));
        assertThat(guests.reply.clientStarting()).as("INIT-REBOOT").isTrue();
        guests.send(ClientMessage.dhcp(DISCOVER, MAC_B));
        assertThat(guests.reply.clientStarting()).as("an OFFER").isFalse();
    }

    @Test
    void givesTheNextAddressToTheNextMac() {
        assertThat(guests.dora(MAC_A)).isEqualTo(FIRST);
        assertThat(guests.dora(MAC_B)).isEqualTo(SECOND);
    }

    @Test
    void offersTheSameMacItsAddressAgain() {
        guests.dora(MAC_A);
        guests.dora(MAC_B);
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_A)).yiaddr()).isEqualTo(FIRST);
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_B)).yiaddr()).isEqualTo(SECOND);
    }

    @Test
    void reservesAnOfferedAddressWhileTheOfferStands() {
        guests.send(ClientMessage.dhcp(DISCOVER, MAC_A));
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_B)).yiaddr()).isEqualTo(SECOND);
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST).serverId(GATEWAY)).yiaddr())
                .isEqualTo(FIRST);
    }

    @Test
    void offersTheAddressADiscoverAsksForWhenItIsFree() {
        int wanted = Ipv4Address.parse("10.0.2.40");
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_A).requested(wanted)).yiaddr()).isEqualTo(wanted);
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_B).requested(wanted)).yiaddr()).isEqualTo(FIRST);
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_C).requested(GATEWAY)).yiaddr()).isEqualTo(SECOND);
    }

    @Test
    void neverLeasesAnAddressTheGatewayHoldsWhenThePoolReachesIt() {
        // a helper's replay: a guestfwd address (QEMU's docs use 10.0.2.100) in the pool was leased, and two
        // machines answered ARP for it; libslirp leases the host and DNS addresses too when its pool holds them
        DhcpSettings d = DhcpSettings.qemuDefaults();
        int guestfwd = Ipv4Address.parse("10.0.2.4");
        Guests low = new Guests(new DhcpSettings(d.network(), d.prefixLength(), d.router(), d.dnsServer(),
                Ipv4Address.parse("10.0.2.1"), d.leaseSeconds(), null, java.util.List.of(), null, null, null, 0,
                Map.of(), java.util.Set.of(guestfwd)));
        assertThat(low.dora(MAC_A)).isEqualTo(Ipv4Address.parse("10.0.2.1"));
        assertThat(low.dora(MAC_B)).isEqualTo(Ipv4Address.parse("10.0.2.5"));
        for (int held : new int[] {GATEWAY, Guests.DNS, guestfwd}) {
            assertThat(low.send(ClientMessage.dhcp(DISCOVER, MAC_C).requested(held)).yiaddr())
                    .isEqualTo(Ipv4Address.parse("10.0.2.6"));
            assertThat(low.send(ClientMessage.dhcp(REQUEST, MAC_C).requested(held)).messageType())
                    .as("INIT-REBOOT for %s", Ipv4Address.format(held)).isEqualTo(DhcpMessageType.NAK);
        }
    }

    @Test
    void renewsWithCiaddrByUnicastAndExtendsTheLease() {
        guests.dora(MAC_A);
        guests.now += DAY_MILLIS / 2;
        DhcpMessage ack = guests.send(ClientMessage.dhcp(REQUEST, MAC_A).ciaddr(FIRST));
        assertThat(ack.messageType()).isEqualTo(DhcpMessageType.ACK);
        assertThat(ack.ciaddr()).isEqualTo(FIRST);
        assertThat(ack.yiaddr()).isEqualTo(FIRST);
        assertThat(guests.reply.destinationAddress()).isEqualTo(FIRST);
        assertThat(guests.reply.destinationMac()).isEqualTo(MAC_A);
        assertThat(guests.server.leases().getFirst().expiresAtMillis()).isEqualTo(guests.now + DAY_MILLIS);
    }

    @Test
    void rebindsToAServerThatLostItsLeasesWhenTheAddressIsFree() {
        guests.dora(MAC_A);
        Guests restarted = new Guests();
        restarted.now = guests.now + DAY_MILLIS * 7 / 8;
        DhcpMessage ack = restarted.send(ClientMessage.dhcp(REQUEST, MAC_A).ciaddr(FIRST).broadcastFlag());
        assertThat(ack.messageType()).isEqualTo(DhcpMessageType.ACK);
        assertThat(restarted.reply.destinationAddress()).isEqualTo(FIRST);
        assertThat(restarted.server.leases()).extracting(Lease::mac, Lease::address)
                .containsExactly(tuple(MAC_A, FIRST));
    }

    @Test
    void naksARenewalOfAnAddressHeldByAnotherMac() {
        guests.dora(MAC_A);
        DhcpMessage nak = guests.send(ClientMessage.dhcp(REQUEST, MAC_B).ciaddr(FIRST));
        assertThat(nak.messageType()).isEqualTo(DhcpMessageType.NAK);
        assertThat(nak.yiaddr()).isZero();
        assertThat(guests.reply.destinationMac()).isEqualTo(MacAddress.BROADCAST);
    }

    @Test
    void naksAnInitRebootForAnAddressOnAnotherNetwork() {
        DhcpMessage nak = guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(Ipv4Address.parse("192.168.1.50")));
        assertThat(nak.messageType()).isEqualTo(DhcpMessageType.NAK);
        assertThat(guests.server.leases()).isEmpty();
    }

    @Test
    void naksAnInitRebootForAnotherAddressThanTheMacsLease() {
        guests.dora(MAC_A);
        DhcpMessage nak = guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(SECOND));
        assertThat(nak.messageType()).isEqualTo(DhcpMessageType.NAK);
        assertThat(guests.server.leases()).extracting(Lease::address).containsExactly(FIRST);
    }

    @Test
    void acksAnInitRebootForTheMacsOwnAddress() {
        guests.dora(MAC_A);
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST)).messageType())
                .isEqualTo(DhcpMessageType.ACK);
    }

    @Test
    void staysSilentWhenTheClientSelectedAnotherServer() {
        guests.send(ClientMessage.dhcp(DISCOVER, MAC_A));
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST)
                .serverId(Ipv4Address.parse("10.0.2.200")))).isNull();
        assertThat(guests.server.counters().ignored()).isEqualTo(1);
    }

    /**
     * A pool in a class C network shorter than /24 crosses x.x.x.255 and x.x.x+1.0, which Windows takes for broadcast
     * addresses and cannot use (Microsoft KB281579: a DHCP server's scope should exclude them); dnsmasq never leases
     * them. Before, the sixth guest here got 192.168.0.255, offered and acknowledged, and a seventh would have got
     * 192.168.1.0.
     */
    @Test
    void neverLeasesTheClassfulBroadcastOrNetworkAddressOfASupernet() {
        Guests supernet = new Guests(Guests.settings("192.168.0.0", 23, "192.168.0.250", Map.of()));
        long[] macs = {0x5254_0000_0001L, 0x5254_0000_0002L, 0x5254_0000_0003L, 0x5254_0000_0004L,
            0x5254_0000_0005L, 0x5254_0000_0006L};
        List<String> leased = new ArrayList<>();
        for (long mac : macs) {
            leased.add(Ipv4Address.format(supernet.dora(mac)));
        }
        assertThat(leased).containsExactly("192.168.0.250", "192.168.0.251", "192.168.0.252", "192.168.0.253",
                "192.168.0.254", "192.168.1.1");
        assertThat(supernet.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(Ipv4Address.parse("192.168.0.255")))
                .messageType()).isEqualTo(DhcpMessageType.NAK);
    }

    @Test
    void releaseFreesTheAddressForAnotherMac() {
        guests.dora(MAC_A);
        assertThat(guests.send(ClientMessage.dhcp(RELEASE, MAC_A).ciaddr(FIRST).serverId(GATEWAY))).isNull();
        assertThat(guests.server.leases()).isEmpty();
        assertThat(guests.dora(MAC_B)).isEqualTo(FIRST);
    }

    /** A VM that quit (its port left the hub): the next new MAC gets its address, as from a fresh QEMU. */
    @Test
    void aDepartedGuestsAddressGoesToTheNextNewMac() {
        guests.dora(MAC_A);
        guests.dora(MAC_B);
        assertThat(guests.server.depart(MAC_A, guests.now)).isEqualTo(FIRST);
        assertThat(guests.server.depart(MAC_A, guests.now)).as("ended already").isZero();
        assertThat(guests.dora(MAC_C)).isEqualTo(FIRST);
        assertThat(guests.dora(MAC_A)).as("its own is taken: the next free").isEqualTo(Ipv4Address.parse("10.0.2.17"));
    }

    /** Two VMs restarted by a script come back in the other order: each gets its own address again. */
    @Test
    void departedGuestsThatComeBackGetTheirOwnAddressesWhateverTheOrder() {
        guests.dora(MAC_A);
        guests.dora(MAC_B);
        guests.server.depart(MAC_A, guests.now);
        guests.server.depart(MAC_B, guests.now);
        assertThat(guests.dora(MAC_B)).isEqualTo(SECOND);
        assertThat(guests.dora(MAC_A)).isEqualTo(FIRST);
    }

    @Test
    void ignoresAReleaseOfAnAddressTheMacDoesNotHold() {
        guests.dora(MAC_A);
        assertThat(guests.send(ClientMessage.dhcp(RELEASE, MAC_B).ciaddr(FIRST))).isNull();
        assertThat(guests.server.leases()).extracting(Lease::mac).containsExactly(MAC_A);
    }

    @Test
    void declineTakesTheAddressOutOfThePoolForAWhile() {
        guests.dora(MAC_A);
        assertThat(guests.send(ClientMessage.dhcp(DECLINE, MAC_A).requested(FIRST).serverId(GATEWAY))).isNull();
        assertThat(guests.dora(MAC_A)).isEqualTo(SECOND);
        guests.now += DhcpServer.DECLINE_HOLD_MILLIS;
        assertThat(guests.dora(MAC_B)).isEqualTo(FIRST);
    }

    @Test
    void givesAStaticLeaseToItsMacOnlyAndSkipsItInThePool() {
        int fixed = Ipv4Address.parse("10.0.2.15");
        int other = Ipv4Address.parse("10.0.2.5");
        Guests statics = new Guests(Guests.settings("10.0.2.0", 24, "10.0.2.15", Map.of(MAC_B, fixed, MAC_C, other)));
        assertThat(statics.dora(MAC_A)).isEqualTo(SECOND);
        assertThat(statics.dora(MAC_B)).isEqualTo(fixed);
        assertThat(statics.dora(MAC_C)).isEqualTo(other);
        assertThat(statics.send(ClientMessage.dhcp(REQUEST, MAC_B).requested(SECOND)).messageType())
                .isEqualTo(DhcpMessageType.NAK);
    }

    @Test
    void offersNothingWhenThePoolIsExhaustedAndCountsIt() {
        Guests small = new Guests(Guests.settings("10.0.2.0", 28, "10.0.2.13", Map.of()));
        assertThat(small.dora(MAC_A)).isEqualTo(Ipv4Address.parse("10.0.2.13"));
        assertThat(small.dora(MAC_B)).isEqualTo(Ipv4Address.parse("10.0.2.14"));
        assertThat(small.send(ClientMessage.dhcp(DISCOVER, MAC_C))).isNull();
        assertThat(small.server.counters().exhausted()).isEqualTo(1);
    }

    @Test
    void reusesAnExpiredLeaseForAnotherMacOnlyWhenThePoolIsFull() {
        Guests small = new Guests(Guests.settings("10.0.2.0", 28, "10.0.2.13", Map.of()));
        small.dora(MAC_A);
        small.now += DAY_MILLIS;
        assertThat(small.dora(MAC_B)).isEqualTo(Ipv4Address.parse("10.0.2.14"));
        assertThat(small.dora(MAC_C)).isEqualTo(Ipv4Address.parse("10.0.2.13"));
        assertThat(small.server.leases()).extracting(Lease::mac).containsExactly(MAC_C, MAC_B);
    }

    @Test
    void keepsAnExpiredAddressForItsMacWhileNobodyElseNeedsIt() {
        guests.dora(MAC_A);
        guests.now += 2 * DAY_MILLIS;
        assertThat(guests.server.leases().getFirst().expired(guests.now)).isTrue();
        assertThat(guests.dora(MAC_A)).isEqualTo(FIRST);
        assertThat(guests.server.leases().getFirst().expired(guests.now)).isFalse();
    }

    @Test
    void anOfferNotTakenUpLapsesAfterTheHold() {
        Guests small = new Guests(Guests.settings("10.0.2.0", 28, "10.0.2.14", Map.of()));
        small.send(ClientMessage.dhcp(DISCOVER, MAC_A));
        assertThat(small.send(ClientMessage.dhcp(DISCOVER, MAC_B))).isNull();
        small.now += DhcpServer.OFFER_HOLD_MILLIS;
        assertThat(small.dora(MAC_B)).isEqualTo(Ipv4Address.parse("10.0.2.14"));
    }

    @Test
    void findsALeaseByTheHostnameTheGuestSentIgnoringCase() {
        guests.send(ClientMessage.dhcp(DISCOVER, MAC_A).hostname("Alpha"));
        guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST).serverId(GATEWAY));
        guests.dora(MAC_B);
        assertThat(guests.server.leaseForHostname("alpha").address()).isEqualTo(FIRST);
        assertThat(guests.server.leaseForHostname("ALPHA").mac()).isEqualTo(MAC_A);
        assertThat(guests.server.leaseForHostname("beta")).isNull();
    }

    @Test
    void aHostnameWithADomainIsKnownByItsFirstLabelAsDnsmasqTakesIt() {
        // dhclient sends gethostname(), which is "web.example.test" on a machine named with its domain
        lease(MAC_A, FIRST, "web.example.test");
        assertThat(guests.server.leaseForHostname("web").address()).isEqualTo(FIRST);
        assertThat(guests.server.leases().getFirst().clientHostname()).isEqualTo("web");
        lease(MAC_B, SECOND, "Db.Elsewhere.Example.");
        assertThat(guests.server.leaseForHostname("db").mac()).isEqualTo(MAC_B);
        assertThat(guests.server.leaseForHostname("db.elsewhere.example")).isNull();
    }

    @Test
    void aGuestThatSendsItsNameInTheClientFqdnOptionAloneIsKnownByIt() {
        // systemd-networkd sends option 81, not 12, for a host name with a domain
        guests.send(ClientMessage.dhcp(DISCOVER, MAC_A).option(DhcpOption.CLIENT_FQDN,
                0x04, 0, 0, 2, 'd', 'b', 4, 't', 'e', 's', 't', 0));
        guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST).serverId(GATEWAY).option(DhcpOption.CLIENT_FQDN,
                0x04, 0, 0, 2, 'd', 'b', 4, 't', 'e', 's', 't', 0));
        assertThat(guests.server.leaseForHostname("db").address()).isEqualTo(FIRST);
    }

    /**
     * mTCP's DHCP client (DOS) writes option 12 with strlen() of its HOSTNAME setting, unchecked, and other stacks send
     * it empty too (a Somfy alarm's, TechnitiumSoftware/DnsServer#1951), where RFC 2132 section 3.14 asks for one byte
     * at least. The whole DISCOVER was dropped as malformed, so such a guest got no address; dnsmasq and libslirp
     * answer it. It gets its lease, with no name; an empty name does not take over the one it sent before.
     */
    @Test
    void aClientThatSendsAnEmptyHostNameGetsItsLeaseWithNoName() {
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_A).option(DhcpOption.PARAMETER_REQUEST_LIST, 1, 3, 6)
                .option(DhcpOption.HOSTNAME).option(DhcpOption.LEASE_TIME, 0, 0, 0x70, 0x80)).yiaddr()).isEqualTo(FIRST);
        DhcpMessage ack = guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST).serverId(GATEWAY)
                .option(DhcpOption.HOSTNAME).option(DhcpOption.LEASE_TIME, 0, 0, 0x70, 0x80));
        assertThat(ack.messageType()).isEqualTo(DhcpMessageType.ACK);
        assertThat(guests.server.leases().getFirst().clientHostname()).isNull();
        guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST).serverId(GATEWAY).hostname("dospc"));
        guests.send(ClientMessage.dhcp(REQUEST, MAC_A).ciaddr(FIRST).option(DhcpOption.HOSTNAME));
        assertThat(guests.server.leaseForHostname("dospc").address()).isEqualTo(FIRST);
        assertThat(guests.server.counters().malformed()).isZero();
    }

    @Test
    void aKeptLeaseWhoseNameHasADomainIsKnownByItsFirstLabel() {
        // a lease file written before names were cut at their first dot
        assertThat(guests.server.restore(java.util.List.of(new Lease(MAC_A, FIRST, "web.example.test",
                guests.now + DAY_MILLIS)), guests.now)).isEqualTo(1);
        assertThat(guests.server.leaseForHostname("web").address()).isEqualTo(FIRST);
    }

    @Test
    void theNewestLeaseForANameWinsAndTheOldHolderLosesIt() {
        lease(MAC_A, FIRST, "vm2");
        assertThat(guests.reply.nameTakenFrom()).as("the first holder of the name").isEqualTo(-1);
        lease(MAC_B, SECOND, "vm2");
        assertThat(guests.reply.nameTakenFrom()).as("what the log line says was the name's MAC").isEqualTo(MAC_A);
        assertThat(guests.server.leaseForHostname("vm2").mac()).isEqualTo(MAC_B);
        lease(MAC_B, SECOND, "vm2");
        assertThat(guests.reply.nameTakenFrom()).as("its own name already").isEqualTo(-1);
        // the first VM renews without a name option: it does not take the name back
        guests.send(ClientMessage.dhcp(REQUEST, MAC_A).ciaddr(FIRST));
        assertThat(guests.server.leaseForHostname("vm2").address()).isEqualTo(SECOND);
        assertThat(guests.reply.nameTakenFrom()).isEqualTo(-1);
    }

    @Test
    void aReleasedLeaseStopsAnsweringForItsName() {
        lease(MAC_A, FIRST, "vm2");
        guests.send(ClientMessage.dhcp(RELEASE, MAC_A).ciaddr(FIRST).serverId(GATEWAY));
        assertThat(guests.server.leaseForHostname("vm2")).isNull();
    }

    @Test
    void aMacTakingANewNameDropsItsOldOne() {
        lease(MAC_A, FIRST, "old");
        lease(MAC_A, FIRST, "new");
        assertThat(guests.server.leaseForHostname("old")).isNull();
        assertThat(guests.server.leaseForHostname("new").mac()).isEqualTo(MAC_A);
    }

    @Test
    void aLeaseWhoseAddressGoesToAnotherMacKeepsNoName() {
        Guests one = new Guests(Guests.settings("10.0.2.0", 28, "10.0.2.14", Map.of())); // one address
        int address = Ipv4Address.parse("10.0.2.14");
        one.send(ClientMessage.dhcp(DISCOVER, MAC_A).hostname("vm2"));
        one.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(address).serverId(GATEWAY));
        assertThat(one.server.leaseForHostname("vm2").mac()).isEqualTo(MAC_A);
        one.now += DAY_MILLIS + 1;
        assertThat(one.dora(MAC_B)).isEqualTo(address); // the lapsed binding's address goes to MAC_B
        assertThat(one.server.leaseForHostname("vm2")).isNull();
    }

    @Test
    void anOfferAloneClaimsNoName() {
        lease(MAC_A, FIRST, "vm2");
        guests.send(ClientMessage.dhcp(DISCOVER, MAC_B).hostname("vm2"));
        assertThat(guests.server.leaseForHostname("vm2").mac()).isEqualTo(MAC_A);
    }

    /**
     * A client of hardware type 6 (IEEE 802) with a 6-byte address gets its lease, and replies carrying its own type,
     * as dnsmasq and ISC dhcpd answer it (both write the request's htype back); it was dropped as malformed.
     */
    @Test
    void aClientOfAnotherHardwareTypeWithSixByteAddressesGetsItsLease() {
        DhcpMessage offer = guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_A).hardware(6, 6));
        assertThat(offer.messageType()).isEqualTo(DhcpMessageType.OFFER);
        assertThat(offer.htype()).isEqualTo(6);
        assertThat(offer.hlen()).isEqualTo(6);
        assertThat(offer.chaddr()).isEqualTo(MAC_A);
        DhcpMessage ack = guests.send(ClientMessage.dhcp(DhcpMessageType.REQUEST, MAC_A).hardware(6, 6)
                .requested(FIRST).serverId(GATEWAY));
        assertThat(ack.messageType()).isEqualTo(DhcpMessageType.ACK);
        assertThat(ack.htype()).isEqualTo(6);
        assertThat(guests.send(ClientMessage.dhcp(DhcpMessageType.DISCOVER, MAC_B).hardware(1, 16))).isNull();
    }

    private void lease(long mac, int address, String name) {
        guests.send(ClientMessage.dhcp(DISCOVER, mac).hostname(name));
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, mac).requested(address).serverId(GATEWAY).hostname(name))
                .messageType()).isEqualTo(DhcpMessageType.ACK);
    }
}
