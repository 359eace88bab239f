package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** sockaddr_in and sockaddr_in6 from and to {@link IpAddress}, and the ICMPv6 filter a raw socket gets. */
class SockaddrCodecTest {
    @Test
    void anIpv6AddressIsASockaddrIn6InNetworkOrder() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockaddrCodec.SOCKADDR_MAX, 8);
            sa.fill((byte) 0x55); // encode clears what a previous address left
            IpAddress address = IpAddress.parse("2001:db8::1");
            assertThat(SockaddrCodec.encode(address, 0x1234, sa)).isEqualTo(28);
            byte[] bytes = sa.asSlice(0, 28).toArray(ValueLayout.JAVA_BYTE);
            assertThat(sa.get(ValueLayout.JAVA_SHORT, 0)).isEqualTo((short) Libc.AF_INET6);
            assertThat(new byte[] {bytes[2], bytes[3]}).containsExactly(0x12, 0x34);
            assertThat(new byte[] {bytes[4], bytes[5], bytes[6], bytes[7]}).containsOnly(0); // flow information
            assertThat(new byte[] {bytes[8], bytes[9], bytes[10], bytes[11], bytes[23]})
                    .containsExactly(0x20, 0x01, 0x0d, (byte) 0xb8, 1);
            assertThat(new byte[] {bytes[24], bytes[25], bytes[26], bytes[27]}).containsOnly(0); // scope
            assertThat(SockaddrCodec.ipAddress(sa)).isEqualTo(address);
            assertThat(SockaddrCodec.inetPort(sa)).isEqualTo(0x1234);
        }
    }

    @Test
    void anIpv4AddressIsASockaddrIn() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockaddrCodec.SOCKADDR_MAX, 8);
            IpAddress address = IpAddress.parse("127.0.0.1");
            assertThat(SockaddrCodec.encode(address, 7, sa)).isEqualTo(16);
            assertThat(sa.get(ValueLayout.JAVA_SHORT, 0)).isEqualTo((short) Libc.AF_INET);
            assertThat(sa.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE)).containsExactly(127, 0, 0, 1);
            assertThat(SockaddrCodec.ipAddress(sa)).isEqualTo(address);
            assertThat(SockaddrCodec.ipAddress(sa).isIpv4()).isTrue();
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            assertThat(SockaddrCodec.ipAddress(sa)).isNull();
        }
    }

    @Test
    void theIcmp6FilterBlocksEveryTypeButEchoReply() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = NativeDatagramSocket.icmp6FilterPassing(arena, 129);
            assertThat(filter.byteSize()).isEqualTo(32);
            for (int type = 0; type < 256; type++) { // as the kernel's icmpv6_filter reads it: a set bit blocks
                boolean blocked = (filter.getAtIndex(ValueLayout.JAVA_INT, type >>> 5) & (1 << (type & 31))) != 0;
                assertThat(blocked).as("type %d", type).isEqualTo(type != 129);
            }
        }
    }
}
