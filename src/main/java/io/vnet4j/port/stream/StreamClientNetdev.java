package io.vnet4j.port.stream;

import io.vnet4j.base.HostSockets;
import io.vnet4j.base.Log;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.base.TcpKeepAlive;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.NetdevEvents;
import io.vnet4j.fabric.OnePortNetdev;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * A connecting socket or stream netdev: one port whose link is up while connected. With a reconnect
 * delay, it connects again after the peer goes away (the link is down meanwhile); without one, the first
 * connection must succeed at start and the port stays down once it ends, as in QEMU. A {@code stream} netdev
 * tells each connection's start and end to its {@link NetdevEvents}.
 */
public final class StreamClientNetdev extends OnePortNetdev<StreamPort> {
    private final SocketAddress address;
    private final long reconnectMillis;
    private final TcpKeepAlive keepAlive;
    private final NetdevEvents events;
    private volatile Thread worker;
    private volatile boolean closed;

    public StreamClientNetdev(String id, String type, String settings, SocketAddress address,
                              long reconnectMillis, Hub hub) {
        this(id, type, settings, address, reconnectMillis, null, hub, NetdevEvents.NONE);
    }

    /**
     * A client whose connections are told to {@code events} when {@code type} is {@code stream}, each with TCP
     * keep-alive when {@code keepAlive} is not null.
     */
    public StreamClientNetdev(String id, String type, String settings, SocketAddress address,
                              long reconnectMillis, TcpKeepAlive keepAlive, Hub hub, NetdevEvents events) {
        super(id, type, hub, new StreamPort(id, type, settings, hub));
        this.address = address;
        this.reconnectMillis = reconnectMillis;
        this.keepAlive = keepAlive;
        this.events = type.equals("stream") ? events : NetdevEvents.NONE;
    }

    @Override
    public String describe() {
        return port.describe();
    }

    @Override
    public void start() throws IOException {
        SocketChannel first = null;
        if (reconnectMillis <= 0) {
            first = connect();
        }
        hub.attach(port);
        SocketChannel initial = first;
        // a platform thread: StreamPort says why
        worker = Thread.ofPlatform().daemon().name("vnet4j-" + id + "-rx").start(() -> run(initial));
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch;
        try {
            ch = HostSockets.tcp(address instanceof InetSocketAddress inet ? SocketAddresses.family(inet)
                    : StandardProtocolFamily.UNIX);
            try {
                ch.connect(address);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            String notASocket = address instanceof UnixDomainSocketAddress unix ? SocketFiles.notASocket(unix.getPath()) : null;
            throw new IOException("cannot connect to " + SocketAddresses.format(address) + ": "
                    + (notASocket != null ? "it is " + notASocket + ", not a socket" : e.getMessage()), e);
        }
        if (address instanceof InetSocketAddress) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (keepAlive != null) {
                keepAlive.apply(ch);
            }
        }
        return ch;
    }

    private void run(SocketChannel initial) {
        SocketChannel ch = initial;
        String said = null; // why the tries of this wait failed, said once (again for another reason)
        while (!closed) {
            if (ch == null) {
                try {
                    ch = connect();
                } catch (IOException e) {
                    String why = e.getMessage();
                    if (!why.equals(said) && !closed) {
                        said = why;
                        Log.info(id + ": " + why + "; trying every " + reconnectMillis + " ms");
                    }
                    if (!sleepBeforeReconnect()) {
                        return;
                    }
                    continue;
                }
                said = null;
            }
            String peer = StreamServerNetdev.peerName(ch);
            SocketAddress named = StreamServerNetdev.qmpAddress(ch, false); // null: gone already, never up for its events
            boolean[] up = {false}; // set on this thread, in serve
            port.serve(ch, peer, () -> {
                Log.info(id + ": connected to " + peer + " on hub " + hub.id());
                if (named != null) {
                    events.streamConnected(id, named);
                    up[0] = true;
                }
            });
            ch = null;
            if (closed) {
                return;
            }
            if (up[0]) {
                events.streamDisconnected(id);
            }
            hub.peerLeft(port); // the VM behind it quit: the user network lets go of its connections and lease
            if (reconnectMillis <= 0) {
                Log.info(id + ": peer " + peer + " went away; the link stays down (" + (port.type().equals("stream")
                        ? "no reconnect-ms" : "a socket netdev does not reconnect; -netdev stream,...,reconnect-ms= does") + ")");
                return;
            }
            Log.info(id + ": peer " + peer + " went away; reconnecting every " + reconnectMillis + " ms");
            if (!sleepBeforeReconnect()) {
                return;
            }
        }
    }

    private boolean sleepBeforeReconnect() {
        try {
            Thread.sleep(reconnectMillis);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        port.hangUp(); // closes the connection it serves, and any it would serve after
        Thread t = worker;
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        port.close();
    }
}
