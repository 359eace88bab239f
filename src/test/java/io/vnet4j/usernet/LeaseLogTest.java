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
    /** A DHCPREQUEST for 10.0.2.15 from server 10.0.2.2 (RFC 2131 section 4.3.2), BROADCAST flag set. */
    private static byte[] request() {
        return request(false);
    }

    /** {@link #request()}, or a renewal of 10.0.2.15 (ciaddr set, no requested address or server). */
    private static byte[] request(boolean renewal) {
        ByteBuffer b = ByteBuffer.allocate(260);
        b.put(0, (byte) 1).put(1, (byte) 1).put(2, (byte) 6); // op BOOTREQUEST, htype Ethernet, hlen 6
        b.putInt(4, 0x1234_5678).putShort(10, (short) 0x8000); // xid; flags: BROADCAST
        b.putShort(28, (short) (GuestFrames.GUEST_MAC >>> 32)).putInt(30, (int) GuestFrames.GUEST_MAC); // chaddr
        b.putInt(236, 0x6382_5363); // the magic cookie
        b.position(240);
        if (renewal) {
            b.putInt(12, 0x0A00_020F).put(new byte[] {53, 1, 3, (byte) 255});
        } else {
            b.put(new byte[] {53, 1, 3, 50, 4, 10, 0, 2, 15, 54, 4, 10, 0, 2, 2, (byte) 255});
        }
        return b.array();
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

    /** What a user network logs while a guest on port "guest" sends {@code requests}, each answered. */
    private static String logOf(byte[]... requests) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Log.toStandardError(Log.Format.TEXT);
        try (Network network = new Network()) {
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u");
            for (byte[] request : requests) {
                guest.send(GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, request));
                assertThat(guest.receive(5, TimeUnit.SECONDS)).as("the DHCPACK").isNotNull();
            }
            network.netdev("u").details(); // after the loop's pass that logged the lease
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
