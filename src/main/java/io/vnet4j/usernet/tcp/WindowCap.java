package io.vnet4j.usernet.tcp;

/**
 * The most window (bytes) the connections of one NAT may offer their guests, whatever their buffers' room:
 * one value the NAT sets ({@link TcpNat}'s share of the window budget) and each connection reads when it
 * advertises. Shared rather than copied into each connection, so a new share reaches all of them without a
 * walk over the table. Not thread-safe: the NAT's loop sets and reads it.
 */
final class WindowCap {
    /** The cap in bytes; no cap until set. */
    int bytes = Integer.MAX_VALUE;
}
