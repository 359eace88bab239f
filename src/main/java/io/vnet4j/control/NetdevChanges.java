package io.vnet4j.control;

import io.vnet4j.config.ConfigException;
import io.vnet4j.fabric.Netdev;
import java.io.IOException;

/** How the control socket adds and removes netdevs while the network runs ({@code netdev_add}, {@code netdev_del}). */
public interface NetdevChanges {
    /**
     * Starts a netdev given in {@code -netdev} syntax ({@code stream,id=b,server=on,...}).
     *
     * @throws ConfigException for a bad option or an id in use (the message is the line to show)
     * @throws IOException when it cannot start (a socket that cannot be bound, say)
     */
    Netdev add(String option) throws ConfigException, IOException;

    /** Stops and forgets netdev {@code id}: its sockets, connections and files close. False when there is none. */
    boolean remove(String id);

    /** For a server with no network to change: every change is refused. */
    NetdevChanges NONE = new NetdevChanges() {
        @Override
        public Netdev add(String option) throws ConfigException {
            throw new ConfigException("netdevs cannot be added here");
        }

        @Override
        public boolean remove(String id) {
            return false;
        }
    };
}
