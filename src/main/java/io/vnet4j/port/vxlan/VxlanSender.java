package io.vnet4j.port.vxlan;

import io.vnet4j.base.Log;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.VxlanHeader;
import io.vnet4j.wire.WireError;
import io.vnet4j.wire.offload.FrameSink;
import io.vnet4j.wire.offload.TcpSegmenter;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A vxlan netdev's sending side, used by its one writer thread: frames encapsulated (RFC 7348) into
 * datagrams from one of up to {@value #SOURCE_PORTS} source-port sockets picked by the inner flow's hash
 * ({@link InnerFlow}), each bound on first use (to a kernel-picked port when its own cannot be had).
 *
 * <p>A large TCP segment (the hub hands it whole: {@link VxlanNetdev#takesLargeSegments()}) is cut here
 * into frames of its segment size, each behind its VXLAN header, back to back in the socket's buffer,
 * and leaves with UDP GSO (udp(7), UDP_SEGMENT: datagrams of the first one's size, the last shorter) in
 * one system call per 64 datagrams or 64 KB, as Linux's vxlan hands its segments to the underlay whole.
 * A socket's UDP_SEGMENT is set when a batch needs another size and cleared before a single datagram
 * longer than it, so an ordinary frame is never cut. A kernel without UDP GSO gets one call per frame.
 * The kernel fragments a datagram larger than the underlay's MTU (a guest whose MTU exceeds the inner
 * MTU) but refuses a UDP GSO batch of such segments (EMSGSIZE): that batch and every later one of its
 * size leave one datagram at a time.
 */
final class VxlanSender implements FrameSink {
    /** Sockets the source port is chosen among. */
    static final int SOURCE_PORTS = 16;
    /** UDP GSO's bounds: UDP_MAX_SEGMENTS (64 before Linux 6.9) and an IP packet's 64 KiB with headers. */
    private static final int MAX_BATCH_DATAGRAMS = 64;
    private static final int MAX_BATCH_BYTES = 65_000;
    /** errno(3): what a UDP GSO batch whose segments exceed the underlay's MTU meets. */
    private static final int EMSGSIZE = 90;

    private final String id;
    private final int vni;
    private final int dstport;
    private final InetAddress bindAddress;
    /** The interface multicast datagrams are to leave from: -1 for unicast, 0 the kernel's pick. */
    private volatile int multicastIfindex;
    /** The one the sockets bound so far use; the writer's. */
    private int socketsIfindex;
    private final NativeDatagramSocket[] sockets = new NativeDatagramSocket[SOURCE_PORTS];
    private final ByteBuffer[] buffers = new ByteBuffer[SOURCE_PORTS];
    /** Each socket's UDP_SEGMENT now (0: off). */
    private final int[] segmentSizes = new int[SOURCE_PORTS];
    private final int[] sourcePorts;
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private boolean udpGso = true;
    /** Datagrams this long or longer leave one at a time: the underlay's MTU refused them batched. */
    private int gsoTooLarge = Integer.MAX_VALUE;
    /** The largest datagram the underlay carries whole (bytes), {@link Integer#MAX_VALUE} when unknown. */
    private final int maxDatagram;
    /** A datagram larger than {@link #maxDatagram} was said in the log. */
    private boolean toldFragmented;
    private boolean toldNoSocket;
    private boolean toldSendFailed;

    // the batch being built by accept(): its socket slot, where it goes, its bytes, datagrams and their size
    private int slot;
    private IpAddress target;
    private List<IpAddress> flood;
    private int used;
    private int datagrams;
    private int datagramSize;
    private boolean lastWasShort;
    private int lost;

    /**
     * @param sourcePorts the ports the slots are bound to, one per slot (at most {@value #SOURCE_PORTS})
     * @param bindAddress the address datagrams leave from (any address of its family: the kernel picks)
     * @param multicastIfindex -1 for unicast; else the sockets send to a multicast group (TTL 1, no loop) out of
     *     the interface of that index (0: the kernel picks; for IPv4 the one holding {@code bindAddress})
     * @param maxDatagram the largest datagram (VXLAN header and frame, bytes) the underlay's MTU carries whole,
     *     {@link Integer#MAX_VALUE} when its MTU is unknown; a larger one is said once
     */
    VxlanSender(String id, int vni, int dstport, int[] sourcePorts, InetAddress bindAddress, int multicastIfindex,
                int maxDatagram) {
        this.id = id;
        this.maxDatagram = maxDatagram;
        this.vni = vni;
        this.dstport = dstport;
        this.sourcePorts = sourcePorts;
        this.bindAddress = bindAddress;
        this.multicastIfindex = multicastIfindex;
        this.socketsIfindex = multicastIfindex;
    }

    /** Datagrams to the group leave from the interface of index {@code ifindex} from the next frame on; any thread. */
    void multicastInterface(int ifindex) {
        multicastIfindex = ifindex;
    }

    /**
     * Sends one frame (a large TCP segment when {@code segmentSize} > 0) to {@code to}, or to each of
     * {@code floodList} when null.
     *
     * @return the datagrams lost (no route, refused, too large, a segment that could not be cut)
     */
    int send(ByteBuffer frame, int offset, int length, int segmentSize, IpAddress to, List<IpAddress> floodList) {
        slot = (int) (((InnerFlow.hash(frame, offset, length) & 0xFFFF_FFFFL) * sourcePorts.length) >>> 32);
        if (multicastIfindex != socketsIfindex) {
            moveMulticast();
        }
        if (socketOf(slot) == null) {
            return 1; // said once when it failed; the frame is lost and counted
        }
        target = to;
        flood = floodList;
        lost = 0;
        used = 0;
        datagrams = 0;
        lastWasShort = false;
        if (segmentSize <= 0) {
            accept(frame, offset, length);
        } else {
            if (segmenter.segment(frame, offset, length, segmentSize, this) != WireError.NONE) {
                lost++;
                used = 0;
                datagrams = 0;
            }
        }
        flush();
        return lost;
    }

    /** One frame (a whole one, or a piece of a large segment) behind its header, into the batch. */
    @Override
    public void accept(ByteBuffer frame, int offset, int length) {
        int size = VxlanHeader.LENGTH + length;
        if (size > NativeDatagramSocket.MAX_DATAGRAM) {
            lost++;
            return;
        }
        if (size > maxDatagram && !toldFragmented) {
            toldFragmented = true;
            Log.info(id + ": a datagram of " + size + " bytes does not fit the underlay's MTU (" + maxDatagram + " bytes of "
                    + "VXLAN at most): the kernel fragments such datagrams and the peer must reassemble them (give guests "
                    + "the inner MTU the start-up line names; said once)");
        }
        if (datagrams > 0 && (!udpGso || size >= gsoTooLarge || lastWasShort || size > datagramSize
                || datagrams == MAX_BATCH_DATAGRAMS || used + size > MAX_BATCH_BYTES)) {
            flush();
        }
        if (datagrams == 0) {
            datagramSize = size;
        }
        lastWasShort = size < datagramSize;
        ByteBuffer out = buffers[slot];
        VxlanHeader.write(out, used, vni);
        out.put(used + VxlanHeader.LENGTH, frame, offset, length);
        used += size;
        datagrams++;
    }

    /**
     * Sends the batch to its destinations: several datagrams of {@link #datagramSize} in one call each
     * through UDP GSO, else one call per datagram.
     */
    private void flush() {
        if (datagrams == 0) {
            return;
        }
        NativeDatagramSocket socket = sockets[slot];
        boolean gso = datagrams > 1 && datagramSize < gsoTooLarge && setSegment(socket, datagramSize);
        if (!gso && segmentSizes[slot] != 0 && (used > segmentSizes[slot] || used >= gsoTooLarge)) {
            setSegment(socket, 0); // a single datagram must leave whole, fragmented by the kernel if need be
        }
        int first = 0;
        if (gso) {
            for (; first < destinations(); first++) {
                int errno = socket.send(0, used, socket.prepareDestination(destination(first), dstport));
                if (errno == EMSGSIZE) {
                    refuseGsoAt(socket);
                    break;
                }
                count(errno, datagrams, used, destination(first));
            }
        }
        for (int at = 0; first < destinations() && at < used; at += datagramSize) {
            int n = Math.min(datagramSize, used - at);
            for (int d = first; d < destinations(); d++) {
                count(socket.send(at, n, socket.prepareDestination(destination(d), dstport)), 1, n, destination(d));
            }
        }
        used = 0;
        datagrams = 0;
    }

    private int destinations() {
        return target != null ? 1 : flood.size();
    }

    private IpAddress destination(int i) {
        return target != null ? target : flood.get(i);
    }

    /** Sets the socket's UDP_SEGMENT (0: off); false, and UDP GSO off for good, when the kernel lacks it. */
    private boolean setSegment(NativeDatagramSocket socket, int size) {
        if (segmentSizes[slot] == size) {
            return true;
        }
        try {
            socket.setUdpSegment(size);
            segmentSizes[slot] = size;
            return true;
        } catch (IOException e) {
            udpGso = false;
            Log.info(id + ": no UDP GSO here (" + e.getMessage() + "): one system call per datagram");
            return false;
        }
    }

    /**
     * The underlay refused a batch: its segments are larger than its MTU, and the kernel fragments a single
     * datagram but never a UDP GSO segment. Such sizes leave one datagram at a time from now on.
     */
    private void refuseGsoAt(NativeDatagramSocket socket) {
        gsoTooLarge = datagramSize;
        setSegment(socket, 0);
        Log.info(id + ": datagrams of " + datagramSize + " bytes do not fit the underlay's MTU: they leave one at a "
                + "time and the kernel fragments them (give guests the inner MTU the start-up line names)");
    }

    private void count(int errno, int count, int length, IpAddress to) {
        if (errno == 0) {
            return;
        }
        lost += count;
        if (!toldSendFailed) {
            toldSendFailed = true;
            Log.info(id + ": sending " + count + " datagram(s), " + length + " bytes, to " + to + " failed: "
                    + NativeDatagramSocket.errorText(errno) + " (this line once; lost datagrams are counted as dropped)");
        }
    }

    /**
     * Slot {@code slot}'s socket, bound on first use (to a port the kernel picks when the slot's own cannot
     * be had); null when no socket can be bound at all (out of descriptors, say), said once.
     */
    private NativeDatagramSocket socketOf(int slot) {
        if (sockets[slot] == null) {
            NativeDatagramSocket s;
            try {
                s = bind(sourcePorts[slot]);
            } catch (IOException e) {
                try {
                    s = bind(0);
                    Log.info(id + ": source port " + sourcePorts[slot] + " cannot be bound (" + e.getMessage()
                            + "); its flows leave from port " + s.localPort());
                } catch (IOException again) {
                    if (!toldNoSocket) {
                        toldNoSocket = true;
                        Log.warn(id + ": no socket to send from (" + again.getMessage() + "); frames are lost and counted");
                    }
                    return null;
                }
            }
            sockets[slot] = s;
            buffers[slot] = s.sendBuffer().asByteBuffer();
        }
        return sockets[slot];
    }

    /** The sockets bound so far send to the group from the interface {@link #multicastInterface} gave. */
    private void moveMulticast() {
        socketsIfindex = multicastIfindex;
        toldSendFailed = false; // a failure from the new interface is said again
        for (NativeDatagramSocket s : sockets) {
            if (s != null) {
                try {
                    sendToGroupFrom(s);
                } catch (IOException e) {
                    Log.info(id + ": the group's datagrams cannot leave from interface " + socketsIfindex + ": " + e.getMessage());
                }
            }
        }
    }

    /** Socket {@code s} sends to the group (TTL 1, no loop) out of interface {@link #socketsIfindex}. */
    private void sendToGroupFrom(NativeDatagramSocket s) throws IOException {
        s.configureMulticastSender(bindAddress.isAnyLocalAddress() ? null : bindAddress, socketsIfindex, false);
    }

    private NativeDatagramSocket bind(int port) throws IOException {
        NativeDatagramSocket s = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(bindAddress, port), true);
        if (socketsIfindex >= 0) {
            try {
                sendToGroupFrom(s);
            } catch (IOException e) {
                s.release();
                throw e;
            }
        }
        return s;
    }

    /** Closes the sockets; after the writer thread stopped. */
    void close() {
        for (NativeDatagramSocket s : sockets) {
            if (s != null) {
                s.close();
                s.release();
            }
        }
    }
}
