package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.usernet.dhcp.BootpHeader;
import io.vnet4j.usernet.dhcp.DhcpMessage;
import io.vnet4j.usernet.dhcp.DhcpReply;
import io.vnet4j.usernet.dhcp.DhcpServer;
import io.vnet4j.usernet.dhcp.DhcpSettings;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The DHCP server's input: a sequence of messages from guests, each 3 header bytes then the UDP payload:
 * <pre>
 *   clock step (1 byte, in minutes)
 *   message length (16 bits, big-endian, cut to the bytes left)
 * </pre>
 * handed to one {@link DhcpServer} with every optional setting (so every option writer runs). The view's
 * check never throws and after it every accessor stays within the message; a checked header parses,
 * emits and parses again to the same value; every reply fits the 1024-byte buffer the gateway gives
 * it, is itself a well-formed reply to the same transaction and client; leases stay within the pool.
 */
class DhcpFuzzTest {
    private static final int HEADER = 3;
    private static final int OUT_LENGTH = 1024;
    private static final long STEP_MILLIS = 60_000;
    private static final long STATIC_MAC = 0x5254_0000_0001L;
    private static final DhcpSettings SETTINGS = new DhcpSettings(Ipv4Address.parse("10.0.2.0"), 24,
            Ipv4Address.parse("10.0.2.2"), Ipv4Address.parse("10.0.2.3"), Ipv4Address.parse("10.0.2.15"),
            DhcpSettings.QEMU_LEASE_SECONDS, "vnet.test", List.of("vnet.test", "lab.vnet.test"), "vm1",
            "10.0.2.2", "pxelinux.0", 1500, Map.of(STATIC_MAC, Ipv4Address.parse("10.0.2.9")), Set.of());
    /** The pool (10.0.2.15 to 10.0.2.254) and the static lease. */
    private static final int MAX_LEASES = 240 + 1;

    private final DhcpMessage view = new DhcpMessage();
    private final DhcpMessage replyView = new DhcpMessage();

    @FuzzTest
    void repliesAreWellFormedAndLeasesStayInThePool(byte[] input) {
        DhcpServer server = new DhcpServer(SETTINGS);
        ByteBuffer in = ByteBuffer.wrap(input);
        ByteBuffer out = ByteBuffer.allocate(OUT_LENGTH);
        DhcpReply reply = new DhcpReply();
        long now = 1_700_000_000_000L;
        for (int at = 0; at + HEADER <= input.length; ) {
            now += (in.get(at) & 0xFF) * STEP_MILLIS;
            int length = Math.min(in.getShort(at + 1) & 0xFFFF, input.length - at - HEADER);
            int message = at + HEADER;
            at = message + length;

            readEverything(in, message, length);
            int n = server.handle(in, message, length, now, out, reply);
            if (n != DhcpServer.NO_REPLY) {
                assertThat(n).isBetween(DhcpMessage.MIN_LENGTH, OUT_LENGTH);
                assertThat(replyView.wrap(out, 0, n).check()).isEqualTo(WireError.NONE);
                assertThat(replyView.op()).isEqualTo(DhcpMessage.OP_REPLY);
                assertThat(replyView.xid()).isEqualTo(view.wrap(in, message, length).xid());
                assertThat(replyView.chaddr()).isEqualTo(view.chaddr());
            }
            assertThat(server.leases().size()).isLessThanOrEqualTo(MAX_LEASES);
            server.leases().forEach(lease -> assertThat(SETTINGS.inPool(lease.address())
                    || lease.mac() == STATIC_MAC).isTrue());
        }
    }

    private void readEverything(ByteBuffer in, int offset, int length) {
        if (view.wrap(in, offset, length).check() != WireError.NONE) {
            return;
        }
        view.messageType();
        view.requestedAddress();
        view.serverIdentifier();
        view.hostname();
        view.parameterRequestList();
        view.clientIdentifier();
        view.sname();
        view.file();
        BootpHeader header = BootpHeader.parse(view);
        DhcpMessage copy = new DhcpMessage().wrap(ByteBuffer.allocate(DhcpMessage.MIN_LENGTH), 0,
                DhcpMessage.MIN_LENGTH);
        header.emit(copy);
        assertThat(copy.check()).isEqualTo(WireError.NONE);
        assertThat(BootpHeader.parse(copy)).isEqualTo(header);
    }
}
