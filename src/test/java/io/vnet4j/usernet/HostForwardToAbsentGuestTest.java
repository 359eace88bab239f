package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A host forward's client while no guest holds the rule's address (the VM not up yet, a wrong address) stayed
 * connected for the SYN's 75 s (QEMU 7.2's libslirp, its VM paused, still held it after 120 s), so an ssh to a
 * booting VM hung that long. The gateway resets
 * the client once its SYN has found no MAC for 3 s, as Linux's connect() fails with EHOSTUNREACH after three
 * unanswered ARP probes.
 */
@Timeout(30)
class HostForwardToAbsentGuestTest {
    @Test
    void theClientIsResetAfterThreeUnansweredArpRequestsNotAfterTheSynsTimeOut() throws Exception {
        int port = freePort();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        io.vnet4j.base.Log.toStandardError(io.vnet4j.base.Log.Format.TEXT);
        try (Network network = new Network()) {
            VirtualNic silent = network.attachNic("silent", 0); // on the hub, answering nothing
            network.addNetdev("user,id=u,ipv6=off,hostfwd=tcp:127.0.0.1:" + port + "-:22");
            assertThat(secondsUntilReset(port)).as("reset when the SYN sent at 3 s found no MAC either").isBetween(3L, 8L);
            // one per episode of held frames: the SYN's first retransmission (1 s) joins the first episode or
            // begins the second, as the loop's poll meets the two deadlines of the same instant
            assertThat(framesQueued(silent, b -> b.getShort(12) == 0x0806 && b.getShort(20) == 1
                    && b.getInt(38) == 0x0A00_020F)).as("ARP requests for 10.0.2.15").isBetween(2L, 3L);
            assertThat(network.netdev("u").details().toString()).contains("1 forwarded connections reset with no guest at their address");
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("u: tcp: a host-forwarded connection to 10.0.2.15:22 was reset: "
                + "no guest answered for that address (ARP or neighbour discovery) in 3 s");
    }

    /** The same over IPv6: the neighbour solicitations for the rule's guest address go unanswered. */
    @Test
    void anIpv6GuestWhoseNeighbourSolicitationsGoUnansweredHasItsClientResetToo() throws Exception {
        int port = freePort();
        try (Network network = new Network()) {
            VirtualNic silent = network.attachNic("silent", 0);
            network.addNetdev("user,id=u,hostfwd=tcp:127.0.0.1:" + port + "-[fec0::15]:22");
            assertThat(secondsUntilReset(port)).isBetween(3L, 8L);
            assertThat(framesQueued(silent, b -> b.getShort(12) == (short) 0x86DD && b.get(20) == 58
                    && (b.get(54) & 0xFF) == 135 && b.getLong(62) == 0xFEC0_0000_0000_0000L && b.getLong(70) == 0x15))
                    .as("neighbour solicitations for fec0::15").isBetween(2L, 3L);
            assertThat(network.netdev("u").details().toString()).contains("1 forwarded connections reset with no guest at their address");
        }
    }

    /**
     * A guest that comes up late (it answers only the ARP request that the SYN's retransmission at 3 s sent) keeps
     * the connection: the SYN is over 3 s old by then, but its address answered, so nothing gives up.
     */
    @Test
    void aGuestThatAnswersTheArpOfTheSynsLaterRetransmissionKeepsTheClient() throws Exception {
        int port = freePort();
        try (Network network = new Network()) {
            VirtualNic late = network.attachNic("late", 0);
            network.addNetdev("user,id=u,ipv6=off,hostfwd=tcp:127.0.0.1:" + port + "-:22");
            long start = System.nanoTime();
            try (Socket client = new Socket("127.0.0.1", port)) {
                ByteBuffer arp = GuestFrames.await(late, b -> b.getShort(12) == 0x0806 && b.getShort(20) == 1
                        && System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(2500), "the ARP request at 3 s");
                assertThat(arp.getInt(38)).isEqualTo(GuestFrames.GUEST);
                late.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST)); // the gateway learns its MAC
                ByteBuffer syn = GuestFrames.await(late, b -> b.getShort(12) == 0x0800 && b.get(23) == 6, "the SYN");
                assertThat(syn.getShort(14 + 20 + 2)).isEqualTo((short) 22);
                client.setSoTimeout((int) Math.max(100, 7000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
                InputStream in = client.getInputStream();
                assertThatThrownBy(in::read).as("connected still, at 7 s").isInstanceOf(java.net.SocketTimeoutException.class);
            }
            assertThat(network.netdev("u").details().toString()).contains("0 forwarded connections reset with no guest at their address");
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /** Connects to the forward on 127.0.0.1:{@code port} (accepted at once, as libslirp accepts) and reads until reset. */
    private static long secondsUntilReset(int port) throws Exception {
        long start = System.nanoTime();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(20_000);
            InputStream in = client.getInputStream();
            assertThatThrownBy(in::read).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    }

    /** How many of the frames waiting for {@code nic} now {@code kind} accepts (all are taken). */
    private static long framesQueued(VirtualNic nic, java.util.function.Predicate<ByteBuffer> kind) throws Exception {
        long count = 0;
        for (byte[] frame; (frame = nic.receive(0, TimeUnit.SECONDS)) != null; ) {
            count += kind.test(ByteBuffer.wrap(frame)) ? 1 : 0;
        }
        return count;
    }
}
