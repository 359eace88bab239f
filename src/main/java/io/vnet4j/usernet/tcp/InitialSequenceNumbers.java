package io.vnet4j.usernet.tcp;

import io.vnet4j.wire.IpAddress;
import java.util.random.RandomGenerator;

/**
 * The gateway's initial sequence numbers (ISN, RFC 9293 section 3.4.1), as RFC 6528 section 3 has them:
 * {@code ISN = M + F(localip, localport, remoteip, remoteport, secretkey)}, M a clock ticking every 4 µs
 * (here {@code nanoTime >> 12}, 4.096 µs) and F SipHash-2-4 under a 128-bit key drawn once, as Linux's
 * {@code secure_tcp_seq} and passt's {@code tcp_init_seq} do. A connection's ISN is then unguessable from
 * outside, and a new connection on the same four-tuple starts past the old one's numbers (the clock moved
 * on), which a guest's TIME_WAIT accepts. It costs one hash of 40 bytes: no lock, no system call, unlike a
 * {@link java.security.SecureRandom} draw per connection (whose NativePRNG reads /dev/urandom and mixes SHA-1
 * under a lock).
 *
 * <p>SipHash-2-4: Aumasson and Bernstein, "SipHash: a fast short-input PRF" (2012); the message is read as
 * little-endian 64-bit words and padded with its length in the last byte.
 */
final class InitialSequenceNumbers {
    private final long k0;
    private final long k1;

    /** @param random draws the secret key (two {@code nextLong}s), once */
    InitialSequenceNumbers(RandomGenerator random) {
        this.k0 = random.nextLong();
        this.k1 = random.nextLong();
    }

    /**
     * The ISN for a connection between {@code local:localPort} (the gateway's side) and
     * {@code remote:remotePort} (the guest's) at {@code nanoTime} ({@link System#nanoTime()}).
     */
    int next(IpAddress local, int localPort, IpAddress remote, int remotePort, long nanoTime) {
        long f = hash(k0, k1, local.high(), local.low(), remote.high(), remote.low(),
                (long) (localPort & 0xFFFF) << 16 | (remotePort & 0xFFFF));
        return (int) f + (int) (nanoTime >>> 12);
    }

    /** SipHash-2-4 of five 64-bit words (40 bytes, the words in little-endian order) under key (k0, k1). */
    static long hash(long k0, long k1, long w0, long w1, long w2, long w3, long w4) {
        State s = new State(k0, k1);
        s.word(w0);
        s.word(w1);
        s.word(w2);
        s.word(w3);
        s.word(w4);
        return s.finish(40L << 56);
    }

    /**
     * SipHash-2-4 of any bytes under key (k0, k1), each read as the little-endian 64-bit words of its bytes
     * (the reference's key layout): the form the published test vectors use.
     */
    static long hash(long k0, long k1, byte[] message) {
        State s = new State(k0, k1);
        int whole = message.length & ~7;
        for (int i = 0; i < whole; i += 8) {
            s.word(littleEndian(message, i, 8));
        }
        long last = littleEndian(message, whole, message.length - whole) | (long) message.length << 56;
        return s.finish(last);
    }

    private static long littleEndian(byte[] b, int offset, int length) {
        long v = 0;
        for (int i = length - 1; i >= 0; i--) {
            v = v << 8 | (b[offset + i] & 0xFF);
        }
        return v;
    }

    /** The four state words and the rounds. */
    private static final class State {
        long v0;
        long v1;
        long v2;
        long v3;

        State(long k0, long k1) {
            v0 = k0 ^ 0x736f6d6570736575L; // "somepseudorandomlygeneratedbytes"
            v1 = k1 ^ 0x646f72616e646f6dL;
            v2 = k0 ^ 0x6c7967656e657261L;
            v3 = k1 ^ 0x7465646279746573L;
        }

        void word(long m) {
            v3 ^= m;
            round();
            round();
            v0 ^= m;
        }

        long finish(long last) {
            word(last);
            v2 ^= 0xff;
            round();
            round();
            round();
            round();
            return v0 ^ v1 ^ v2 ^ v3;
        }

        private void round() {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13) ^ v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16) ^ v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21) ^ v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17) ^ v2;
            v2 = Long.rotateLeft(v2, 32);
        }
    }
}
