package io.vnet4j.fabric;

import java.net.SocketAddress;

/**
 * What netdevs tell as it happens, for the control socket's QMP events: a {@code stream} netdev's connections
 * (QEMU 7.2's NETDEV_STREAM_CONNECTED and NETDEV_STREAM_DISCONNECTED, qapi/net.json, sent from net/stream.c).
 * Called on the netdev's own thread; an implementation must not block it.
 */
public interface NetdevEvents {
    /**
     * A connection of stream netdev {@code netdevId} is up (accepted by a listener, or a client's connect).
     *
     * @param address the address QEMU names: for a unix socket the socket file's (the listener's path, on either
     *                side); for TCP the other end's (a listener's peer, a client's server)
     */
    void streamConnected(String netdevId, SocketAddress address);

    /** The peer of stream netdev {@code netdevId} went away (not told when the netdev itself is closed, as QEMU's). */
    void streamDisconnected(String netdevId);

    /** Nobody listens (a network without a control socket, a library's). */
    NetdevEvents NONE = new NetdevEvents() {
        @Override
        public void streamConnected(String netdevId, SocketAddress address) {}

        @Override
        public void streamDisconnected(String netdevId) {}
    };
}
