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
import io.vnet4j.os.FileAccess;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
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
 *
 * <p>As a client ({@link #client}, {@code -netdev vhost-user,...,server=off}) it is the other way round, as
 * OVS-DPDK's {@code dpdkvhostuserclient} port: QEMU listens on the path ({@code -chardev
 * socket,id=c,path=PATH,server=on,wait=off}; QEMU 7.2's net_vhost_user_init then waits for the back-end before
 * the guest runs) and vnet4j connects, at its pace while nothing listens there (said once per wait), serves the
 * connection on the connecting thread exactly as an accepted one, and connects again when it ends (QEMU
 * stopped or restarted: its chardev listens again for the next back-end). The path is QEMU's: never bound nor
 * removed here.</p>
 */
public final class VhostUserNetdev extends PeerPortsNetdev {
    private final String settings;
    private final Path path;
    /** A client's pace of connecting while nothing listens at the path (ms); 0: this netdev listens there. */
    private final long reconnectMillis;
    /** A server's socket's group and permission bits ({@code group=}, {@code mode=}); null and FileAccess.AS_MADE: as made. */
    private final String group;
    private final int mode;
    /** A client's thread: connects, serves each connection, connects again. */
    private volatile Thread connector;
    /** The channel a client connects or serves on now, for {@link #close} to end a blocked connect. */
    private volatile SocketChannel connecting;
    /** Why a client's last try failed while it waits for QEMU, for {@link #describe}; null when not waiting. */
    private volatile String waitingFor;
    /** A client's connection waits in QEMU's listen queue (QEMU has not spoken for {@link #QUEUED_SAID_MILLIS} ms). */
    private volatile boolean queued;
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
    /**
     * How long a client's connection may wait for QEMU's first message before that is said: QEMU speaks first
     * (GET_FEATURES) at once when it accepts, and a connection it has not accepted waits in its listen queue.
     */
    static final long QUEUED_SAID_MILLIS = 2000;
    /** When a front-end last left during its handshake (System.nanoTime()); the next is served that much later. */
    private volatile long leftEarlyAt = System.nanoTime() - REFUSED_PAUSE_MILLIS * 1_000_000;
    private boolean leftEarlySaid;
    private boolean leftUnstartedSaid;
    /** A front-end's connections and their ends are a line a second after ten: QEMU giving up in its handshake reconnects for ever. */
    private final LineBudget connectionLines = new LineBudget(10, Duration.ofSeconds(1));
    /**
     * A client's: the first bytes of the peer last said not to speak vhost-user ("" for one said to hang up before a
     * word), while its tries find the same; else null.
     */
    private volatile String notVhostUserSaid;
    /** How long after VHOST_USER_SET_FEATURES the guest's memory must have come before that is said. */
    private static final long MEMORY_EXPECTED_MILLIS = 3000;

    /** A back-end listening on {@code path} ({@code server=on}, the default), its socket's access as the umask makes it. */
    public VhostUserNetdev(String id, String settings, Path path, Hub hub) {
        this(id, settings, path, null, FileAccess.AS_MADE, hub);
    }

    /**
     * A back-end listening on {@code path}, its socket given the permission bits {@code mode} (or left as the umask
     * makes them: {@link FileAccess#AS_MADE}) and the group {@code group} (null: this process's), for a
     * QEMU running as another user.
     */
    public VhostUserNetdev(String id, String settings, Path path, String group, int mode, Hub hub) {
        this(id, settings, path, 0, group, mode, hub);
    }

    private VhostUserNetdev(String id, String settings, Path path, long reconnectMillis, String group, int mode, Hub hub) {
        super(id, "vhost-user", hub);
        this.settings = settings;
        this.path = path;
        this.reconnectMillis = reconnectMillis;
        this.group = group;
        this.mode = mode;
        this.internalErrors = new InternalErrors(id);
    }

    /**
     * A back-end that connects to the socket QEMU listens on at {@code path} ({@code server=off}), trying every
     * {@code reconnectMillis} ms while nothing listens there, and again after each connection ends.
     */
    public static VhostUserNetdev client(String id, String settings, Path path, long reconnectMillis, Hub hub) {
        if (reconnectMillis <= 0) {
            throw new IllegalArgumentException("reconnectMillis: expected more than 0, got " + reconnectMillis);
        }
        return new VhostUserNetdev(id, settings, path, reconnectMillis, null, FileAccess.AS_MADE, hub);
    }

    private boolean isClient() {
        return reconnectMillis > 0;
    }

    @Override
    public String describe() {
        VhostUserPort p = port;
        if (p != null) {
            return p.describe();
        }
        if (!isClient()) {
            return settings + " (no front-end connected)";
        }
        String why = waitingFor;
        return settings + (why != null ? " (waiting for QEMU to listen there: " + why + ")"
                : queued ? " (connected, and nothing said yet: QEMU serves another back-end, or the socket is not"
                        + " QEMU's)" : " (connecting to QEMU)");
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
        if (isClient()) {
            // a platform thread: it serves the connection itself, blocked in recvmsg(2) as the control threads are
            connector = Thread.ofPlatform().daemon().name("vnet4j-" + id + "-connect")
                    .start(Log.hushedIfNow(this::connectUntilClosed));
            return;
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socketFile = SocketFiles.bind(ch, path);
            FileAccess.set(path, mode, group);
        } catch (IOException e) {
            ch.close();
            if (socketFile != null) {
                socketFile.delete();
                socketFile = null;
            }
            // QEMU listening there (its chardev's server=on) is the way round server=off serves
            throw new IOException(id + ": cannot listen on " + settings + ": " + e.getMessage() + (e instanceof SocketFiles.InUseException
                    ? "; if QEMU listens there (-chardev socket,...,server=on), give this netdev server=off to connect to it" : ""), e);
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
        if (!paceAfterEarlyLeave()) {
            notServed(channel);
            return;
        }
        // a platform thread: it blocks in recvmsg(2), outside the JDK's knowledge
        controlThread = Thread.ofPlatform().daemon().name("vnet4j-" + id + "-control")
                .start(Log.hushedIfNow(() -> serve(channel, "")));
    }

    /**
     * A front-end that left during its handshake is followed by the next one {@value #REFUSED_PAUSE_MILLIS} ms
     * later (QEMU's loop of giving up: paced, not a core spent), whichever side connected.
     *
     * @return false when the netdev closed meanwhile
     */
    private boolean paceAfterEarlyLeave() {
        long sinceEarlyLeave = System.nanoTime() - leftEarlyAt;
        return sinceEarlyLeave >= REFUSED_PAUSE_MILLIS * 1_000_000
                || pause(REFUSED_PAUSE_MILLIS - sinceEarlyLeave / 1_000_000);
    }

    /**
     * Waits {@code millis} ms, or until {@link #close} (which wakes this monitor's waiters).
     *
     * @return false when the netdev closed (or the thread was interrupted)
     */
    private synchronized boolean pause(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        try {
            for (long left; !closed && (left = deadline - System.nanoTime()) > 0; ) {
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !closed;
    }

    /** A connection taken as the one served, then not served (the netdev closed first). */
    private void notServed(SocketChannel channel) {
        synchronized (this) {
            if (serving == channel) {
                serving = null;
                notifyAll();
            }
        }
        Shutdown.closeQuietly(channel);
    }

    /**
     * A client's life: connects to QEMU's socket, serves the connection on this thread until it ends, and
     * connects again (at once after a connection that lasted {@link #reconnectMillis} ms or more, such as a QEMU's
     * that quit; else when that time is up since it was made); while nothing listens at the path, tries every
     * {@link #reconnectMillis} ms, saying so at the first failed try of each wait (again only for a reason of
     * another kind, such as EACCES). Ends when the netdev closes.
     */
    private void connectUntilClosed() {
        long waitingSince = 0; // System.nanoTime() at the first failed try of this wait; 0: not waiting
        String said = null;
        while (!closed) {
            SocketChannel channel;
            try {
                channel = connect();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                String why = whyNotConnected(e);
                waitingFor = why;
                if (waitingSince == 0) {
                    waitingSince = System.nanoTime();
                }
                if (said == null) {
                    Log.info(id + ": waiting for QEMU to listen at " + path + " (" + why + "); trying every "
                            + pace());
                    said = why;
                } else if (!why.equals(said) && !nothingListens(e)) {
                    Log.warn(id + ": cannot connect to " + path + ": " + why + "; trying every " + pace());
                    said = why;
                }
                if (!pause(reconnectMillis)) {
                    return;
                }
                continue;
            }
            String how = " (connected to QEMU's socket " + path + (waitingSince == 0 ? ""
                    : " after waiting " + duration((System.nanoTime() - waitingSince) / 1_000_000) + " for it") + ")";
            waitingFor = null;
            waitingSince = 0;
            said = null;
            synchronized (this) {
                connecting = null; // from now on the connection is served, or closed here
                if (closed) {
                    Shutdown.closeQuietly(channel);
                    return;
                }
                serving = channel;
            }
            if (!paceAfterEarlyLeave() || !awaitQemusFirstMessage(channel)) {
                notServed(channel);
                return;
            }
            long connectedAt = System.nanoTime();
            serve(channel, how);
            // a connection that ended sooner than the pace (a socket of something else than a vhost-user chardev,
            // which ends each one at once) is tried again at the pace, not at once, over and over
            long left = reconnectMillis - (System.nanoTime() - connectedAt) / 1_000_000;
            if (left > 0 && !pause(left)) {
                return;
            }
        }
    }

    /**
     * Waits until QEMU speaks on a client's new connection (or ends it): a connect succeeds while QEMU's chardev
     * serves another back-end, the connection waiting in its listen queue until that one goes; said after
     * {@link #QUEUED_SAID_MILLIS} ms, and the connection is not said to be served (nor a port shown) before. The
     * kernel does not tell a queued connection from an accepted one that stays silent (another back-end's socket,
     * waiting for a front-end as this client does), so the line names both.
     *
     * @return false when the netdev closed meanwhile
     */
    private boolean awaitQemusFirstMessage(SocketChannel channel) {
        long since = System.nanoTime();
        try (Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            while (!closed) {
                if (selector.select(100) > 0) {
                    return true; // QEMU's first message, or its end, which serve() reads
                }
                if (!queued && System.nanoTime() - since >= QUEUED_SAID_MILLIS * 1_000_000) {
                    Log.warn(id + ": connected to QEMU's socket " + path + ", where nothing has spoken in "
                            + duration(QUEUED_SAID_MILLIS) + ": QEMU serves one back-end at a time (another vnet4j on"
                            + " this path?), and this one is served when that one goes; or the socket is not QEMU's"
                            + " (a back-end's own socket waits, as this one does, for a front-end to speak first)");
                    queued = true; // after the line: whoever sees the settings say it finds the line said
                }
            }
            return false;
        } catch (IOException e) {
            return true; // serve() meets the same fault and says it
        } finally {
            queued = false;
            try {
                channel.configureBlocking(true); // the selector is closed: the channel is registered nowhere
            } catch (IOException | RuntimeException e) {
                // closed meanwhile: serve() or notServed() closes it
            }
        }
    }

    /**
     * One blocking connect to the path; the channel is {@link #connecting} meanwhile, and until the caller takes
     * it as served, for {@link #close}.
     */
    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        connecting = ch;
        try {
            if (closed) {
                throw new java.nio.channels.AsynchronousCloseException();
            }
            ch.connect(UnixDomainSocketAddress.of(path));
            return ch;
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                connecting = null;
            }
            ch.close();
            throw e;
        }
    }

    /** ENOENT or ECONNREFUSED: QEMU has not started, or has not made its socket yet, or quit. */
    private static boolean nothingListens(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No such file") || m.contains("Connection refused");
    }

    /** A failed connect in words: what is at the path, or the kernel's reason. */
    private String whyNotConnected(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("No such file")) {
            return "nothing there yet";
        }
        if (m.contains("Connection refused")) {
            String notASocket = SocketFiles.notASocket(path);
            return notASocket != null ? "it is " + notASocket + ", not a socket" : "a socket nothing listens on";
        }
        return m;
    }

    /** The pace of a client's tries as given: whole seconds in s, else in ms (1050 is "1050 ms", not a rounded "1.1 s"). */
    private String pace() {
        return reconnectMillis % 1000 == 0 ? reconnectMillis / 1000 + " s" : reconnectMillis + " ms";
    }

    /** Milliseconds in words: 1000 is "1 s", 250 "250 ms", 1250 "1.3 s". */
    private static String duration(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis < 1000 ? millis + " ms"
                : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
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

    /**
     * Serves one front-end's connection until it ends, on this thread: an accepted one ({@code how} empty) or a
     * client's ({@code how} says where it connected, in the connection's line).
     */
    private void serve(SocketChannel channel, String how) {
        DescriptorStream stream = null;
        VhostUserDevice device = new VhostUserDevice(VhostUserDevice.SHARED);
        VhostUserPort p = null;
        boolean endOfStream = false;
        boolean[] saidConnected = {false};
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
            // a connection is said once its peer speaks vhost-user on it (QEMU speaks first, at once): a peer of
            // something else is said as such, not as a front-end that connected and left
            Runnable sayConnected = () -> {
                if (!saidConnected[0]) {
                    saidConnected[0] = true;
                    notVhostUserSaid = null;
                    connectionLines.info(id + ": vhost-user front-end connected to hub " + hub.id() + how);
                }
            };
            DescriptorStream conversing = stream;
            VhostUserConversation.run(id, stream, device, p, () -> closed, sayConnected,
                    () -> Thread.ofVirtual().start(() -> expectMemory(device, conversing)));
            endOfStream = !closed;
        } catch (VhostUserConversation.NotVhostUser e) {
            if (!isClient() || !e.firstBytes().equals(notVhostUserSaid)) { // a client's next tries find the same peer
                notVhostUserSaid = isClient() ? e.firstBytes() : null;
                connectionLines.warn(id + ": " + notVhostUser(e) + "; connection closed");
            }
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
                if (!closed && !saidConnected[0] && endOfStream) {
                    if (System.nanoTime() - connectedAt < HANDSHAKE_MILLIS * 1_000_000) {
                        leftEarlyAt = System.nanoTime(); // paced as a handshake left, unsaid: the next one 200 ms later
                    }
                    hungUpWithoutAWord();
                } else if (!closed && saidConnected[0]) {
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

    /**
     * A connection whose peer ended it before its first message: no front-end's (QEMU's speaks first), so neither
     * connected nor disconnected, nor a handshake QEMU left ({@link #leftEarly}'s queues=); a client says it once
     * while its tries meet the same.
     */
    private void hungUpWithoutAWord() {
        if (!isClient()) {
            connectionLines.info(id + ": a peer connected and hung up before saying anything (QEMU's -netdev vhost-user"
                    + " speaks first)");
        } else if (!"".equals(notVhostUserSaid)) {
            notVhostUserSaid = "";
            connectionLines.warn(id + ": the connection to " + path + " ended before anything was said on it (QEMU's"
                    + " vhost-user chardev speaks first: a QEMU that quit, or the socket of something else; said once"
                    + " while the tries every " + pace() + " meet the same)");
        }
    }

    /** Whose socket this is not, and the way to the right one, for a peer whose first message was no vhost-user's. */
    private String notVhostUser(VhostUserConversation.NotVhostUser e) {
        String first = " (its first bytes: \"" + e.firstBytes() + "\")";
        return isClient()
                ? "the socket at " + path + " does not speak vhost-user" + first + "; give path= the socket of QEMU's"
                        + " -chardev socket,...,server=on that its -netdev vhost-user,chardev= names (said once while"
                        + " the tries every " + pace() + " find the same)"
                : "a peer that does not speak vhost-user connected" + first + "; QEMU connects here with -chardev"
                        + " socket,id=C,path=" + path + " and -netdev vhost-user,chardev=C";
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

    @Override
    public void close() {
        closed = true;
        Shutdown.closeQuietly(server);
        synchronized (this) {
            DescriptorStream s = servingStream;
            if (s != null) {
                s.shutdown(); // ends the control thread's recvmsg; that thread closes the rest
            }
            notifyAll(); // an accept waiting in started() for the served front-end to go, a client's pause
            Shutdown.closeQuietly(connecting); // a client's connect that blocks (QEMU's listen queue full)
        }
        Shutdown.join(acceptor);
        Shutdown.join(controlThread);
        Shutdown.join(connector);
        if (socketFile != null) {
            socketFile.delete();
        }
    }
}
