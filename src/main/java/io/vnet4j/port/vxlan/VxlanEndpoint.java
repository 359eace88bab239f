package io.vnet4j.port.vxlan;

import io.vnet4j.Log;
import io.vnet4j.Shutdown;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.wire.VxlanHeader;
import io.vnet4j.wire.WireError;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One UDP port's VXLAN socket, shared by every vxlan netdev of this process on that port and
 * demultiplexed by VNI, as Linux shares one socket among its vxlan devices: several VNIs on port 4789 is
 * the common case. As Linux's, the socket is bound to any address ({@code local=} is where datagrams
 * leave from) and joins each multicast group its netdevs use. A reader
 * thread checks each datagram (the I flag, room for an Ethernet header: else counted as malformed) and
 * hands it to the netdev of its VNI (none: counted as of another VNI). Made by the first netdev that
 * joins, closed when the last leaves.
 */
final class VxlanEndpoint {
    /** What {@link #vniOf} returns for a datagram without the I flag or too short for a frame. */
    static final int MALFORMED = -1;

    /** The endpoints of this process, by UDP port; guarded by the class's monitor. */
    private static final Map<Integer, VxlanEndpoint> BY_PORT = new HashMap<>();

    private final int port;
    private final NativeDatagramSocket socket;
    private volatile VxlanNetdev[] members = {};
    private final Thread reader;
    final AtomicLong otherVni = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();

    private VxlanEndpoint(int port, NativeDatagramSocket socket) {
        this.port = port;
        this.socket = socket;
        this.reader = Thread.ofPlatform().daemon().name("vnet4j-vxlan-" + port + "-rx").start(this::readLoop);
    }

    /**
     * Joins {@code netdev} (VNI {@code vni}; multicast {@code group} on {@code groupInterface}, or null) to
     * the endpoint of {@code port}, making it if needed.
     *
     * @throws IOException when the port cannot be bound, or already carries {@code vni}
     */
    static synchronized VxlanEndpoint join(VxlanNetdev netdev, int vni, int port, Inet4Address group,
                                           Inet4Address groupInterface) throws IOException {
        VxlanEndpoint e = BY_PORT.get(port);
        if (e == null) {
            NativeDatagramSocket s = NativeDatagramSocket.bound(DatagramEndpoint.any(port), true);
            try {
                s.setBufferSizes(1 << 20);
            } catch (IOException ex) {
                s.release();
                throw ex;
            }
            e = new VxlanEndpoint(port, s);
            BY_PORT.put(port, e);
        }
        for (VxlanNetdev m : e.members) {
            if (m.vni() == vni) {
                throw new IOException("VNI " + vni + " on UDP port " + port + " is already vxlan netdev " + m.id());
            }
        }
        if (group != null) {
            e.socket.joinMulticast(new DatagramEndpoint.Inet(group, port),
                    groupInterface != null ? groupInterface : DatagramEndpoint.any(0).address());
        }
        VxlanNetdev[] grown = Arrays.copyOf(e.members, e.members.length + 1);
        grown[e.members.length] = netdev;
        e.members = grown;
        return e;
    }

    /** Takes {@code netdev} off; the last one closes the socket. */
    void leave(VxlanNetdev netdev) {
        synchronized (VxlanEndpoint.class) {
            VxlanNetdev[] left = Arrays.stream(members).filter(m -> m != netdev).toArray(VxlanNetdev[]::new);
            members = left;
            if (left.length > 0) {
                return;
            }
            BY_PORT.remove(port);
        }
        socket.close();
        Shutdown.join(reader);
        socket.release();
    }

    /**
     * The VNI of a received datagram of {@code length} bytes, or {@link #MALFORMED}: without the I flag, or
     * without room for an Ethernet header after the VXLAN header. The other flags and reserved fields are
     * ignored, as RFC 7348 section 5 asks of a receiver.
     */
    static int vniOf(ByteBuffer datagram, int length) {
        return VxlanHeader.check(datagram, 0, length) == WireError.NONE ? VxlanHeader.vni(datagram, 0) : MALFORMED;
    }

    private void readLoop() {
        try {
            while (!socket.isClosed()) {
                int length = socket.receive();
                if (length <= 0) {
                    continue;
                }
                ByteBuffer datagram = socket.receivedBuffer();
                int vni = vniOf(datagram, length);
                if (vni == MALFORMED) {
                    malformed.incrementAndGet();
                    continue;
                }
                VxlanNetdev to = memberOf(vni);
                if (to == null) {
                    if (otherVni.getAndIncrement() == 0) {
                        Log.info("vxlan: UDP port " + port + ": datagrams of VNI " + vni + ", which no vxlan netdev here "
                                + "serves, are dropped (this line once; info network counts them)");
                    }
                    continue;
                }
                to.received(datagram, length - VxlanHeader.LENGTH, socket.lastSourceIpv4());
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                Log.warn("vxlan: UDP port " + port + ": receive failed, the port's vxlan netdevs receive no more: "
                        + e.getMessage());
            }
        }
    }

    private VxlanNetdev memberOf(int vni) {
        for (VxlanNetdev m : members) {
            if (m.vni() == vni) {
                return m;
            }
        }
        return null;
    }
}
