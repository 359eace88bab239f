package io.vnet4j.port.vhostuser;

import static io.vnet4j.port.vhostuser.VhostUserProtocol.*;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.InternalErrors;
import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.PeerPortsNetdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.os.DescriptorStream;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code -netdev vhost-user,id=ID,path=PATH}: a vhost-user back-end (QEMU's docs/interop/vhost-user.rst) on a
 * unix socket, for a QEMU guest started with {@code -chardev socket,id=c,path=PATH -netdev
 * vhost-user,id=n,chardev=c -device virtio-net-pci,netdev=n} and its memory shared ({@code -object
 * memory-backend-memfd,id=mem,size=...,share=on -machine memory-backend=mem}). The guest's virtio-net queues
 * are then read and written here, in its memory, with no copy and no hop through QEMU's own loop: what passt
 * does with {@code --vhost-user}.
 *
 * <p>One front-end at a time is served (a second connection is refused while one lasts), each as port
 * {@code ID} on the hub from its connection to its end; the socket file is bound only when free or stale and
 * removed on close while it is still ours ({@link SocketFiles}). The control messages are handled on a thread
 * of the connection's own; a message the connection cannot survive (malformed, or a feature this back-end
 * did not offer) ends it with one log line.</p>
 */
public final class VhostUserNetdev extends PeerPortsNetdev {
    private final String settings;
    private final Path path;
    private volatile ServerSocketChannel server;
    private volatile OwnedFile socketFile;
    private volatile Thread acceptor;
    /** The connection served now, or null. */
    private volatile SocketChannel serving;
    /** Its control stream while one is read, for {@link #close} to end the wait; and the thread reading it. */
    private volatile DescriptorStream servingStream;
    private volatile Thread controlThread;
    private volatile VhostUserPort port;
    private volatile boolean closed;
    private final InternalErrors internalErrors;
    /** A second front-end's refusal was said while this connection is served (the accepting thread's). */
    private boolean refusalSaid;
    private static final long REFUSED_PAUSE_MILLIS = 200;
    /** How soon after connecting a front-end that gave up on its handshake leaves, at most (ms; QEMU 7.2: 30). */
    private static final long HANDSHAKE_MILLIS = 1000;
    /** When a front-end last left during its handshake (System.nanoTime()); the next is served that much later. */
    private volatile long leftEarlyAt = System.nanoTime() - REFUSED_PAUSE_MILLIS * 1_000_000;
    private boolean leftEarlySaid;
    private boolean leftUnstartedSaid;
    /** A front-end's connections and their ends are a line a second after ten: QEMU giving up in its handshake reconnects for ever. */
    private final LineBudget connectionLines = new LineBudget(10, Duration.ofSeconds(1));
    /** How long after VHOST_USER_SET_FEATURES the guest's memory must have come before that is said. */
    private static final long MEMORY_EXPECTED_MILLIS = 3000;

    public VhostUserNetdev(String id, String settings, Path path, Hub hub) {
        super(id, "vhost-user", hub);
        this.settings = settings;
        this.path = path;
        this.internalErrors = new InternalErrors(id);
    }

    @Override
    public String describe() {
        VhostUserPort p = port;
        return p == null ? settings + " (no front-end connected)" : p.describe();
    }

    @Override
    public List<Port> ports() {
        VhostUserPort p = port;
        return p == null ? List.of() : List.of(p);
    }

    @Override
    protected List<? extends Port> portsNow() {
        return ports();
    }

    @Override
    public void start() throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socketFile = SocketFiles.bind(ch, path);
        } catch (IOException e) {
            ch.close();
            throw new IOException(id + ": cannot listen on " + settings + ": " + e.getMessage(), e);
        }
        server = ch;
        acceptor = Acceptor.startFor(id, server, () -> closed, this::started);
    }

    /**
     * A front-end connected: served on a thread of its own, unless one is served already (then refused). A
     * front-end that reconnects at once finds its old connection still being taken down: it is given up to
     * {@value #REFUSED_PAUSE_MILLIS} ms to end, so only a second front-end is refused, and its retries are paced
     * by that wait.
     */
    private void started(SocketChannel channel) throws InterruptedException {
        boolean busy;
        synchronized (this) {
            long deadline = System.nanoTime() + REFUSED_PAUSE_MILLIS * 1_000_000;
            for (long left; serving != null && !closed && (left = deadline - System.nanoTime()) > 0; ) {
                wait(Math.max(1, left / 1_000_000));
            }
            busy = serving != null || closed;
            if (!busy) {
                serving = channel;
                refusalSaid = false;
            }
        }
        if (busy) {
            refuse(channel);
            return;
        }
        long sinceEarlyLeave = System.nanoTime() - leftEarlyAt;
        if (sinceEarlyLeave < REFUSED_PAUSE_MILLIS * 1_000_000) { // QEMU's loop of giving up: paced, not a core spent
            Thread.sleep(REFUSED_PAUSE_MILLIS - sinceEarlyLeave / 1_000_000);
        }
        // a platform thread: it blocks in recvmsg(2), outside the JDK's knowledge
        controlThread = Thread.ofPlatform().daemon().name("vnet4j-" + id + "-control")
                .start(Log.hushedIfNow(() -> serve(channel)));
    }

    /**
     * A front-end left before setting features, within {@value #HANDSHAKE_MILLIS} ms of connecting: QEMU does
     * so, and connects again at once, when its netdev asks for more queue pairs than the back-end offers (QEMU
     * 7.2: "you are asking more queues than supported: 1", some 30 ms after connecting). Said once; the next
     * connection is served {@value #REFUSED_PAUSE_MILLIS} ms later.
     */
    private void leftEarly() {
        leftEarlyAt = System.nanoTime();
        if (!leftEarlySaid) {
            leftEarlySaid = true;
            Log.warn(id + ": the vhost-user front-end left during its handshake, before setting features; QEMU does so, "
                    + "and reconnects at once, when its -netdev vhost-user asks for more queue pairs than the one vnet4j "
                    + "serves: give it queues=1 (the default)");
        }
    }

    /**
     * A front-end left later than {@value #HANDSHAKE_MILLIS} ms after connecting, but before the guest's driver
     * started the NIC (SET_FEATURES): QEMU quit early, or crashed, as QEMU 7.2 without KVM does (a segmentation
     * fault in msix_set_vector_notifiers) when the driver starts a vhost-user NIC that has MSI-X. Said once.
     */
    private void leftUnstarted() {
        if (!leftUnstartedSaid) {
            leftUnstartedSaid = true;
            Log.warn(id + ": the vhost-user front-end left before the guest's driver started the NIC; if QEMU crashed"
                    + " (QEMU 7.2 without KVM does, in msix_set_vector_notifiers, when the NIC has MSI-X), give it"
                    + " -device virtio-net-pci,...,vectors=0");
        }
    }

    /**
     * Closes a second front-end's connection. QEMU 7.2 connects again at once, thousands of times a second,
     * until it is served: said once per connection served; {@link #started}'s wait lets the retries come at
     * most every {@value #REFUSED_PAUSE_MILLIS} ms (and it is served within that time of the first one going).
     */
    private void refuse(SocketChannel channel) {
        if (!refusalSaid && !closed) {
            refusalSaid = true;
            Log.warn(id + ": a second vhost-user front-end connected while one is served; refused (its retries are"
                    + " refused without a word until the first goes, then it is served)");
        }
        Shutdown.closeQuietly(channel);
    }

    private void serve(SocketChannel channel) {
        DescriptorStream stream = null;
        VhostUserDevice device = new VhostUserDevice(VhostUserDevice.SHARED);
        VhostUserPort p = null;
        boolean endOfStream = false;
        long connectedAt = System.nanoTime();
        try {
            stream = DescriptorStream.of(channel, HEADER + MAX_PAYLOAD);
            servingStream = stream;
            if (closed) {
                return;
            }
            p = new VhostUserPort(id, settings, device, internalErrors);
            port = p;
            adopt(p);
            hub.attach(p);
            p.start();
            connectionLines.info(id + ": vhost-user front-end connected to hub " + hub.id());
            converse(stream, device, p);
            endOfStream = !closed;
        } catch (VhostUserDevice.ProtocolException e) {
            connectionLines.warn(id + ": vhost-user front-end: " + e.getMessage() + "; connection closed");
        } catch (RuntimeException e) {
            internalErrors.record("the vhost-user connection was closed", e); // a bug: said, and the VM's next connection goes on
        } catch (IOException e) {
            if (!closed) {
                connectionLines.info(id + ": vhost-user connection ended: " + e.getMessage());
            }
        } finally {
            if (p != null) {
                String station = hub.describeStation(p.lastSourceMac());
                p.close();
                port = null;
                if (!closed) {
                    connectionLines.info(id + ": vhost-user front-end disconnected" + (station == null ? "" : " (" + station + ")"));
                    if (endOfStream && !device.featuresSet()) { // it hung up by itself, before setting features
                        if (System.nanoTime() - connectedAt < HANDSHAKE_MILLIS * 1_000_000) {
                            leftEarly();
                        } else {
                            leftUnstarted();
                        }
                    }
                }
            }
            device.close();
            synchronized (this) {
                servingStream = null;
                serving = null;
                notifyAll(); // a front-end reconnecting at once waits in started()
            }
            Shutdown.closeQuietly(channel);
            if (stream != null) {
                stream.release();
            }
        }
    }

    /** Reads and answers messages until the front-end goes. */
    private void converse(DescriptorStream stream, VhostUserDevice device, VhostUserPort p)
            throws IOException, VhostUserDevice.ProtocolException {
        ByteBuffer in = stream.buffer();
        ByteBuffer reply = ByteBuffer.allocate(HEADER + 64).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer replyPayload = reply.slice(HEADER, 64).order(ByteOrder.LITTLE_ENDIAN);
        int[] fds = new int[DescriptorStream.MAX_DESCRIPTORS];
        boolean saidUnknown = false;
        boolean memoryWatched = false;
        while (!closed) {
            int fdCount = receive(stream, 0, HEADER, fds);
            if (fdCount < 0) {
                return; // the end of the stream
            }
            int request = in.getInt(0);
            int flags = in.getInt(4);
            int size = in.getInt(8);
            if ((flags & VERSION_MASK) != VERSION || size < 0 || size > MAX_PAYLOAD) {
                closeAll(fds, fdCount);
                throw new VhostUserDevice.ProtocolException(String.format(
                        "%s with flags 0x%x and a payload of %s bytes (expected version 1, at most %d bytes)",
                        name(request), flags, Integer.toUnsignedString(size), MAX_PAYLOAD));
            }
            if (size > 0 && receive(stream, HEADER, size, null) < 0) {
                closeAll(fds, fdCount);
                return;
            }
            ByteBuffer payload = in.slice(HEADER, size).order(ByteOrder.LITTLE_ENDIAN);
            boolean kickMayGo = request == SET_VRING_KICK || request == GET_VRING_BASE;
            if (kickMayGo) {
                p.unwatchKick();
            }
            int replyLength;
            boolean failed = false;
            if (VhostUserDevice.known(request)) {
                replyLength = device.handle(request, payload, fds, fdCount, replyPayload);
            } else {
                closeAll(fds, fdCount);
                replyLength = -1;
                failed = true;
                if (!saidUnknown) {
                    saidUnknown = true;
                    Log.warn(id + ": vhost-user front-end sent " + name(request) + ", which this back-end does not know;"
                            + " answered as failed");
                }
            }
            if (kickMayGo) {
                p.watchKick();
            }
            if (replyLength < 0 && (flags & FLAG_NEED_REPLY) != 0) {
                replyPayload.putLong(0, failed ? 1 : 0); // REPLY_ACK: 0 for success
                replyLength = 8;
            }
            if (replyLength >= 0) {
                reply.putInt(0, request);
                reply.putInt(4, VERSION | FLAG_REPLY);
                reply.putInt(8, replyLength);
                stream.send(reply, HEADER + replyLength);
            }
            p.queuesChanged();
            if (request == SET_FEATURES && device.regions() == 0 && !memoryWatched) {
                memoryWatched = true;
                Thread.ofVirtual().start(() -> expectMemory(device, stream));
            }
        }
    }

    /**
     * Says so when the guest's driver started but its memory never came (QEMU sends SET_MEM_TABLE right after
     * SET_FEATURES when the guest's RAM is a shared memory backend; otherwise it falls back to its own virtio
     * and this back-end sees nothing more): the guest has no network, and only QEMU's standard error said why.
     */
    private void expectMemory(VhostUserDevice device, DescriptorStream stream) {
        try {
            Thread.sleep(MEMORY_EXPECTED_MILLIS);
        } catch (InterruptedException e) {
            return;
        }
        if (device.regions() == 0 && servingStream == stream && !closed) {
            Log.warn(id + ": the vhost-user front-end started the device but shared no guest memory: the guest has no"
                    + " network; start QEMU with -object memory-backend-memfd,id=mem,size=SIZE,share=on"
                    + " -machine memory-backend=mem (SIZE as -m)");
        }
    }

    /**
     * Receives exactly {@code length} bytes at {@code offset} of the stream's buffer; descriptors only with the
     * first part ({@code fds} null: none expected, any that come are closed).
     *
     * @return the number of descriptors, or -1 at the end of the stream
     */
    private static int receive(DescriptorStream stream, int offset, int length, int[] fds) throws IOException {
        int[] later = new int[DescriptorStream.MAX_DESCRIPTORS];
        int count = 0;
        int got = 0;
        while (got < length) {
            boolean first = fds != null && got == 0;
            long r = stream.receive(offset + got, length - got, first ? fds : later);
            int n = (int) r;
            int carried = (int) (r >>> 32);
            if (first) {
                count = carried;
            } else {
                closeAll(later, carried); // descriptors belong with a message's first bytes
            }
            if (n == 0) {
                if (fds != null) {
                    closeAll(fds, count);
                }
                return -1;
            }
            got += n;
        }
        return count;
    }

    private static void closeAll(int[] fds, int count) {
        for (int i = 0; i < count; i++) {
            DescriptorStream.closeDescriptor(fds[i]);
        }
    }

    @Override
    public void close() {
        closed = true;
        Shutdown.closeQuietly(server);
        synchronized (this) {
            DescriptorStream s = servingStream;
            if (s != null) {
                s.shutdown(); // ends the control thread's recvmsg; that thread closes the rest
            }
            notifyAll(); // an accept waiting in started() for the served front-end to go
        }
        Shutdown.join(acceptor);
        Shutdown.join(controlThread);
        if (socketFile != null) {
            socketFile.delete();
        }
    }
}
