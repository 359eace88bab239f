package io.vnet4j.port.dgram;

import io.vnet4j.os.DatagramBatch;
import io.vnet4j.wire.IpAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.function.Predicate;

/**
 * Tells our own multicast datagrams, which the kernel loops back to our receiving socket
 * (IP_MULTICAST_LOOP, kept on so that peers on this host hear us), from peers': ours come from our sending
 * socket's port and from an address of this host. The port alone is not enough: a sender on another host
 * may have drawn the same ephemeral port (about once in 28,000 pairs, then for the daemons' lives), and its
 * frames were all dropped (a helper's replay of two hosts on one group). An address is looked up once: the
 * first local one seen with our port is remembered as ours, the last foreign one too.
 */
final class OwnMulticast {
    private final int port;
    private final Predicate<IpAddress> local;
    private IpAddress own;
    private IpAddress foreign;

    /** @param port our sending socket's port; {@code local}: whether an address is one of this host's */
    OwnMulticast(int port, Predicate<IpAddress> local) {
        this.port = port;
        this.local = local;
    }

    /** For the sending socket bound to {@code port}, with this host's interfaces as they are when asked. */
    static OwnMulticast of(int port) {
        return new OwnMulticast(port, OwnMulticast::isThisHosts);
    }

    /**
     * Whether datagram {@code i} of the batch is one of ours come back; allocates nothing once its source
     * address is known.
     */
    boolean isOwn(DatagramBatch batch, int i) {
        if (batch.sourcePort(i) != port) {
            return false;
        }
        if (own != null && batch.sourceIs(i, own)) {
            return true;
        }
        if (foreign != null && batch.sourceIs(i, foreign)) {
            return false;
        }
        return isOwn(batch.source(i), port);
    }

    /** Whether the datagram from {@code source}:{@code sourcePort} is one of ours come back. */
    boolean isOwn(IpAddress source, int sourcePort) {
        if (sourcePort != port || source == null) {
            return false;
        }
        if (source.equals(own)) {
            return true;
        }
        if (source.equals(foreign)) {
            return false;
        }
        if (local.test(source)) {
            own = source;
            return true;
        }
        foreign = source;
        return false;
    }

    /** Whether an interface of this host holds the address; false when the kernel cannot say (the frames pass). */
    private static boolean isThisHosts(IpAddress address) {
        try {
            return address.isLoopback() || NetworkInterface.getByInetAddress(address.toInetAddress()) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
