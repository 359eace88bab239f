package io.vnet4j.port.vde;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.PeerPortsNetdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.FileAccess;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.SocketFiles;
import io.vnet4j.port.dgram.DatagramNetdev;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * vnet4j's own VDE switch, {@code -netdev vde,id=ID,sock=DIR,server=on}: a directory with a control socket
 * {@code DIR/ctl} as vde_switch makes one, so that QEMU's {@code -netdev vde,sock=DIR}, {@code vde_plug DIR}
 * and {@code vde_plug2tap -s DIR tapX} can join. Each plug becomes its own port {@code ID.N} on the hub,
 * with its data socket {@code DIR/NNN} connected to the plug's (see {@link VdeRequest} for the exchange),
 * and goes away when its control connection closes.
 *
 * <p>A request that is short, has a bad magic, a version other than 3, a bad type or no data socket is
 * refused: the connection is closed, a counter grows and one line is logged; nothing else is disturbed.
 *
 * <p>The directory: created (mode from {@code mode}, as vde_switch derives it) when absent; when present it
 * must be a directory holding nothing but stale sockets (a previous switch's leftovers, removed) and no live
 * switch on its {@code ctl}, else start refuses. On close the sockets we bound are removed while they are
 * still ours, and the directory too when we created it and nothing else is left in it.
 */
public final class VdeSwitchNetdev extends PeerPortsNetdev {
    /** Plugs at most, to bound what unauthenticated local clients can make us hold. */
    static final int MAX_PLUGS = 1024;
    private static final long REQUEST_MILLIS = 5000;

    private final String settings;
    private final Path dir;
    private final String group;
    private final int mode;
    private final List<DatagramNetdev> plugs = new CopyOnWriteArrayList<>();
    private final List<SocketChannel> channels = new CopyOnWriteArrayList<>();
    private final Set<Integer> numbers = new HashSet<>();
    private final List<Thread> servers = new CopyOnWriteArrayList<>();
    /** Plugs join, leave and are refused at will: a line a second after ten, not a line per request. */
    private final LineBudget peerLines = new LineBudget(10, Duration.ofSeconds(1));
    private final AtomicLong refused = new AtomicLong();
    private volatile ServerSocketChannel server;
    private volatile OwnedFile ctlFile;
    private volatile OwnedFile createdDir;
    private volatile Thread acceptor;
    private volatile boolean closed;

    public VdeSwitchNetdev(String id, String settings, Path dir, String group, int mode, Hub hub) {
        super(id, "vde", hub);
        this.settings = settings;
        this.dir = dir.toAbsolutePath();
        this.group = group;
        this.mode = mode;
    }

    @Override
    public String describe() {
        int n = plugs.size();
        return settings + " (" + n + (n == 1 ? " plug)" : " plugs)");
    }

    @Override
    public List<String> details() {
        long r = refused.get();
        return r == 0 ? List.of() : List.of("refused requests: " + r);
    }

    @Override
    public List<Port> ports() {
        return List.copyOf(plugs);
    }

    @Override
    protected List<? extends Port> portsNow() {
        return plugs;
    }

    /** Requests refused so far (malformed, port taken, plug unreachable). */
    public long refusedRequests() {
        return refused.get();
    }

    @Override
    public void start() throws IOException {
        try {
            prepareDirectory();
            Path ctl = dir.resolve("ctl");
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ctlFile = SocketFiles.bind(ch, ctl);
                protect(ctl);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            server = ch;
        } catch (IOException e) {
            removeOwnFiles();
            throw new IOException(id + ": cannot be a VDE switch at " + dir + ": " + e.getMessage(), e);
        }
        acceptor = Acceptor.startFor(id, server, () -> closed, this::started);
    }

    private void prepareDirectory() throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) { // vde_switch makes its directory, not its parents
                throw new NoSuchFileException(dir.toString(), null, "its parent directory " + parent + " does not exist");
            }
            Files.createDirectory(dir);
            createdDir = OwnedFile.claim(dir);
        } else {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("it exists and is not a directory");
            }
            Path ctl = dir.resolve("ctl");
            if (Files.exists(ctl, LinkOption.NOFOLLOW_LINKS) && SocketFiles.answers(ctl)) {
                throw new IOException("a VDE switch is already running there"
                        + SocketFiles.owner(ctl).map(owner -> " (" + owner + ")").orElse(""));
            }
            List<Path> stale = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    if (!Files.readAttributes(entry, java.nio.file.attribute.BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS).isOther()) {
                        throw new IOException("it holds " + entry.getFileName()
                                + ", which is not a socket (expected an empty directory or a stopped switch's)");
                    }
                    stale.add(entry);
                }
            }
            for (Path p : stale) {
                SocketFiles.prepare(p); // removes it, unless something still answers on it
            }
        }
        int dirMode = ((mode & 0700) != 0 ? 0700 : 0) | ((mode & 070) != 0 ? 070 : 0) | ((mode & 07) != 0 ? 05 : 0);
        FileAccess.set(dir, dirMode, group);
    }

    /** Gives a socket of ours the configured mode and group. */
    private void protect(Path socket) throws IOException {
        FileAccess.set(socket, mode, group);
    }

    /** A plug connected to the control socket: its requests are served on a thread of their own. */
    private void started(SocketChannel channel) {
        channels.add(channel);
        Thread server = Thread.ofVirtual().name("vnet4j-" + id + "-ctl").unstarted(() -> serve(channel));
        servers.add(server);
        server.start();
    }

    private void serve(SocketChannel channel) {
        DatagramNetdev plug = null;
        int number = -1;
        try {
            ByteBuffer buffer = ByteBuffer.allocate(VdeRequest.MAX_LENGTH);
            if (!readRequest(channel, buffer)) {
                return; // connected and went away without a word, as a liveness probe does
            }
            switch (VdeRequest.parse(buffer, 0, buffer.position())) {
                case VdeRequest.Malformed m -> refuse(m.reason());
                case VdeRequest.Ok ok -> {
                    VdeRequest request = ok.request();
                    number = allocate(request.type() == VdeRequest.REQ_NEW_PORT0 ? 0 : request.port());
                    if (number < 0) {
                        refuse(request.port() != 0 ? "port " + request.port() + " is in use or the switch is full"
                                : "the switch is full (" + MAX_PLUGS + " plugs)");
                        return;
                    }
                    plug = open(number, request, channel);
                    if (plug == null) {
                        return;
                    }
                    drain(channel);
                }
            }
        } finally {
            Shutdown.closeQuietly(channel);
            channels.remove(channel);
            if (plug != null && plugs.remove(plug)) {
                String station = hub.describeStation(plug.lastSourceMac());
                plug.close();
                if (!closed) {
                    peerLines.info(plug.id() + ": VDE plug left" + (station == null ? "" : " (" + station + ")"));
                }
            }
            if (number >= 0) {
                release(number);
            }
            servers.remove(Thread.currentThread());
        }
    }

    /** Reads until the fixed part of a request is in; false when the peer sent nothing at all. */
    private boolean readRequest(SocketChannel channel, ByteBuffer buffer) {
        Thread deadline = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(REQUEST_MILLIS);
                channel.close();
            } catch (InterruptedException | IOException e) {
                // in time
            }
        });
        try {
            while (buffer.position() < VdeRequest.HEADER_LENGTH) {
                if (channel.read(buffer) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            // too slow or reset: judge what arrived
        } finally {
            deadline.interrupt();
        }
        return buffer.position() > 0;
    }

    /** The number for a new plug: {@code wanted} when free, else (0) the lowest free one; -1 when none. */
    private synchronized int allocate(int wanted) {
        if (numbers.size() >= MAX_PLUGS) {
            return -1;
        }
        if (wanted > 0) {
            return numbers.add(wanted) ? wanted : -1;
        }
        int n = 1;
        while (!numbers.add(n)) {
            n++;
        }
        return n;
    }

    private synchronized void release(int number) {
        numbers.remove(number);
    }

    /** Opens the plug's data socket, connects it to the plug's, attaches the port and replies; null when refused. */
    private DatagramNetdev open(int number, VdeRequest request, SocketChannel channel) {
        Path data = dir.resolve(String.format("%03d", number));
        NativeDatagramSocket socket = null;
        OwnedFile dataFile = null;
        try {
            SocketFiles.prepare(data);
            socket = NativeDatagramSocket.bound(new DatagramEndpoint.Unix(data.toString()), false);
            dataFile = OwnedFile.claim(data);
            protect(data);
            try {
                socket.connect(new DatagramEndpoint.Unix(request.socketPath()));
            } catch (IOException e) {
                socket.release();
                dataFile.delete();
                refuse("cannot reach the plug's data socket " + request.socketPath() + ": " + e.getMessage());
                return null;
            }
        } catch (IOException | RuntimeException e) {
            if (socket != null) {
                socket.release();
            }
            if (dataFile != null) {
                dataFile.delete();
            }
            Log.warn(id + ": cannot open a data socket for a VDE plug: " + e.getMessage());
            return null;
        }
        // the plug's own words, quoted: a quote of theirs becomes ' so that nothing after it can pass for a field
        // (their control characters are escaped where the text is shown, Log.printable)
        String description = request.description().replace('"', '\'');
        DatagramNetdev plug = new DatagramNetdev(id + "." + number, "vde",
                "sock=" + dir + ",port=" + number + ",peer=\"" + description + "\"",
                new DatagramNetdev.Spec(new DatagramEndpoint.Unix(data.toString()), null, null), hub);
        plugs.add(plug);
        adopt(plug);
        try {
            plug.start(socket, dataFile);
        } catch (IOException e) {
            Log.warn(id + ": cannot start a VDE plug's port: " + e.getMessage());
            plugs.remove(plug);
            plug.close();
            return null;
        }
        ByteBuffer reply = ByteBuffer.allocate(VdeRequest.SOCKADDR_UN_LENGTH);
        VdeRequest.emitAddress(data.toString(), reply);
        reply.flip();
        try {
            while (reply.hasRemaining()) {
                channel.write(reply);
            }
        } catch (IOException e) {
            return plug; // the plug went away already; serve() closes its port
        }
        peerLines.info(plug.id() + ": VDE plug \"" + description + "\" joined hub " + hub.id());
        return plug;
    }

    /** Waits for the control connection to close; whatever the plug sends on it is ignored. */
    private static void drain(SocketChannel channel) {
        ByteBuffer sink = ByteBuffer.allocate(256);
        try {
            while (channel.read(sink) >= 0) {
                sink.clear();
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void refuse(String reason) {
        refused.incrementAndGet();
        peerLines.warn(id + ": refused a VDE request: " + reason);
    }

    @Override
    public void close() {
        closed = true;
        Shutdown.closeQuietly(server);
        for (SocketChannel c : channels) {
            Shutdown.closeQuietly(c);
        }
        Shutdown.join(acceptor);
        servers.forEach(Shutdown::join);
        for (DatagramNetdev p : plugs) {
            if (plugs.remove(p)) {
                p.close();
            }
        }
        removeOwnFiles();
    }

    private void removeOwnFiles() {
        if (ctlFile != null) {
            ctlFile.delete();
        }
        if (createdDir != null) {
            createdDir.delete(); // only when empty: what others put there stays
        }
    }
}
