package io.vnet4j.control;

import io.vnet4j.config.CaptureConfig;
import io.vnet4j.config.ConfigException;
import io.vnet4j.fabric.Netdev;
import java.io.IOException;

/**
 * How the control socket changes the running network: netdevs ({@code netdev_add}, {@code netdev_del}) and
 * captures ({@code object-add}/{@code object-del} of a {@code filter-dump}, {@code capture start|stop}), and the
 * daemon's stop ({@code quit}).
 */
public interface NetworkChanges {
    /**
     * Starts a netdev given in {@code -netdev} syntax ({@code stream,id=b,server=on,...}).
     *
     * @throws ConfigException for a bad option or an id in use (the message is the line to show)
     * @throws IOException when it cannot start (a socket that cannot be bound, say)
     */
    Netdev add(String option) throws ConfigException, IOException;

    /** Stops and forgets netdev {@code id}: its sockets, connections and files close. False when there is none. */
    boolean remove(String id);

    /**
     * Starts a capture given as a {@code filter-dump,id=ID,netdev=ID,file=PATH[,maxlen=N]} object.
     *
     * @throws ConfigException for a bad option, an id in use or a netdev that does not run
     * @throws IOException when the file cannot be written
     */
    CaptureConfig addCapture(String option) throws ConfigException, IOException;

    /** Stops capture {@code id} and completes its file. False when there is none. */
    boolean removeCapture(String id);

    /** The captures running now. */
    default java.util.List<CaptureConfig> captures() {
        return java.util.List.of();
    }

    /** The frames capture {@code id} dropped so far, its file taking records more slowly than they came; 0 when none runs. */
    default long captureDrops(String id) {
        return 0;
    }

    /**
     * Whether {@link #quit} stops anything: true for the daemon, false for a server whose owner is not to be stopped
     * from its control socket (a test's, an embedding program's).
     */
    default boolean canQuit() {
        return false;
    }

    /**
     * Stops the daemon as a SIGTERM does (everything closed, the control socket's file removed), to exit status 0:
     * QEMU's QMP and HMP {@code quit}. Called once the command's answer is out; returns without waiting for the stop.
     *
     * @throws UnsupportedOperationException when {@link #canQuit} is false
     */
    default void quit() {
        throw new UnsupportedOperationException("quit");
    }

    /** For a server with no network to change: every change is refused. */
    NetworkChanges NONE = new NetworkChanges() {
        @Override
        public Netdev add(String option) throws ConfigException {
            throw new ConfigException("netdevs cannot be added here");
        }

        @Override
        public boolean remove(String id) {
            return false;
        }

        @Override
        public CaptureConfig addCapture(String option) throws ConfigException {
            throw new ConfigException("captures cannot be started here");
        }

        @Override
        public boolean removeCapture(String id) {
            return false;
        }
    };
}
