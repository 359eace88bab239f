package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * The TTL or hop limit a datagram arrived with, from its IP_TTL or IPV6_HOPLIMIT control message
 * ({@link NativeDatagramSocket#receiveHopLimits}): over loopback from a sender that sets its own, and the
 * control messages' walk with lying lengths.
 */
class NativeDatagramSocketHopLimitTest {
    @Test
    void aDatagramOverIpv4ReportsTheTtlItWasSentWith() throws Exception {
        assertThat(hopLimitReceived("127.0.0.1", 33)).isEqualTo(33);
    }

    @Test
    void aDatagramOverIpv6ReportsTheHopLimitItWasSentWith() throws Exception {
        assertThat(hopLimitReceived("::1", 44)).isEqualTo(44);
    }

    /** The hop limit {@code receiver}'s lastHopLimit gives for one datagram sent with {@code hops} over loopback. */
    private static int hopLimitReceived(String loopback, int hops) throws Exception {
        InetAddress address = InetAddress.getByName(loopback);
        NativeDatagramSocket receiver = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(address, 0), false);
        NativeDatagramSocket sender = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(address, 0), false);
        try (UnicastHops setter = new UnicastHops()) {
            assertThat(receiver.lastHopLimit()).as("before the option").isEqualTo(-1);
            receiver.receiveHopLimits();
            assertThat(sender.unicastHops(setter, hops)).isZero();
            sender.sendBuffer().set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
            assertThat(sender.send(1, sender.prepareDestination(IpAddress.parse(loopback), receiver.localPort()))).isZero();
            int length = receiver.receive();
            assertThat(length).isEqualTo(1);
            assertThat(receiver.receivedBuffer().get(0)).isEqualTo((byte) 7);
            assertThat(receiver.lastSource()).isEqualTo(IpAddress.parse(loopback));
            return receiver.lastHopLimit();
        } finally {
            receiver.release();
            sender.release();
        }
    }

    @Test
    void theHopLimitIsFoundAfterAnotherControlMessageAndNotInOneThatLiesAboutItsLength() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = arena.allocate(64, 8);
            putHeader(control, 0, 28, 0, 8); // IP_PKTINFO's 12 bytes (32 with header and padding) first
            putHeader(control, 32, 20, 0, 2); // IP_TTL, level IPPROTO_IP
            control.set(ValueLayout.JAVA_INT, 48, 61);
            assertThat(NativeDatagramSocket.hopLimitIn(control, 52)).isEqualTo(61);
            assertThat(NativeDatagramSocket.hopLimitIn(control, 51)).as("cut short").isEqualTo(-1);
            assertThat(NativeDatagramSocket.hopLimitIn(control, 0)).as("none").isEqualTo(-1);

            putHeader(control, 32, 18, 0, 2); // data of 2 bytes: too short for an int
            assertThat(NativeDatagramSocket.hopLimitIn(control, 52)).isEqualTo(-1);
            putHeader(control, 32, 4000, 0, 2); // past the control bytes received
            assertThat(NativeDatagramSocket.hopLimitIn(control, 52)).isEqualTo(-1);
            putHeader(control, 0, 1_000_000, 0, 8); // the first one lies: the walk stops there
            putHeader(control, 32, 20, 0, 2);
            assertThat(NativeDatagramSocket.hopLimitIn(control, 52)).isEqualTo(-1);
            assertThat(NativeDatagramSocket.hopLimitIn(control, 4000)).as("more than the buffer holds").isEqualTo(-1);

            putHeader(control, 0, 20, 41, 52); // IPV6_HOPLIMIT, level IPPROTO_IPV6
            control.set(ValueLayout.JAVA_INT, 16, 255);
            assertThat(NativeDatagramSocket.hopLimitIn(control, 24)).isEqualTo(255);
        }
    }

    private static void putHeader(MemorySegment control, long at, long length, int level, int type) {
        control.set(ValueLayout.JAVA_LONG, at, length);
        control.set(ValueLayout.JAVA_INT, at + 8, level);
        control.set(ValueLayout.JAVA_INT, at + 12, type);
    }
}
