package io.vnet4j.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Whole replies to udhcpc-style messages, byte for byte, written over a poisoned buffer. */
class DhcpServerGoldenTest {
    private static final int OUT_LENGTH = 600;
    private static final long NOW = 1_000;
    private final ByteBuffer out = Hex.poisoned(OUT_LENGTH);
    private final DhcpReply reply = new DhcpReply();

    private static int handle(DhcpServer server, byte[] message, ByteBuffer out, DhcpReply reply) {
        return server.handle(ByteBuffer.wrap(message.clone()), 0, message.length, NOW, out, reply);
    }

    /** The reply's bytes, and every byte after it still poisoned. */
    private void assertWritten(int length, byte[] expected) {
        assertThat(length).isEqualTo(expected.length);
        assertThat(Arrays.copyOf(out.array(), length)).isEqualTo(expected);
        byte[] rest = Arrays.copyOfRange(out.array(), length, OUT_LENGTH);
        assertThat(rest).containsOnly((byte) 0xa5);
    }

    @Test
    void offersTheFirstPoolAddressWithTheEssentialOptionsInTheRequestedOrder() {
        DhcpServer server = new DhcpServer(DhcpSettings.qemuDefaults());

        assertWritten(handle(server, DhcpGolden.DISCOVER, out, reply), DhcpGolden.OFFER);
        assertThat(reply.messageType()).isEqualTo(DhcpMessageType.OFFER);
        assertThat(reply.destinationAddress()).isEqualTo(Ipv4Address.parse("255.255.255.255"));
        assertThat(reply.destinationMac()).isEqualTo(MacAddress.BROADCAST);
        assertThat(reply.clientAddress()).as("not the client's before its ACK").isZero();
    }

    @Test
    void acknowledgesWithEveryConfiguredOptionAndTheBootFileField() {
        DhcpSettings d = DhcpSettings.qemuDefaults();
        DhcpServer server = new DhcpServer(new DhcpSettings(d.network(), d.prefixLength(), d.router(), d.dnsServer(),
                d.firstAddress(), d.leaseSeconds(), "vnet.test", List.of("vnet.test", "lab.vnet.test"), "vm1",
                "10.0.2.2", "pxelinux.0", 1500, Map.of(), Set.of()));
        handle(server, DhcpGolden.DISCOVER, Hex.poisoned(OUT_LENGTH), reply);

        assertWritten(handle(server, DhcpGolden.REQUEST, out, reply), DhcpGolden.FULL_ACK);
        assertThat(reply.messageType()).isEqualTo(DhcpMessageType.ACK);
        assertThat(reply.clientAddress()).isEqualTo(Guests.FIRST);
    }

    @Test
    void naksAnInitRebootForAnotherAddressToBroadcast() {
        DhcpServer server = new DhcpServer(DhcpSettings.qemuDefaults());
        handle(server, DhcpGolden.DISCOVER, Hex.poisoned(OUT_LENGTH), reply);
        handle(server, DhcpGolden.REQUEST, Hex.poisoned(OUT_LENGTH), reply);

        assertWritten(handle(server, DhcpGolden.INIT_REBOOT_WRONG, out, reply), DhcpGolden.NAK);
        assertThat(reply.messageType()).isEqualTo(DhcpMessageType.NAK);
        assertThat(reply.destinationAddress()).isEqualTo(Ipv4Address.parse("255.255.255.255"));
        assertThat(reply.destinationMac()).isEqualTo(MacAddress.BROADCAST);
    }
}
