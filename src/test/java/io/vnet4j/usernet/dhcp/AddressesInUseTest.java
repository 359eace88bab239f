package io.vnet4j.usernet.dhcp;

import static io.vnet4j.usernet.dhcp.DhcpMessageType.DISCOVER;
import static io.vnet4j.usernet.dhcp.DhcpMessageType.NAK;
import static io.vnet4j.usernet.dhcp.DhcpMessageType.RELEASE;
import static io.vnet4j.usernet.dhcp.DhcpMessageType.REQUEST;
import static io.vnet4j.usernet.dhcp.Guests.FIRST;
import static io.vnet4j.usernet.dhcp.Guests.GATEWAY;
import static io.vnet4j.usernet.dhcp.Guests.MAC_A;
import static io.vnet4j.usernet.dhcp.Guests.MAC_B;
import static io.vnet4j.usernet.dhcp.Guests.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An address another station uses without a binding (a guest given 10.0.2.15 by hand beside DHCP guests) is
 * offered to no one and refused to a client that asks for it (RFC 2131 §2.2); its own user still gets it.
 */
class AddressesInUseTest {
    /** Addresses in use by MAC, as the gateway's neighbour table would have them. */
    private final Map<Integer, Long> seen = new HashMap<>();
    private final Map<Integer, Long> givenUp = new HashMap<>();
    private final Guests guests = new Guests(DhcpSettings.qemuDefaults(), new AddressesInUse() {
        @Override
        public boolean usedByAnother(int address, long mac) {
            Long at = seen.get(address);
            return at != null && at != mac;
        }

        @Override
        public void givenUp(int address, long mac) {
            givenUp.put(address, mac);
        }
    });

    @Test
    void anAddressAnotherStationUsesIsNeitherOfferedNorAcknowledged() {
        seen.put(FIRST, MAC_A);
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_B)).yiaddr()).isEqualTo(SECOND);
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_B).requested(FIRST)).yiaddr())
                .as("asked for in the DISCOVER").isEqualTo(SECOND);
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, MAC_B).requested(FIRST)).messageType())
                .as("INIT-REBOOT").isEqualTo(NAK);
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(FIRST)).messageType())
                .as("the station that uses it").isEqualTo(DhcpMessageType.ACK);
    }

    @Test
    void aReleaseSaysTheAddressWasGivenUpAndAForeignReleaseDoesNot() {
        int address = guests.dora(MAC_A);
        guests.send(ClientMessage.dhcp(RELEASE, MAC_B).ciaddr(address).serverId(GATEWAY));
        assertThat(givenUp).as("not B's binding").isEmpty();
        guests.send(ClientMessage.dhcp(RELEASE, MAC_A).ciaddr(address).serverId(GATEWAY));
        assertThat(givenUp).containsExactly(Map.entry(address, MAC_A));
    }

    /** A reviewer's replay: the address a client declined stayed "seen" at it, and went to no one after the hold. */
    @Test
    void aDeclineSaysTheAddressWasGivenUp() {
        int address = guests.dora(MAC_A);
        guests.send(ClientMessage.dhcp(DhcpMessageType.DECLINE, MAC_A).requested(address).serverId(GATEWAY));
        assertThat(givenUp).containsExactly(Map.entry(address, MAC_A));
    }

    /**
     * A new-user trial's replay: a guest left (its binding lapsed), another was given its address by hand; the next
     * client, and the guest coming back, were given the address too.
     */
    @Test
    void aLapsedBindingsAddressThatAnotherStationUsesNowIsNeitherOfferedNorAcknowledged() {
        int address = guests.dora(MAC_A);
        guests.server.depart(MAC_A, guests.now);
        seen.put(address, MAC_B); // B given the address by hand
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, Guests.MAC_C)).yiaddr()).as("a new client").isEqualTo(SECOND);
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(address)).messageType())
                .as("the guest that left, back").isEqualTo(NAK);
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_A)).yiaddr()).as("the guest that left, back")
                .isNotEqualTo(address);
        seen.remove(address); // B gone: the address is free again
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, 0x5254_0000_0099L)).yiaddr()).isEqualTo(address);
    }

    /** A new user's replay: a guest given the offered address by hand between the OFFER and the REQUEST. */
    @Test
    void anAddressTakenUpBetweenTheOfferAndTheRequestIsRefusedAndAnotherOffered() {
        int offered = guests.send(ClientMessage.dhcp(DISCOVER, MAC_A)).yiaddr();
        seen.put(offered, MAC_B);
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(offered).serverId(GATEWAY)).messageType())
                .isEqualTo(NAK);
        assertThat(guests.send(ClientMessage.dhcp(DISCOVER, MAC_A)).yiaddr()).isEqualTo(SECOND);
    }

    @Test
    void aBindingsOwnAddressIsItsWhateverWasSeenThere() {
        int address = guests.dora(MAC_A);
        seen.put(address, MAC_B); // B took A's address by hand: A keeps its lease, and renews it
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, MAC_A).ciaddr(address)).messageType())
                .isEqualTo(DhcpMessageType.ACK);
        assertThat(guests.send(ClientMessage.dhcp(REQUEST, MAC_A).requested(address)).messageType())
                .as("but starting over (INIT-REBOOT), it goes on to another").isEqualTo(NAK);
    }
}
