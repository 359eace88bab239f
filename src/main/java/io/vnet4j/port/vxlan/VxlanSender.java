package io.vnet4j.port.vxlan;

import io.vnet4j.Log;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.VxlanHeader;
import io.vnet4j.wire.WireError;
import io.vnet4j.wire.offload.FrameSink;
import io.vnet4j.wire.offload.TcpSegmenter;
import java.io.IOException;
import java.net.Inet4Address;
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
 */
final class VxlanSender implements FrameSink {
    /** Sockets the source port is chosen among. */
    static final int SOURCE_PORTS = 16;
    /** UDP GSO's bounds: UDP_MAX_SEGMENTS (64 before Linux 6.9) and an IP packet's 64 KiB with headers. */
    private static final int MAX_BATCH_DATAGRAMS = 64;
    private static final int MAX_BATCH_BYTES = 65_000;

    private final String id;
    private final int vni;
    private final int dstport;
    private final Inet4Address bindAddress;
    private final boolean multicast;
    private final NativeDatagramSocket[] sockets = new NativeDatagramSocket[SOURCE_PORTS];
    private final ByteBuffer[] buffers = new ByteBuffer[SOURCE_PORTS];
    /** Each socket's UDP_SEGMENT now (0: off). */
    private final int[] segmentSizes = new int[SOURCE_PORTS];
    private final int[] sourcePorts;
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private boolean udpGso = true;
    private boolean toldNoSocket;

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
     * @param bindAddress the address datagrams leave from (any address: the kernel picks)
     * @param multicast whether the sockets send to a multicast group (TTL 1, no loop) from {@code bindAddress}
     */
    VxlanSender(String id, int vni, int dstport, int[] sourcePorts, Inet4Address bindAddress, boolean multicast) {
        this.id = id;
        this.vni = vni;
        this.dstport = dstport;
        this.sourcePorts = sourcePorts;
        this.bindAddress = bindAddress;
        this.multicast = multicast;
    }

    /**
     * Sends one frame (a large TCP segment when {@code segmentSize} > 0) to {@code to}, or to each of
     * {@code floodList} when null.
     *
     * @return the datagrams lost (no route, refused, too large, a segment that could not be cut)
     */
    int send(ByteBuffer frame, int offset, int length, int segmentSize, IpAddress to, List<IpAddress> floodList) {
        slot = (int) (((InnerFlow.hash(frame, offset, length) & 0xFFFF_FFFFL) * sourcePorts.length) >>> 32);
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
        if (datagrams > 0 && (!udpGso || lastWasShort || size > datagramSize || datagrams == MAX_BATCH_DATAGRAMS
                || used + size > MAX_BATCH_BYTES)) {
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

    /** Sends the batch: one datagram, or several of {@link #datagramSize} through UDP GSO. */
    private void flush() {
        if (datagrams == 0) {
            return;
        }
        NativeDatagramSocket socket = sockets[slot];
        int wanted = datagrams > 1 ? datagramSize : segmentSizes[slot] != 0 && used > segmentSizes[slot] ? 0 : -1;
        if (wanted >= 0 && wanted != segmentSizes[slot]) {
            try {
                socket.setUdpSegment(wanted);
                segmentSizes[slot] = wanted;
            } catch (IOException e) {
                udpGso = false; // resent below one by one; every later batch is one datagram
                Log.info(id + ": no UDP GSO here (" + e.getMessage() + "): one system call per datagram");
                resendOneByOne(socket);
                return;
            }
        }
        transmit(socket, used, datagrams);
        used = 0;
        datagrams = 0;
    }

    /** The batch, datagram by datagram, after UDP GSO turned out to be missing. */
    private void resendOneByOne(NativeDatagramSocket socket) {
        ByteBuffer out = buffers[slot];
        int size = datagramSize;
        for (int at = 0; at < used; at += size) {
            int n = Math.min(size, used - at);
            if (at > 0) {
                out.put(0, out, at, n); // send() sends from the buffer's start
            }
            transmit(socket, n, 1);
        }
        used = 0;
        datagrams = 0;
    }

    private void transmit(NativeDatagramSocket socket, int length, int count) {
        if (target != null) {
            if (socket.send(length, socket.prepareDestination(target, dstport)) != 0) {
                lost += count;
            }
            return;
        }
        for (IpAddress r : flood) {
            if (socket.send(length, socket.prepareDestination(r, dstport)) != 0) {
                lost += count;
            }
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

    private NativeDatagramSocket bind(int port) throws IOException {
        NativeDatagramSocket s = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(bindAddress, port), true);
        if (multicast) {
            try {
                s.configureMulticastSender(bindAddress, false);
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
