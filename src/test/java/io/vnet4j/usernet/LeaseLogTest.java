package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.base.Log;
import io.vnet4j.port.nic.VirtualNic;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lease line names the client's MAC and port, also when the client asked for a broadcast reply; a
 * client that starts again says it again, a renewal does not.
 */
@Timeout(30)
class LeaseLogTest {
    /** A DHCPREQUEST for 10.0.2.15 ({@link GuestFrames#dhcpRequest}). */
    private static byte[] request() {
        return request(false);
    }

    private static byte[] request(boolean renewal) {
        return GuestFrames.dhcpRequest(GuestFrames.GUEST_MAC, renewal);
    }

    @Test
    void aClientAskingForABroadcastReplyIsNamedByItsOwnMac() throws Exception {
        assertThat(logOf(request())).contains("vnet4j: u: lease 10.0.2.15 to "
                + io.vnet4j.wire.MacAddress.format(GuestFrames.GUEST_MAC) + " on port guest");
    }

    @Test
    void aClientStartingAgainWithItsLeaseIsSaidAgainAndARenewalIsNot() throws Exception {
        String log = logOf(request(), request(true), request(), request(true));
        assertThat(log.lines().filter(l -> l.contains("u: lease 10.0.2.15"))).hasSize(2);
    }

    /** A helper's replay: 20,000 DHCPREQUESTs in 5 s were 20,000 lease lines (6.8 MB of log). */
    @Test
    void aGuestRepeatingItsRequestAsFastAsItCanFillsNoLog() throws Exception {
        byte[][] flood = new byte[200][];
        java.util.Arrays.fill(flood, request());
        String log = logOf(flood);
        assertThat(log.lines().filter(l -> l.contains("u: lease 10.0.2.15"))).hasSizeBetween(20, 25);
    }

    /** helper-111: a VM that found the pool leased out got no address, and the log said nothing. */
    @Test
    void aPoolLeasedOutIsSaidOnceForItsFirstGuestsNotForEveryRetry() throws Exception {
        String log = logOf("user,id=u,dhcpstart=10.0.2.254", (network, guest) -> { // a pool of one address
            guest.send(GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, GuestFrames.dhcp(1, GuestFrames.GUEST_MAC, 0, 0)));
            ByteBuffer offer = GuestFrames.await(guest, f -> f.limit() > 300, "the DHCPOFFER");
            assertThat(offer.getInt(14 + 20 + 8 + 16)).as("yiaddr: the pool's one address").isEqualTo(0x0A00_02FE);
            for (int i = 1; i <= 10; i++) {
                guest.send(GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67,
                        GuestFrames.dhcp(1, GuestFrames.GUEST_MAC + 100 + i, 0, 0))); // DHCPDISCOVER from another MAC
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!network.netdev("u").details().toString().contains("no free address 10")) { // every one of them
                assertThat(System.nanoTime()).as("discovers counted: " + network.netdev("u").details())
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
        });
        assertThat(log.lines().filter(l -> l.contains("u: no free DHCP address for "))).hasSize(3);
        // named by the frames' source, the VM's port, whatever client hardware address the requests carry
        assertThat(log).contains("u: no free DHCP address for " + io.vnet4j.wire.MacAddress.format(GuestFrames.GUEST_MAC)
                + ": every address of the pool is leased");
    }

    /**
     * A client that finds its new address in use (dhcpcd's ARP probe after the ACK) declines it: the address leaves
     * the pool for 10 minutes, and RFC 2131 section 4.3.3 has the server tell its administrator of the conflict.
     * The log said nothing, and no counter moved: the operator never learnt why a VM skipped .15.
     */
    @Test
    void aDeclinedAddressIsSaidAndCounted() throws Exception {
        String log = logOf("user,id=u", (network, guest) -> {
            guest.send(GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, request()));
            assertThat(guest.receive(5, TimeUnit.SECONDS)).as("the DHCPACK").isNotNull();
            byte[] decline = GuestFrames.dhcp(4, GuestFrames.GUEST_MAC, 0x0A00_020F, 0);
            guest.send(GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, decline));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!network.netdev("u").details().toString().contains("declined by clients 1")) {
                assertThat(System.nanoTime()).as("the decline counted: " + network.netdev("u").details()).isLessThan(deadline);
                Thread.sleep(10);
            }
        });
        assertThat(log).contains("u: 10.0.2.15 declined by " + io.vnet4j.wire.MacAddress.format(GuestFrames.GUEST_MAC)
                + ", which found it in use by another station: out of the pool for 10 min");
    }

    /** Two guests of one host name: the newer answers for it in DNS, and its lease line says whose it was. */
    @Test
    void aLeaseThatTakesAnotherGuestsHostNameSaysWhoseItWas() throws Exception {
        long other = GuestFrames.GUEST_MAC + 1;
        String log = logOf(GuestFrames.dhcpRequestNamed(GuestFrames.GUEST_MAC, 15, "web"), GuestFrames.dhcpRequestNamed(other, 16, "web"));
        assertThat(log).contains("u: lease 10.0.2.15 (web) to " + io.vnet4j.wire.MacAddress.format(GuestFrames.GUEST_MAC)
                        + " on port guest\n")
                .contains("u: lease 10.0.2.16 (web) to " + io.vnet4j.wire.MacAddress.format(other) + " on port guest; the name was "
                        + io.vnet4j.wire.MacAddress.format(GuestFrames.GUEST_MAC) + "'s until now\n");
    }

    /**
     * What a user network logs while a guest on port "guest" sends {@code requests} (DHCP payloads, or whole
     * frames of more than 300 bytes), each answered.
     */
    private static String logOf(byte[]... requests) throws Exception {
        return logOf("user,id=u", (network, guest) -> {
            for (byte[] request : requests) {
                guest.send(request.length > 300 ? request : GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, request));
                assertThat(guest.receive(5, TimeUnit.SECONDS)).as("the DHCPACK").isNotNull();
            }
            network.netdev("u").details(); // after the loop's pass that logged the lease
        });
    }

    /** What a guest on port "guest" does on a network of user netdev {@code netdev} ("u"). */
    private interface GuestWork {
        void run(Network network, VirtualNic guest) throws Exception;
    }

    /** What the network logs while {@code work} runs. */
    private static String logOf(String netdev, GuestWork work) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Log.toStandardError(Log.Format.TEXT);
        try (Network network = new Network()) {
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev(netdev);
            work.run(network, guest);
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
