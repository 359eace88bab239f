package io.vnet4j.port.dgram;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.fabric.FrameQueue;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.fabric.QueuedPort;
import io.vnet4j.os.DatagramBatch;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * QEMU's datagram transports, one frame per datagram: {@code -netdev dgram} (inet or unix),
 * {@code -netdev socket,udp=...} and {@code -netdev socket,mcast=...}.
 *
 * <p>Multicast interoperates with QEMU's socket netdev: QEMU binds the group address and port, joins the
 * group and sends from that same socket with multicast loop on. We receive the same way but send from a
 * second socket on an ephemeral port, so the datagrams that loop back to us are recognised by their source
 * port and not delivered to the hub a second time.
 */
public final class DatagramNetdev extends QueuedPort implements Netdev {

    /**
     * Where to receive and where to send; {@code interfaceAddress} only for multicast. A unix {@code local}
     * path is bound only when free or stale ({@link SocketFiles#prepare}) and removed on close while it is
     * still the socket bound there.
     */
    public record Spec(DatagramEndpoint local, DatagramEndpoint remote, Inet4Address interfaceAddress) {}

    private final Spec spec;
    private final String settings;
    private final Hub hub;
    private NativeDatagramSocket receiver;
    private NativeDatagramSocket sender;
    private int destinationLength;
    /** Tells our own multicast datagrams coming back from peers'; null without multicast. */
    private OwnMulticast ownMulticast;
    private Thread reader;
    private Thread writer;
    private OwnedFile socketFile;

    public DatagramNetdev(String id, String type, String settings, Spec spec, Hub hub) {
        super(id, type, DEFAULT_QUEUE_BYTES);
        this.spec = spec;
        this.settings = settings;
        this.hub = hub;
    }

    /** The hub this netdev was made for: it stays when the port is detached (see {@link #attachedHub}). */
    @Override
    public Hub hub() {
        return hub;
    }

    @Override
    public String describe() {
        return settings;
    }

    /** What the kernel dropped before this port read it, when it can tell ({@link NativeDatagramSocket#receiveDrops}). */
    @Override
    public List<String> details() {
        NativeDatagramSocket r = receiver;
        long drops = r == null ? -1 : r.receiveDrops();
        return drops < 0 ? List.of() : List.of("datagrams the kernel dropped before they were read (the socket's receive "
                + "queue full, or a bad UDP checksum) " + drops);
    }

    @Override
    public List<Port> ports() {
        return List.of(this);
    }

    @Override
    public void start() throws IOException {
        try {
            if (spec.remote().isMulticast()) {
                openMulticast((DatagramEndpoint.Inet) spec.remote());
            } else {
                if (spec.local() instanceof DatagramEndpoint.Unix unix) {
                    SocketFiles.prepare(Path.of(unix.path()));
                }
                receiver = NativeDatagramSocket.bound(spec.local(), false);
                sender = receiver;
                if (spec.local() instanceof DatagramEndpoint.Unix unix) {
                    socketFile = OwnedFile.claim(Path.of(unix.path()));
                }
            }
            receiver.setBufferSizes(1 << 20);
        } catch (IOException e) {
            releaseSockets();
            if (socketFile != null) {
                socketFile.delete();
            }
            throw new IOException(id() + ": " + e.getMessage(), e);
        }
        destinationLength = sender.prepareDestination(spec.remote());
        run();
    }

    /**
     * Starts over a socket that someone else opened and {@link NativeDatagramSocket#connect connected} to
     * its one peer (the VDE transports): frames go to that peer, {@code spec.remote()} is not used, and the
     * socket is released on {@link #close()}, with {@code socketFile} (the file it is bound at, or null
     * when it has none) removed while still ours.
     */
    public void start(NativeDatagramSocket connected, OwnedFile socketFile) throws IOException {
        this.socketFile = socketFile;
        receiver = connected;
        sender = connected;
        try {
            receiver.setBufferSizes(1 << 20);
        } catch (IOException e) {
            releaseSockets();
            throw new IOException(id() + ": " + e.getMessage(), e);
        }
        destinationLength = 0;
        run();
    }

    private void run() {
        hub.attach(this);
        reader = Thread.ofPlatform().daemon().name("vnet4j-" + id() + "-rx").start(this::readLoop);
        writer = Thread.ofPlatform().daemon().name("vnet4j-" + id() + "-tx").start(this::writeLoop);
    }

    private void openMulticast(DatagramEndpoint.Inet group) throws IOException {
        InetAddress ifaddr = spec.interfaceAddress() != null ? spec.interfaceAddress()
                : DatagramEndpoint.any(0).address();
        receiver = NativeDatagramSocket.bound(group, true);
        receiver.joinMulticast(group.address(), ifaddr, 0);
        sender = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(ifaddr, 0), false);
        sender.configureMulticastSender(ifaddr, 0, true);
        ownMulticast = OwnMulticast.of(sender.localPort());
    }

    /**
     * The reader's thread: the datagrams queued on the socket come in batches ({@link DatagramBatch}), each
     * batch {@link #forward}'s, compiled as any method; the test for the end (a receive of -1: closed) stays
     * in this loop (see TapNetdev's reader).
     */
    private void readLoop() {
        try {
            DatagramBatch batch = receiver.batch();
            for (int n; (n = batch.receive()) >= 0; ) {
                forward(batch, n);
            }
        } catch (IOException e) {
            Log.warn(id() + ": receive failed, port stopped: " + e.getMessage());
        }
    }

    /**
     * Hands each datagram of the batch to the hub ({@link #deliverOfBatch}: a TCP flow's segments may go as
     * one), unless it is empty or our own multicast coming back.
     */
    private void forward(DatagramBatch batch, int count) {
        for (int i = 0; i < count; i++) {
            int length = batch.length(i);
            if (length > 0 && (ownMulticast == null || !ownMulticast.isOwn(batch, i))) {
                deliverOfBatch(batch.buffer(), batch.offset(i), length);
            }
        }
        endBatch();
    }

    private void writeLoop() {
        ByteBuffer out = sender.sendBuffer().asByteBuffer();
        int[] length = new int[1];
        FrameQueue.FrameHandler copier = (ring, offset, len, segmentSize) -> {
            if (len > NativeDatagramSocket.MAX_DATAGRAM) {
                length[0] = -1; // a hub carries frames up to 69632 bytes; no datagram holds one this big
                return;
            }
            out.put(0, ring, offset, len);
            length[0] = len;
        };
        try {
            while (true) {
                // the budget must admit any queued frame, or an oversized one would stay at the head forever
                int n = queue.drain(copier, queue.capacity(), 1, FrameQueue.FOREVER);
                if (n < 0) {
                    return;
                }
                if (n == 1 && (length[0] < 0 || sender.send(length[0], destinationLength) != 0)) {
                    // too big, or the peer is not there (yet): the frame is lost, as on a real wire
                    counters().countTxDrop();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        super.close();
        if (receiver != null) {
            receiver.close();
        }
        if (sender != null) {
            sender.close();
        }
        if (Shutdown.join(reader) & Shutdown.join(writer)) {
            releaseSockets();
        } else {
            Shutdown.leftRunning(id());
        }
        if (socketFile != null) {
            socketFile.delete();
        }
    }

    private void releaseSockets() {
        if (sender != null && sender != receiver) {
            sender.release();
        }
        if (receiver != null) {
            receiver.release();
        }
        sender = null;
        receiver = null;
    }
}
