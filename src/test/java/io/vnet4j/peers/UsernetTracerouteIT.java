package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * busybox traceroute from a namespace guest through vnet4j to a host two routers away, UDP and ICMP, IPv4 and
 * IPv6: the gateway is the first hop (it answers Time Exceeded where a guest's hop limit ends), the host's
 * router the second (the gateway passes a packet on with the guest's hop limit less one, and the router's
 * Time Exceeded comes back to the guest from the router), the destination the third. slirp4netns 1.2
 * (libslirp 4.7) shows the same hops; its IPv6 first hop is its link-local fe80::2 where vnet4j's is fec0::2.
 * A ping of the far host shows its distance as on a routed network: its reply, sent with 64, reaches the
 * guest with 62, one hop less at the router and one at the gateway (libslirp's replies come with 255).
 *
 * <p>The namespaces: {@link RoutedPath}'s.
 */
@Timeout(120)
class UsernetTracerouteIT {
    private RoutedPath path;
    private NetNamespace guest;

    @BeforeEach
    void start() throws Exception {
        PeerTools.require("busybox", "busybox-static");
        path = new RoutedPath("tr", 1500, null, "");
        guest = path.guest;
    }

    @AfterEach
    void stop() {
        if (path != null) {
            path.close();
        }
    }

    @Test
    void anIpv4TracerouteShowsTheGatewayTheRouterAndTheHost() {
        List<String> hops = List.of("10.0.2.2", "198.51.100.2", "198.51.100.6");
        assertThat(hops(guest.execOk("busybox", "traceroute", "-n", "-q", "1", "-w", "2", "-m", "5", "198.51.100.6")))
                .as("UDP").isEqualTo(hops);
        assertThat(hops(guest.execOk("busybox", "traceroute", "-I", "-n", "-q", "1", "-w", "2", "-m", "5", "198.51.100.6")))
                .as("ICMP").isEqualTo(hops);
        assertThat(guest.execOk("busybox", "ping", "-c", "1", "-W", "5", "198.51.100.6")).contains("ttl=62");
    }

    @Test
    void anIpv6TracerouteShowsTheGatewayTheRouterAndTheHost() throws Exception {
        // SLAAC, after duplicate address detection
        guest.await("ip -6 addr show tap0 | grep -v tentative | grep -q fec0:", Duration.ofSeconds(15));
        // and the routers' and the far host's addresses past theirs (1 s): the guest's came 1.4-3 s after the
        // start until configure=on made it quick, and the far host, its address still tentative, answered no probe
        for (NetNamespace ns : List.of(path.host, path.router, path.far, path.guest)) {
            ns.await("! ip -6 addr show | grep -q tentative", Duration.ofSeconds(15));
        }
        List<String> hops = List.of("fec0::2", "2001:db8:1::2", "2001:db8:2::2");
        assertThat(hops(guest.execOk("busybox", "traceroute6", "-n", "-q", "1", "-w", "2", "-m", "5", "2001:db8:2::2")))
                .as("UDP").isEqualTo(hops);
        assertThat(hops(guest.execOk("busybox", "traceroute", "-6", "-I", "-n", "-q", "1", "-w", "2", "-m", "5", "2001:db8:2::2")))
                .as("ICMPv6").isEqualTo(hops);
        assertThat(guest.execOk("busybox", "ping", "-6", "-c", "1", "-W", "5", "2001:db8:2::2")).contains("ttl=62");
    }

    /** The address of each hop line (" 1  10.0.2.2  0.3 ms"), "*" for a hop that did not answer. */
    private static List<String> hops(String output) {
        return output.lines().filter(l -> l.matches("^\\s*\\d+\\s+.*")).map(l -> l.trim().split("\\s+")[1]).toList();
    }
}
