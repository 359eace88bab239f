package io.vnet4j.port.stream;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.HostSockets;
import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.base.TcpKeepAlive;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.NetdevEvents;
import io.vnet4j.fabric.PeerPortsNetdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.PrivilegedPorts;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listening socket or stream netdev. Unlike QEMU, it accepts any number of peers: each connection
 * becomes its own port {@code ID.N} on the hub and goes away when it disconnects. A unix path is bound
 * only when free or stale ({@link SocketFiles#prepare}) and removed on close only while it is still ours.
 * A {@code stream} netdev (not a {@code socket} one, as QEMU's) tells each connection's start and end to its
 * {@link NetdevEvents}, under its own id.
 */
public final class StreamServerNetdev extends PeerPortsNetdev {
    private final String settings;
    private final SocketAddress address;
    private final NetdevEvents events;
    private final TcpKeepAlive keepAlive;
    private final List<Port> connections = new CopyOnWriteArrayList<>();
    /** The ports serving a connection (attached or about to be), for {@link #close} to hang up and {@link #portsNow} to give. */
    private final List<StreamPort> serving = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextIndex = new AtomicInteger(1);
    /** Peers connect and leave at will: their lines (two or three a connection) are a line a second after ten. */
    private final LineBudget peerLines = new LineBudget(10, Duration.ofSeconds(1));
    private volatile ServerSocketChannel server;
    private volatile OwnedFile socketFile;
    private volatile Thread acceptor;
    private volatile boolean closed;
    /** The port the kernel picked for a port 0 asked for, which peers must be told; else 0. */
    private volatile int pickedPort;

    public StreamServerNetdev(String id, String type, String settings, SocketAddress address, Hub hub) {
        this(id, type, settings, address, null, hub, NetdevEvents.NONE);
    }

    /**
     * A listener whose connections are told to {@code events} when {@code type} is {@code stream}, each with TCP
     * keep-alive when {@code keepAlive} is not null.
     */
    public StreamServerNetdev(String id, String type, String settings, SocketAddress address, TcpKeepAlive keepAlive,
                              Hub hub, NetdevEvents events) {
        super(id, type, hub);
        this.settings = settings;
        this.address = address;
        this.keepAlive = keepAlive;
        this.events = type.equals("stream") ? events : NetdevEvents.NONE;
    }

    @Override
    public String describe() {
        int picked = pickedPort;
        return settings + " (" + (picked == 0 ? "" : "port " + picked + ", picked by the kernel; ") + connections.size()
                + (connections.size() == 1 ? " connection)" : " connections)");
    }

    @Override
    public List<Port> ports() {
        return List.copyOf(connections);
    }

    @Override
    protected List<? extends Port> portsNow() {
        return serving;
    }

    /** The bound address (with the real port when 0 was asked for). */
    public SocketAddress boundAddress() throws IOException {
        return server.getLocalAddress();
    }

    @Override
    public void start() throws IOException {
        ServerSocketChannel ch;
        if (address instanceof UnixDomainSocketAddress) {
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            ch = HostSockets.listener(SocketAddresses.family((InetSocketAddress) address));
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        }
        try {
            if (address instanceof UnixDomainSocketAddress unix) {
                socketFile = SocketFiles.bind(ch, unix.getPath());
            } else {
                ch.bind(address, HostSockets.LISTEN_BACKLOG);
                if (((InetSocketAddress) address).getPort() == 0) {
                    pickedPort = ((InetSocketAddress) ch.getLocalAddress()).getPort();
                }
            }
        } catch (IOException e) {
            ch.close();
            throw new IOException(id + ": cannot listen on " + settings + ": " + e.getMessage()
                    + (address instanceof InetSocketAddress inet ? PrivilegedPorts.hint(e.getMessage(), inet.getPort()) : ""), e);
        }
        server = ch;
        acceptor = Acceptor.startFor(id, server, () -> closed, this::started);
    }

    /** A VM connected: its port is served on a thread of its own (a platform thread: StreamPort says why). */
    private void started(SocketChannel channel) {
        Thread.ofPlatform().daemon().name("vnet4j-" + id + "-rx").start(Log.hushedIfNow(() -> serve(channel)));
    }

    private void serve(SocketChannel channel) {
        String peer = peerName(channel);
        SocketAddress named = qmpAddress(channel, true); // null: gone already, and so never up for its events
        StreamPort port = new StreamPort(id + "." + nextIndex.getAndIncrement(), type, settings, hub, peerLines);
        try {
            if (channel.getRemoteAddress() instanceof java.net.InetSocketAddress) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (keepAlive != null) {
                    keepAlive.apply(channel);
                }
            }
        } catch (IOException e) {
            // the peer went away already; serve() will notice
        }
        serving.add(port);
        adopt(port);
        if (closed) { // close() may have hung up the ports before this one was added
            port.hangUp();
        }
        try {
            port.serve(channel, peer, () -> {
                connections.add(port);
                hub.attach(port);
                peerLines.info(port.id() + ": " + type + " peer " + peer + " connected to hub " + hub.id());
                if (named != null) {
                    events.streamConnected(id, named);
                }
            });
        } finally {
            String station = hub.describeStation(port.lastSourceMac()); // before the port leaves the hub
            port.close();
            boolean wasUp = connections.remove(port);
            serving.remove(port);
            if (!closed) {
                peerLines.info(port.id() + ": peer " + peer + " disconnected" + (station == null ? "" : " (" + station + ")"));
                if (wasUp && named != null) {
                    events.streamDisconnected(id);
                }
            }
        }
    }

    /** The peer's address as {@link SocketAddresses#format} writes it ({@code unix} for an unnamed unix peer); {@code ?} when gone. */
    static String peerName(SocketChannel channel) {
        try {
            return SocketAddresses.format(channel.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * The address QEMU's NETDEV_STREAM_CONNECTED names (net/stream.c): a unix connection's socket file (the
     * listener's own, which a listener's peer has no name for), a TCP connection's other end; null when the
     * connection is gone already.
     */
    static SocketAddress qmpAddress(SocketChannel channel, boolean listener) {
        try {
            return listener && channel.getLocalAddress() instanceof UnixDomainSocketAddress own ? own : channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        Shutdown.closeQuietly(server);
        for (StreamPort p : serving) {
            p.hangUp();
        }
        Shutdown.join(acceptor);
        if (socketFile != null) {
            socketFile.delete();
        }
    }
}
