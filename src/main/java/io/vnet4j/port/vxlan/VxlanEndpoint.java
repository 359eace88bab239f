package io.vnet4j.port.vxlan;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.os.DatagramBatch;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.wire.VxlanHeader;
import io.vnet4j.wire.WireError;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One UDP port's VXLAN socket of one IP family, shared by every vxlan netdev of this process on that port
 * and family and demultiplexed by VNI, as Linux shares one socket among its vxlan devices: several VNIs on
 * port 4789 is the common case. As Linux's, the socket is bound to any address ({@code local=} is where
 * datagrams leave from; an IPv6 one is IPv6 only, so the IPv4 one can share the port) and joins each
 * multicast group its netdevs use, once per group and interface however many VNIs use it (the kernel
 * refuses a second IP_ADD_MEMBERSHIP with EADDRINUSE), leaving it with the last of them. Without
 * SO_REUSEADDR: a second process on the port is refused, as a Linux vxlan device there is, rather than
 * taking its datagrams. A reader
 * thread checks each datagram (the I flag, room for an Ethernet header: else counted as malformed) and
 * hands it to the netdev of its VNI (none: counted as of another VNI). Made by the first netdev that
 * joins, closed when the last leaves.
 */
final class VxlanEndpoint {
    /** What {@link #vniOf} returns for a datagram without the I flag or too short for a frame. */
    static final int MALFORMED = -1;

    /** The endpoints of this process, by UDP port (plus 65536 for IPv6); guarded by the class's monitor. */
    private static final Map<Integer, VxlanEndpoint> BY_PORT = new HashMap<>();

    /** A multicast group joined on an interface (index, or for IPv4 an address; 0 and null: none given). */
    private record Membership(InetAddress group, InetAddress ifaddr, int ifindex) {}

    private final int key;
    /** "UDP port 4789", with " over IPv6" for the IPv6 socket: for log lines. */
    private final String where;
    private final NativeDatagramSocket socket;
    private volatile VxlanNetdev[] members = {};
    /** The groups joined and how many member netdevs use each; guarded by the class's monitor. */
    private final Map<Membership, Integer> groups = new HashMap<>();
    /** The group each member netdev joined; guarded by the class's monitor. */
    private final Map<VxlanNetdev, Membership> groupOf = new HashMap<>();
    private final Thread reader;
    final AtomicLong otherVni = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();

    private VxlanEndpoint(int key, int port, boolean ipv6, NativeDatagramSocket socket) {
        this.key = key;
        this.where = "UDP port " + port + (ipv6 ? " over IPv6" : "");
        this.socket = socket;
        this.reader = Thread.ofPlatform().daemon().name("vnet4j-vxlan" + (ipv6 ? "6-" : "-") + port + "-rx").start(this::readLoop);
    }

    /**
     * Joins {@code netdev} (VNI {@code vni}) to the endpoint of {@code port} and the family of IPv6 or not,
     * making it if needed; with a multicast {@code group} (else null), joins it on the interface of index
     * {@code ifindex} or, for IPv4, the one holding {@code ifaddr} (0 and null: the kernel picks). With
     * {@code zeroChecksumRx} the IPv6 socket takes datagrams whose UDP checksum is zero from then on, for every
     * VNI on the port (one socket serves them all, as one Linux vxlan socket per port does).
     *
     * @throws IOException when the port cannot be bound, or already carries {@code vni}
     */
    static synchronized VxlanEndpoint join(VxlanNetdev netdev, int vni, int port, boolean ipv6, InetAddress group,
                                           InetAddress ifaddr, int ifindex, boolean zeroChecksumRx) throws IOException {
        int key = ipv6 ? port + 65536 : port;
        VxlanEndpoint e = BY_PORT.get(key);
        if (e == null) {
            NativeDatagramSocket s = NativeDatagramSocket.bound(DatagramEndpoint.any(port, ipv6), false);
            try {
                s.setBufferSizes(1 << 20);
            } catch (IOException ex) {
                s.release();
                throw ex;
            }
            e = new VxlanEndpoint(key, port, ipv6, s);
            BY_PORT.put(key, e);
        }
        for (VxlanNetdev m : e.members) {
            if (m.vni() == vni) {
                throw new IOException("VNI " + vni + " on " + e.where + " is already vxlan netdev " + m.id());
            }
        }
        if (group != null) {
            Membership m = new Membership(group, ifindex == 0 ? ifaddr : null, ifindex);
            if (!e.groups.containsKey(m)) {
                try {
                    e.socket.joinMulticast(group, m.ifaddr(), ifindex);
                } catch (IOException ex) {
                    if (e.members.length == 0) {
                        e.close(); // made for this netdev: the port is not left bound with no netdev
                    }
                    throw ex;
                }
            }
            e.groups.merge(m, 1, Integer::sum);
            e.groupOf.put(netdev, m);
        }
        if (zeroChecksumRx && ipv6) {
            e.socket.acceptZeroChecksum6();
        }
        VxlanNetdev[] grown = Arrays.copyOf(e.members, e.members.length + 1);
        grown[e.members.length] = netdev;
        e.members = grown;
        return e;
    }

    /** The port's datagrams the kernel dropped before the reader took them ({@link NativeDatagramSocket#receiveDrops}). */
    long kernelDrops() {
        return socket.receiveDrops();
    }

    /** Takes {@code netdev} off, leaving its group when it was the group's last; the last one closes the socket. */
    void leave(VxlanNetdev netdev) {
        synchronized (VxlanEndpoint.class) {
            VxlanNetdev[] left = Arrays.stream(members).filter(m -> m != netdev).toArray(VxlanNetdev[]::new);
            members = left;
            if (left.length > 0) {
                release(groupOf.remove(netdev));
                return;
            }
        }
        close(); // with the socket, every membership
    }

    /**
     * Moves {@code netdev}'s membership of {@code group} to the interface of index {@code ifindex}, or with 0
     * only leaves it: the interface went away or is there again with a new index ({@code LinkWatch}). Nothing
     * for a netdev that has left.
     *
     * @throws IOException when the group cannot be joined there (the netdev is then in no group)
     */
    void rejoin(VxlanNetdev netdev, InetAddress group, int ifindex) throws IOException {
        synchronized (VxlanEndpoint.class) {
            if (!Arrays.asList(members).contains(netdev)) {
                return;
            }
            release(groupOf.remove(netdev));
            if (ifindex == 0) {
                return;
            }
            Membership m = new Membership(group, null, ifindex);
            if (!groups.containsKey(m)) {
                socket.joinMulticast(group, null, ifindex);
            }
            groups.merge(m, 1, Integer::sum);
            groupOf.put(netdev, m);
        }
    }

    /** One netdev fewer in membership {@code m} (null: none), which is left with the last; under the class's monitor. */
    private void release(Membership m) {
        if (m == null || groups.merge(m, -1, Integer::sum) > 0) {
            return;
        }
        groups.remove(m);
        try {
            socket.leaveMulticast(m.group(), m.ifaddr(), m.ifindex());
        } catch (IOException e) { // the interface went away, and the membership with it
            Log.info("vxlan on " + where + ": leaving " + m.group().getHostAddress() + ": " + e.getMessage());
        }
    }

    /** Closes the socket (with it every membership) and stops the reader; under the class's monitor or after. */
    private void close() {
        synchronized (VxlanEndpoint.class) {
            BY_PORT.remove(key, this);
        }
        socket.close();
        if (Shutdown.join(reader)) {
            socket.release();
        } else {
            Shutdown.leftRunning("vxlan on " + where);
        }
    }

    /**
     * The VNI of a received datagram of {@code length} bytes at {@code offset}, or {@link #MALFORMED}: without
     * the I flag, or without room for an Ethernet header after the VXLAN header. The other flags and reserved
     * fields are ignored, as RFC 7348 section 5 asks of a receiver.
     */
    static int vniOf(ByteBuffer datagram, int offset, int length) {
        return VxlanHeader.check(datagram, offset, length) == WireError.NONE ? VxlanHeader.vni(datagram, offset) : MALFORMED;
    }

    /**
     * The reader's thread: the datagrams queued on the socket come in batches ({@link DatagramBatch}), each
     * batch {@link #forward}'s, compiled as any method; the test for the end (a receive of -1: closed) stays
     * in this loop (see TapNetdev's reader).
     */
    private void readLoop() {
        try {
            DatagramBatch batch = socket.batch();
            for (int n; (n = batch.receive()) >= 0; ) {
                forward(batch, n);
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                Log.warn("vxlan: " + where + ": receive failed, the port's vxlan netdevs receive no more: "
                        + e.getMessage());
            }
        }
    }

    /**
     * Hands the frame of each datagram of the batch to the vxlan netdev of its VNI, or counts it; then each
     * netdev sends on what it coalesced ({@link VxlanNetdev#batchEnded}).
     */
    private void forward(DatagramBatch batch, int count) {
        VxlanNetdev[] to = members;
        for (int i = 0; i < count; i++) {
            forward(batch, i, to);
        }
        for (VxlanNetdev m : to) {
            m.batchEnded();
        }
    }

    private void forward(DatagramBatch batch, int i, VxlanNetdev[] to) {
        int length = batch.length(i);
        if (length == 0) {
            return;
        }
        ByteBuffer datagram = batch.buffer();
        int offset = batch.offset(i);
        int vni = vniOf(datagram, offset, length);
        if (vni == MALFORMED) {
            malformed.incrementAndGet();
            return;
        }
        VxlanNetdev member = memberOf(to, vni);
        if (member == null) {
            if (otherVni.getAndIncrement() == 0) {
                Log.info("vxlan: " + where + ": datagrams of VNI " + vni + ", which no vxlan netdev here "
                        + "serves, are dropped (this line once; info network counts them)");
            }
            return;
        }
        member.received(datagram, offset + VxlanHeader.LENGTH, length - VxlanHeader.LENGTH, batch, i);
    }

    private static VxlanNetdev memberOf(VxlanNetdev[] members, int vni) {
        for (VxlanNetdev m : members) {
            if (m.vni() == vni) {
                return m;
            }
        }
        return null;
    }
}
