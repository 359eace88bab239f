package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketAddressesTest {
    @Test
    void anIpv4AddressIsHostColonPortWithoutTheJdksSlash() throws Exception {
        assertThat(SocketAddresses.format(new InetSocketAddress(InetAddress.getByName("10.255.255.53"), 53)))
                .isEqualTo("10.255.255.53:53");
    }

    @Test
    void aResolvedNameShowsItsAddressOnly() throws Exception {
        InetSocketAddress named = new InetSocketAddress(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), 80);
        assertThat(SocketAddresses.format(named)).isEqualTo("127.0.0.1:80");
    }

    @Test
    void anIpv6AddressIsBracketed() throws Exception {
        assertThat(SocketAddresses.format(new InetSocketAddress(InetAddress.getByName("::1"), 53))).isEqualTo("[::1]:53");
    }

    /**
     * A link-local upstream keeps its zone: {@code [fe80::1]:53} named no interface, and one host may have the same
     * link-local address on several (helper-101's finding in the DNS upstreams' log).
     */
    @Test
    void aLinkLocalAddressKeepsItsZone() throws Exception {
        byte[] fe80 = InetAddress.getByName("fe80::1").getAddress();
        assertThat(SocketAddresses.format(new InetSocketAddress(Inet6Address.getByAddress(null, fe80, 99_999), 53)))
                .as("an index no interface has").isEqualTo("[fe80::1%99999]:53");
        assertThat(SocketAddresses.format(new InetSocketAddress(HostText.literal("fe80::1%lo"), 53)))
                .as("a zone by name, kept as its index").isEqualTo("[fe80::1%lo]:53");
        assertThat(SocketAddresses.format(new InetSocketAddress(InetAddress.getByName("::ffff:10.0.2.3"), 53)))
                .isEqualTo("10.0.2.3:53");
    }

    @Test
    void anUnresolvedNameIsShownAsGiven() {
        assertThat(SocketAddresses.format(InetSocketAddress.createUnresolved("dns.example", 53))).isEqualTo("dns.example:53");
    }

    @Test
    void aUnixSocketIsItsPath() {
        assertThat(SocketAddresses.format(UnixDomainSocketAddress.of("/run/a.sock"))).isEqualTo("/run/a.sock");
        assertThat(SocketAddresses.format(UnixDomainSocketAddress.of(""))).isEqualTo("unix");
    }

    @Test
    void aListIsCommaSeparatedWithoutBrackets() throws Exception {
        assertThat(SocketAddresses.format(List.of(new InetSocketAddress(InetAddress.getByName("10.255.255.53"), 53),
                new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 5353)))).isEqualTo("10.255.255.53:53, 192.0.2.1:5353");
        assertThat(SocketAddresses.format(List.of())).isEmpty();
    }
}
