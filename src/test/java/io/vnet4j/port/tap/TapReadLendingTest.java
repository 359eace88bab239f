package io.vnet4j.port.tap;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.os.TapDevice;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Frames;
import io.vnet4j.wire.offload.VirtioNetFrame;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TAP on a hub with a user network lends its reads to the network's loop (no reader thread of its own),
 * takes them back when the network goes, and gives them up cleanly when it goes first. The TAP's device
 * here is one end of a socket pair ({@link TapDevice#pair}, as the warm-up's); the test plays the guest at
 * the other end with ARP requests to the gateway.
 */
@Timeout(30)
class TapReadLendingTest {
    private static final long GUEST_MAC = 0x0200_0000_0042L;
    private static final int GUEST = Ipv4Address.parse("10.0.2.15");
    private static final int GATEWAY = Ipv4Address.parse("10.0.2.2");
    private static final long GATEWAY_MAC = 0x5255_0a00_0202L;

    private Network network;
    private TapDevice[] pair;
    private final ByteBuffer frame = ByteBuffer.allocate(1514);

    @BeforeEach
    void start() throws IOException {
        pair = TapDevice.pair("lending");
        network = new Network();
    }

    @AfterEach
    void stop() {
        network.close();
        pair[1].close();
        pair[1].release();
    }

    private TapNetdev tap() throws IOException {
        return network.add(new TapNetdev(new NetdevConfig.Tap("t", "tap", 0, "", "lending", null, null, null, null,
                null, 0, true), network.hubs().hub(0), pair[0]));
    }

    private static boolean readerThreadRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("vnet4j-t-rx") && t.isAlive());
    }

    /**
     * Writes {@code frame}'s first {@code length} bytes from the guest's end, after a virtio-net header of
     * zeros; waits while the pair's send buffer is full (until the loop reads).
     */
    private void sendFromGuest(int length) throws InterruptedException {
        MemorySegment out = pair[1].writeBuffer();
        out.asSlice(0, VirtioNetFrame.HEADER_LENGTH).fill((byte) 0);
        MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, out, VirtioNetFrame.HEADER_LENGTH, length);
        while (!pair[1].write(VirtioNetFrame.HEADER_LENGTH + length)) {
            Thread.sleep(1);
        }
    }

    /** Sends an ARP request for the gateway from the guest's end; true when the reply came back. */
    private boolean gatewayAnswers() throws IOException, InterruptedException {
        sendFromGuest(Ipv4Frames.arpRequest(frame, GUEST_MAC, GUEST, GATEWAY));
        for (int i = 0; i < 10; i++) { // ten reads of at most 200 ms each
            int n = pair[1].read(200);
            if (n > VirtioNetFrame.HEADER_LENGTH + 13
                    && pair[1].receivedBuffer().getShort(VirtioNetFrame.HEADER_LENGTH + 12) == 0x0806) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theUserNetworksLoopReadsATapThatJoinsItsHub() throws Exception {
        network.addNetdev("user,id=u,ipv6=off");
        tap();
        assertThat(readerThreadRuns()).as("no reader thread of the TAP's own").isFalse();
        assertThat(gatewayAnswers()).isTrue();
        assertThat(gatewayAnswers()).isTrue();
    }

    /**
     * A burst of large pings, more than the loop reads in one call (64 frames), their answers written
     * through to the TAP on the loop's thread: all are answered, whole and in order.
     */
    @Test
    void aBurstOfLargePingsToTheGatewayIsAnsweredWholeAndInOrder() throws Exception {
        network.addNetdev("user,id=u,ipv6=off");
        tap();
        int count = 70; // their answers fit the pair's send buffer (net.core.wmem_default, 212,992 bytes)
        byte[] data = new byte[1400];
        for (int sequence = 0; sequence < count; sequence++) {
            sendFromGuest(Ipv4Frames.echoRequest(frame.clear(), GUEST_MAC, GATEWAY_MAC, GUEST, GATEWAY, 7, sequence, data));
        }
        int icmp = VirtioNetFrame.HEADER_LENGTH + 14 + 20;
        List<Integer> sequences = new ArrayList<>();
        for (int reads = 0; sequences.size() < count && reads < 10 * count; reads++) {
            int n = pair[1].read(200);
            ByteBuffer in = pair[1].receivedBuffer();
            if (n >= icmp + 8 && in.getShort(VirtioNetFrame.HEADER_LENGTH + 12) == 0x0800 && in.get(icmp) == 0) {
                assertThat(n).isEqualTo(icmp + 8 + data.length);
                sequences.add(in.getShort(icmp + 6) & 0xffff);
            }
        }
        assertThat(sequences).isEqualTo(IntStream.range(0, count).boxed().toList());
    }

    @Test
    void theTapReadsByItselfAgainWhenTheUserNetworkGoes() throws Exception {
        network.addNetdev("user,id=u,ipv6=off");
        tap();
        assertThat(network.removeNetdev("u")).isTrue();
        assertThat(readerThreadRuns()).isTrue();
        network.addNetdev("user,id=u2,ipv6=off"); // a network that comes after the TAP does not take its reads
        assertThat(gatewayAnswers()).isTrue();
    }

    @Test
    void aTapThatGoesFirstLeavesTheUserNetworkRunning() throws Exception {
        network.addNetdev("user,id=u,ipv6=off");
        tap();
        assertThat(network.removeNetdev("t")).isTrue();
        // a second TAP over a new pair is read by the same loop: the first one's registration is gone
        pair[1].close();
        pair[1].release();
        pair = TapDevice.pair("lending-2");
        tap();
        assertThat(readerThreadRuns()).isFalse();
        assertThat(gatewayAnswers()).isTrue();
    }

    @Test
    void aTapStartedBeforeTheUserNetworkReadsByItself() throws Exception {
        tap();
        network.addNetdev("user,id=u,ipv6=off");
        assertThat(readerThreadRuns()).isTrue();
        assertThat(gatewayAnswers()).isTrue();
    }
}
