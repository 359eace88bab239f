package io.vnet4j.port.tap;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.fabric.FrameQueue;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.fabric.QueuedPort;
import io.vnet4j.fabric.ReadingLoop;
import io.vnet4j.os.InterfaceSetup;
import io.vnet4j.os.NetworkNamespace;
import io.vnet4j.os.TapDevice;
import io.vnet4j.os.UserNamespaceTap;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.WireError;
import io.vnet4j.wire.offload.GsoHeaderWriter;
import io.vnet4j.wire.offload.VirtioNetFrame;
import io.vnet4j.wire.offload.VirtioNetHeader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code -netdev tap}: a Linux TAP device as a port, so the hub becomes a host network interface — in
 * this network namespace or, with {@code netns=}, in another (the way rootless containers get their
 * network). With {@code configure=on} the interface comes up with an address from the hub's user network
 * (its .100, like slirp4netns), a default route via the gateway, and the MTU. QEMU's {@code script} and
 * {@code downscript} run with the interface name, inside the TAP's namespace. With {@code vnet_hdr=on} (the
 * default)
 * the kernel hands over 64 KiB TCP segments with partial checksums (fewer, larger reads); they cross the
 * hub whole to the ports that take large segments (the user network, other TAPs with offloads, which get
 * them with the original segment size) and are cut, checksums completed, for the others, so no other port
 * ever gets a frame over its MTU or with a wrong checksum.
 *
 * <p>A thread of its own reads the device, unless a user network is on the hub when the TAP starts: then
 * that network's loop reads it ({@link ReadingLoop}), so a guest's frame is handled on the thread that read
 * it, as slirp4netns does in its one loop, and its answer leaves from there too. The TAP's writes go
 * through {@link #writeThrough} from whichever thread forwards, or its writer thread when frames queue.
 */
public final class TapNetdev extends QueuedPort implements Netdev {

    private final NetdevConfig.Tap config;
    private final Hub hub;
    private TapDevice device;
    private Thread reader;
    private Thread writer;
    private volatile boolean closing;
    /** Why the reader stopped before the netdev closed (the device gone), or null while it reads. */
    private volatile String stoppedBy;
    /** The loop that reads the device for this port, or null while a reader thread of its own does. */
    private volatile ReadingLoop borrower;
    private final ReadingLoop.Reader lentReads = new LentReads();
    /** The reading side's view, used by one thread at a time: the reader thread or the borrower's. */
    private final VirtioNetFrame vnet = new VirtioNetFrame();
    /** Held by whoever writes to the TAP: the writer thread, or a hub thread writing through. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Queued frames go to the TAP through this, under {@link #writeLock}: by the writer thread or a hub thread. */
    private final FrameQueue.FrameHandler queuedWriter = this::writeQueued;
    /** The write buffer and where the frame goes in it (after the virtio-net header, with vnet_hdr). */
    private MemorySegment out;
    private ByteBuffer outBuffer;
    private int header;
    private int mtu;

    public TapNetdev(NetdevConfig.Tap config, Hub hub) {
        this(config, hub, null);
    }

    /**
     * A TAP port over a device made elsewhere ({@link TapDevice#pair}, for the warm-up): {@link #start()} uses
     * it instead of opening one, and {@code config}'s namespace, scripts and set-up are not used.
     */
    public TapNetdev(NetdevConfig.Tap config, Hub hub, TapDevice device) {
        super(config.id(), "tap", DEFAULT_QUEUE_BYTES);
        this.config = config;
        this.hub = hub;
        this.device = device;
    }

    /** The hub this netdev was made for: it stays when the port is detached (see {@link #attachedHub}). */
    @Override
    public Hub hub() {
        return hub;
    }

    /**
     * Its options, with the interface's name the kernel gave it when {@code ifname=} was left out.
     *
     * @return the options it was made with, naming its interface once started
     */
    public NetdevConfig.Tap config() {
        TapDevice d = device;
        return d == null || !config.ifname().isEmpty() ? config : config.withIfname(d.name());
    }

    @Override
    public String describe() {
        TapDevice d = device;
        return "ifname=" + (d == null ? config.ifname() : d.name())
                + (config.netns() == null ? "" : ",netns=" + config.netns())
                + (config.configure() == null ? "" : !config.configure().ipv4() ? ",configure=ipv6-only"
                        : ",address=" + Ipv4Address.format(config.configure().address()) + "/" + config.configure().prefixLength())
                + (config.vnetHeader() ? ",vnet_hdr=on" : ",vnet_hdr=off");
    }

    @Override
    public List<Port> ports() {
        return List.of(this);
    }

    /** {@code set_link}: the TAP is the guest's own interface here, so its carrier follows, as a virtio NIC's link would. */
    @Override
    protected void linkStatusChanged(boolean down) {
        writeLock.lock(); // close() lets the device go under it
        try {
            if (device != null) {
                device.setCarrier(!down);
            }
        } catch (IOException e) {
            Log.warn(id() + ": the interface's carrier stays as it was: " + e.getMessage());
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void start() throws IOException {
        try {
            if (device == null) {
                try {
                    device = TapDevice.open(config.ifname(), config.vnetHeader(), config.netns(), this::setUpInterface);
                } catch (NetworkNamespace.AccessDenied denied) {
                    device = throughUserNamespace(denied);
                }
            }
        } catch (IOException e) {
            throw new IOException(id() + ": " + e.getMessage(), e);
        }
        out = device.writeBuffer();
        outBuffer = out.asByteBuffer();
        // with vnet_hdr an ordinary frame goes after a header of zeros: no offload asked, checksums complete
        header = config.vnetHeader() ? VirtioNetFrame.HEADER_LENGTH : 0;
        out.asSlice(0, header).fill((byte) 0);
        mtu = tapMtu();
        hub.attach(this);
        if (!lendReads()) {
            startReader();
        }
        writer = Thread.ofPlatform().daemon().name("vnet4j-" + id() + "-tx").start(this::writeLoop);
    }

    /**
     * The namespace is an unprivileged user's (a user namespace of its own owns it): the TAP is made there
     * by a helper that enters that user namespace ({@link UserNamespaceTap}), and set up by it; a script
     * cannot run there.
     */
    private TapDevice throughUserNamespace(NetworkNamespace.AccessDenied denied) throws IOException {
        if (config.script() != null || config.downscript() != null) {
            throw new IOException(denied.getMessage() + "; through its user namespace a TAP can be made and set up, "
                    + "but script= and downscript= cannot run there");
        }
        NetdevConfig.Tap.Configure c = config.configure();
        UserNamespaceTap.Setup setup = c != null ? UserNamespaceTap.Setup.configure(c.address(), c.prefixLength(), c.gateway(), c.mtu(), c.mac())
                : config.mtu() > 0 ? UserNamespaceTap.Setup.mtu(config.mtu()) : UserNamespaceTap.Setup.none();
        return UserNamespaceTap.open(config.ifname(), config.vnetHeader(), config.netns(), config.userns(), setup);
    }

    /** The IPv4 address {@code configure=on} gave the interface; 0 for none. */
    public int configuredAddress() {
        return config.configure() == null ? 0 : config.configure().address();
    }

    /** Runs in the TAP's namespace right after it was created. */
    private void setUpInterface(String ifname) throws IOException {
        NetdevConfig.Tap.Configure c = config.configure();
        if (c != null) {
            InterfaceSetup.configure(ifname, c.address(), c.prefixLength(), c.gateway(), c.mtu(), c.mac());
        } else if (config.mtu() > 0) {
            InterfaceSetup.mtu(ifname, config.mtu());
        }
        runScript(config.script(), ifname);
    }

    private void runScript(Path script, String ifname) throws IOException {
        if (script == null) {
            return;
        }
        try {
            Process p = new ProcessBuilder(script.toString(), ifname).inheritIO().start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(script + " " + ifname + " did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(script + " " + ifname + " failed with exit code " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + script, e);
        }
    }

    /** Offers the reads to a loop on the hub that reads descriptors ({@link ReadingLoop}); true when one took them. */
    private boolean lendReads() {
        borrower = ReadingLoop.lend(hub, device.descriptor(), lentReads);
        return borrower != null;
    }

    private void startReader() {
        reader = Thread.ofPlatform().daemon().name("vnet4j-" + id() + "-rx").start(this::readLoop);
    }

    /** What a loop that reads this TAP calls. */
    private final class LentReads implements ReadingLoop.Reader {
        /** The most frames read per call: the loop's other sockets are served between calls. */
        private static final int BATCH = 64;

        @Override
        public boolean readWaiting() {
            try {
                for (int i = 0; i < BATCH && !closing; i++) {
                    int n = device.readNow();
                    if (n <= 0) {
                        return true;
                    }
                    forward(n);
                }
                return true;
            } catch (IOException e) {
                readerStopped(e);
                return false;
            }
        }

        @Override
        public void readsReturned() {
            borrower = null;
            if (!closing) {
                startReader();
            }
        }
    }

    /**
     * The reader thread. Its loop is entered once and never returns, so HotSpot could compile it only by
     * on-stack replacement; it stayed interpreted (about 9% of the reader's time per ping, perf). The work
     * of each frame is therefore a method of its own ({@link #forward}), compiled as any other, and the loop
     * keeps the tests for the end (-1: closed, or a signal): in the compiled method they would be branches
     * never taken, compiled as traps, and one TAP's close would send the other TAPs' readers back to the
     * interpreter.
     */
    private void readLoop() {
        try {
            for (int n; (n = device.read(TapDevice.UNTIL_CLOSED)) >= 0 || !closing; ) {
                if (n > 0) {
                    forward(n);
                }
            }
        } catch (IOException e) {
            readerStopped(e);
        }
    }

    /**
     * The device cannot be read any more (deleted with {@code ip link del}, or its namespace gone: EBADFD): the
     * port's link goes down, so that the hub drops and counts what it would send here and {@code info network}
     * and {@code /metrics} show it, with the reason among the details. Nothing makes the device again by
     * itself (it may have been deleted on purpose); {@code netdev_del} and {@code netdev_add} do.
     */
    private void readerStopped(IOException e) {
        stoppedBy = e.getMessage();
        setCarrier(false);
        Log.warn(id() + ": " + e.getMessage() + "; the port stopped (link down; netdev_del and netdev_add start it again)");
    }

    @Override
    public List<String> details() {
        String reason = stoppedBy;
        return reason == null ? List.of() : List.of("stopped: " + reason + " (netdev_del and netdev_add start it again)");
    }

    /** Hands the frame just read ({@code n} bytes at 0 of the device's receive buffer) to the hub. */
    private void forward(int n) {
        if (!config.vnetHeader()) {
            deliver(device.receivedBuffer(), 0, n);
        } else if (deliverOffloaded(vnet.wrap(device.receivedBuffer(), 0, n)) != WireError.NONE) {
            counters().countRxError();
        }
    }

    /** The interface's MTU as configured here (1500 when vnet4j did not set it). */
    private int tapMtu() {
        if (config.configure() != null) {
            return config.configure().mtu();
        }
        return config.mtu() > 0 ? config.mtu() : 1500;
    }

    /** With vnet_hdr the kernel segments what we write: a 64 KiB TCP segment goes in whole. */
    @Override
    public boolean takesLargeSegments() {
        return config.vnetHeader();
    }

    /**
     * Unless another thread is writing, the frame goes to the TAP at once on the hub's thread (a TAP write
     * never blocks): one thread hand-off less for a ping or an ACK. Frames queued meanwhile (while another
     * thread held the write lock) are written first, on this thread, so the frames keep their order and a
     * burst stays paced by its own writes: left to the writer thread, a user network's 1 MiB flight of
     * 64 KiB segments, produced about twice as fast as the TAP takes them, overflowed the queue, and each
     * lost segment cost the download a retransmission.
     */
    @Override
    protected int writeThrough(ByteBuffer frame, int offset, int length, int segmentSize) {
        if (!writeLock.tryLock()) {
            return NOT_WRITTEN;
        }
        try {
            if (closing) {
                return NOT_WRITTEN;
            }
            if (!queue.isEmpty()) {
                queue.drainInPlace(queuedWriter, queue.capacity(), Integer.MAX_VALUE, 0);
            }
            outBuffer.put(header, frame, offset, length); // absolute: the frame buffer's position does not matter
            return write(length, segmentSize) ? WRITTEN : WRITE_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // a drain without a time-out does not wait
            return NOT_WRITTEN;
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes the frame at {@code header} in the write buffer, after its virtio-net header when there is one. */
    private boolean write(int length, int segmentSize) {
        if (header > 0) {
            GsoHeaderWriter.write(out, length, segmentSize, mtu);
        }
        return device.write(header + length);
    }

    /** Writes a queued frame where it lies in the ring, under the write lock; a failed write is a drop. */
    private void writeQueued(ByteBuffer ring, int offset, int length, int segmentSize) {
        outBuffer.put(header, ring, offset, length);
        if (!write(length, segmentSize)) {
            counters().countTxDrop();
        }
    }

    private void writeLoop() {
        try {
            for (int ready; (ready = queue.awaitFrames(FrameQueue.FOREVER)) >= 0; ) {
                if (ready == 0) {
                    continue; // woken without frames (wakeConsumer): nothing to write
                }
                writeLock.lock();
                try {
                    queue.drainInPlace(queuedWriter, queue.capacity(), 1, 0);
                } finally {
                    writeLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing = true;
        super.close();
        if (device == null) {
            return;
        }
        ReadingLoop b = borrower;
        if (b != null) {
            b.release(lentReads);
        }
        device.close();
        boolean stopped = Shutdown.join(reader) & Shutdown.join(writer);
        String ifname = device.name();
        writeLock.lock(); // a hub thread may be writing through
        try {
            if (stopped) {
                device.release();
            } else {
                Shutdown.leftRunning(id());
            }
            device = null;
        } finally {
            writeLock.unlock();
        }
        if (config.downscript() != null) {
            try {
                if (config.netns() == null) {
                    runScript(config.downscript(), ifname);
                } else {
                    NetworkNamespace.call(config.netns(), () -> {
                        runScript(config.downscript(), ifname);
                        return null;
                    });
                }
            } catch (IOException e) {
                Log.warn(id() + ": " + e.getMessage());
            }
        }
    }
}
