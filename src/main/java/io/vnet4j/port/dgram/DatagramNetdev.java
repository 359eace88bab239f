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
import io.vnet4j.os.LinkWatch;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
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
 *
 * <p>A multicast netdev with an interface address ({@code localaddr=}, {@code local.host=}) follows the
 * interface that held it at start by name: Linux drops a group's membership with the interface, so when
 * it is deleted and made again (a bridge re-created, a VPN reconnected) the group is joined again on the
 * new one, and datagrams leave from it, as a VXLAN group's {@code dev=} is followed ({@link LinkWatch}).
 * Without an address the kernel picks the interface by route once, at start, as for QEMU.
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
    /** The watch on the interface of a multicast netdev's address, or null. */
    private LinkWatch.Subscription interfaceWatch;
    /** That interface's name, and the index the group was last joined on (0: none); guarded by this. */
    private String interfaceName;
    private int memberIndex;
    /** Set before the sockets are released (by {@link #close}, or a start that failed); guarded by this. */
    private boolean closed;
    /** The local port the kernel picked for a {@code local} port 0, which the peer must be told; else 0. */
    private volatile int pickedPort;

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
        int picked = pickedPort;
        return picked == 0 ? settings : settings + " (port " + picked + ", picked by the kernel)";
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
                if (spec.local() instanceof DatagramEndpoint.Inet inet && inet.port() == 0) {
                    pickedPort = receiver.localPort();
                }
                if (spec.local() instanceof DatagramEndpoint.Unix unix) {
                    socketFile = OwnedFile.claim(Path.of(unix.path()));
                }
            }
            receiver.setBufferSizes(1 << 20);
        } catch (IOException e) {
            stopWatching();
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

    /**
     * The one peer of a socket given to {@link #start(NativeDatagramSocket, OwnedFile)} is gone for good (a VDE
     * switch that closed our control connection: it stopped or restarted, and a new one knows nothing of this
     * plug): the link goes down, as a stream port's whose peer left, so {@code info network} says so and frames
     * for it are dropped and counted by the hub.
     */
    public void peerGone() {
        setCarrier(false);
    }

    private void run() {
        hub.attach(this);
        reader = Thread.ofPlatform().daemon().name("vnet4j-" + id() + "-rx").start(this::readLoop);
        writer = Thread.ofPlatform().daemon().name("vnet4j-" + id() + "-tx").start(this::writeLoop);
    }

    private void openMulticast(DatagramEndpoint.Inet group) throws IOException {
        InetAddress ifaddr = spec.interfaceAddress() != null ? spec.interfaceAddress()
                : DatagramEndpoint.any(0).address();
        NetworkInterface holder = spec.interfaceAddress() == null ? null : NetworkInterface.getByInetAddress(ifaddr);
        if (spec.interfaceAddress() != null && holder == null) { // the kernel would say only "No such device"
            throw new IOException((type().equals("dgram") ? "local.host=" : "localaddr=") + ifaddr.getHostAddress()
                    + ": no interface of this host (network namespace) has that address");
        }
        receiver = NativeDatagramSocket.bound(group, true);
        try {
            receiver.joinMulticast(group.address(), ifaddr, 0);
        } catch (NativeDatagramSocket.NoDeviceException e) {
            if (holder != null) {
                throw e;
            }
            // as QEMU's "can't add socket to multicast group ...: No such device" (cockpit-project/cockpit#12782)
            String option = type().equals("dgram") ? "local.host=" : "localaddr=";
            throw new IOException("cannot join multicast group " + group.address().getHostAddress()
                    + ": no route leads it to an interface (" + e.getMessage() + "); give " + option
                    + "ADDR, an address of the interface to join it on (" + option + "127.0.0.1: this host alone)", e);
        }
        sender = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(ifaddr, 0), false);
        sender.configureMulticastSender(ifaddr, 0, true);
        ownMulticast = OwnMulticast.of(sender.localPort());
        if (holder != null) {
            NetworkInterface link = holder.getParent() != null ? holder.getParent() : holder; // an alias's label is no link
            synchronized (this) {
                interfaceName = link.getName();
                memberIndex = link.getIndex();
            }
            interfaceWatch = LinkWatch.subscribe(link.getName(), link.getIndex(), this::interfaceIndexChanged);
        }
    }

    /**
     * The interface that held the multicast address at start was deleted ({@code index} 0) or is there again,
     * with a new index: the membership on the old index is left (the kernel dropped it with the interface; this
     * clears the socket's own list, which counts against igmp_max_memberships), the group joined on the new
     * one, and datagrams leave from it. Meanwhile nothing comes from the group and what is sent to it is lost,
     * counted; sends fail until the address is on an interface again, the sending socket being bound to it. On
     * the link watch's thread.
     */
    private synchronized void interfaceIndexChanged(int index) {
        if (closed) {
            return;
        }
        InetAddress group = ((DatagramEndpoint.Inet) spec.remote()).address();
        String what = interfaceName + " (the interface of " + spec.interfaceAddress().getHostAddress() + ")";
        if (memberIndex != 0) {
            try {
                receiver.leaveMulticast(group, null, memberIndex);
            } catch (IOException e) {
                // the interface went away, and the kernel's membership with it
            }
            memberIndex = 0;
        }
        if (index == 0) {
            Log.warn(id() + ": " + what + " is gone: nothing comes from group " + group.getHostAddress()
                    + " until an interface of that name is there again");
            return;
        }
        try {
            receiver.joinMulticast(group, null, index);
            memberIndex = index;
            sender.configureMulticastSender(null, index, true);
        } catch (IOException e) {
            Log.warn(id() + ": " + what + " is there again (index " + index + ") but group " + group.getHostAddress()
                    + " cannot be joined on it: " + e.getMessage() + "; netdev_del and netdev_add try again");
            return;
        }
        Log.info(id() + ": " + what + " is there again (index " + index + "): group " + group.getHostAddress()
                + " joined on it");
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
        stopWatching();
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

    /** Ends the interface's watch: a change it tells while it closes touches no socket from here on. */
    private void stopWatching() {
        if (interfaceWatch != null) {
            interfaceWatch.close();
        }
        synchronized (this) {
            closed = true;
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
