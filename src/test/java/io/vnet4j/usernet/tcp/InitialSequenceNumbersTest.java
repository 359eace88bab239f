package io.vnet4j.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.util.Random;
import java.util.Set;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class InitialSequenceNumbersTest {
    /** The reference's key: the bytes 00 01 ... 0f. */
    static final long K0 = 0x0706050403020100L;
    static final long K1 = 0x0f0e0d0c0b0a0908L;

    /**
     * SipHash-2-4's published vectors (the reference implementation's vectors.h, Aumasson and Bernstein): the
     * message of n bytes 00 01 ... (n-1) under the key above.
     */
    @Test
    void matchesTheReferenceVectors() {
        long[][] vectors = {{0, 0x726fdb47dd0e0e31L}, {1, 0x74f839c593dc67fdL}, {2, 0x0d6c8009d9a94f5aL},
                {3, 0x85676696d7fb7e2dL}, {4, 0xcf2794e0277187b7L}, {5, 0x18765564cd99a68dL}, {6, 0xcbc9466e58fee3ceL},
                {7, 0xab0200f58b01d137L}, {8, 0x93f5f5799a932462L}, {15, 0xa129ca6149be45e5L},
                {16, 0x3f2acc7f57c29bdbL}, {40, 0x0e3ea96b5304a7d0L}, {63, 0x958a324ceb064572L}};
        for (long[] v : vectors) {
            assertThat(InitialSequenceNumbers.hash(K0, K1, counting((int) v[0]))).as("%d bytes", v[0]).isEqualTo(v[1]);
        }
    }

    /** The five-word form the ISNs use is the same function on 40 bytes. */
    @Test
    void theWordFormIsTheByteFormOnFortyBytes() {
        assertThat(InitialSequenceNumbers.hash(K0, K1, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L, 0x1716151413121110L,
                0x1f1e1d1c1b1a1918L, 0x2726252423222120L)).isEqualTo(0x0e3ea96b5304a7d0L);
        Random random = new Random(1);
        for (int i = 0; i < 100; i++) {
            byte[] message = new byte[40];
            random.nextBytes(message);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(message).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long k0 = random.nextLong();
            long k1 = random.nextLong();
            assertThat(InitialSequenceNumbers.hash(k0, k1, b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24),
                    b.getLong(32))).isEqualTo(InitialSequenceNumbers.hash(k0, k1, message));
        }
    }

    /** RFC 6528 section 3: the clock moves a four-tuple's ISN on by 1 every 4 µs; other four-tuples differ. */
    @Test
    void aFourTuplesIsnFollowsTheClockAndOthersDiffer() {
        InitialSequenceNumbers isn = new InitialSequenceNumbers(new Random(7));
        IpAddress gateway = IpAddress.ofIpv4(Ipv4Address.parse("10.0.2.2"));
        IpAddress guest = IpAddress.ofIpv4(Ipv4Address.parse("10.0.2.15"));
        int first = isn.next(gateway, 80, guest, 40000, 0);
        assertThat(isn.next(gateway, 80, guest, 40000, 4096L * 1000)).isEqualTo(first + 1000);
        assertThat(isn.next(gateway, 80, guest, 40000, 4095)).isEqualTo(first);
        Set<Integer> seen = new HashSet<>();
        for (int port = 40000; port < 41000; port++) {
            seen.add(isn.next(gateway, 80, guest, port, 0));
        }
        assertThat(seen).hasSize(1000);
        assertThat(new InitialSequenceNumbers(new Random(8)).next(gateway, 80, guest, 40000, 0)).isNotEqualTo(first);
    }

    private static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
