package io.vnet4j.usernet.flow;

import io.vnet4j.os.ChannelDescriptors;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * What the gateway loop waits on: the host sockets of the NAT flows and host forwards. They register their
 * JDK channels here and change their interest ({@link SelectionKey}'s OP_ bits) through here; the loop
 * {@link #select}s and hands each ready {@link Key} to its owner.
 *
 * <p>Two kinds. {@link EpollLoopSelector} (the usual one) watches the channels' descriptors with an epoll of
 * its own: a registration or interest change made on a TAP's thread (a guest's SYN, handled there) applies at
 * once, and the loop sleeps on. {@link JdkLoopSelector} wraps a JDK selector, which applies them only in its
 * next {@code select}, so a thread that handled a guest frame while the loop slept must wake it when
 * {@link #pendingChanges()} moved. The JDK selector serves where the channels' descriptors cannot be had
 * ({@link ChannelDescriptors#available()}: an embedding without {@code --add-exports}) and in tests.
 *
 * <p>Threads: registrations, interest changes, cancels and {@link #forEachReady} run under the user network's
 * lock (on the loop or a hub's thread); {@link #select} on the loop's thread without it; {@link #wakeup} on
 * any thread.
 */
public abstract sealed class LoopSelector implements AutoCloseable permits EpollLoopSelector, JdkLoopSelector {

    /** The usual selector: epoll when descriptors can be had, else the JDK's. */
    public static LoopSelector open() throws IOException {
        return ChannelDescriptors.available() ? EpollLoopSelector.create() : new JdkLoopSelector(Selector.open());
    }

    /** A selector over a JDK selector (for tests, and where descriptors cannot be had). */
    public static LoopSelector of(Selector selector) {
        return new JdkLoopSelector(selector);
    }

    /**
     * A channel's (or a bare descriptor's) registration: its owner's attachment, its interest and, after a
     * select, what is ready.
     */
    public static final class Key {
        /** Null for a bare descriptor ({@link #registerDescriptor}). */
        final SelectableChannel channel;
        final Object attachment;
        int interest;
        int ready;
        boolean valid = true;
        /** The JDK selector's key ({@link JdkLoopSelector}). */
        SelectionKey jdkKey;
        /** The channel's descriptor, its slot in the table and the slot's generation ({@link EpollLoopSelector}). */
        int fd = -1;
        int slot;
        int generation;
        boolean watched;

        Key(SelectableChannel channel, Object attachment, int interest) {
            this.channel = channel;
            this.attachment = attachment;
            this.interest = interest;
        }

        public Object attachment() {
            return attachment;
        }

        /** False once cancelled (or its channel closed). */
        public boolean isValid() {
            return valid && (channel == null || channel.isOpen());
        }

        public boolean isReadable() {
            return (ready & SelectionKey.OP_READ) != 0;
        }

        public boolean isWritable() {
            return (ready & SelectionKey.OP_WRITE) != 0;
        }

        public boolean isConnectable() {
            return (ready & SelectionKey.OP_CONNECT) != 0;
        }

        public boolean isAcceptable() {
            return (ready & SelectionKey.OP_ACCEPT) != 0;
        }
    }

    /**
     * Registers {@code channel} (non-blocking) for {@code ops} with {@code attachment}.
     *
     * @throws IOException when the channel is closed or its descriptor cannot be watched
     */
    public abstract Key register(SelectableChannel channel, int ops, Object attachment) throws IOException;

    /** True when {@link #registerDescriptor} works (epoll; a JDK selector watches only its own channels). */
    public abstract boolean watchesDescriptors();

    /**
     * Registers a descriptor that is no JDK channel (a TAP's) for {@code ops}, OP_READ or OP_WRITE.
     *
     * @throws IOException when it cannot be watched
     * @throws UnsupportedOperationException when {@link #watchesDescriptors()} is false
     */
    public abstract Key registerDescriptor(int fd, int ops, Object attachment) throws IOException;

    /** Sets the interest of {@code key} to {@code ops}; nothing to apply when it is already that. */
    public abstract void interest(Key key, int ops);

    /** Stops watching the key's channel; call it before closing the channel. */
    public abstract void cancel(Key key);

    /**
     * How many registrations and interest changes were made that only the loop's next {@link #select} applies
     * (only ever grows; always 0 for epoll, which applies them at once).
     */
    public abstract long pendingChanges();

    /**
     * Waits until a channel is ready, {@link #wakeup} or {@code timeoutMillis} ms pass (at least 1;
     * {@link Long#MAX_VALUE}: until one of the others, in waits of at most {@link Integer#MAX_VALUE} ms).
     *
     * @return whether anything was ready (a {@link #wakeup} may count)
     */
    public abstract boolean select(long timeoutMillis) throws IOException;

    /**
     * Takes what is ready without waiting.
     *
     * @return whether anything was ready (a {@link #wakeup} may count)
     */
    public abstract boolean selectNow() throws IOException;

    /** Makes the waiting (or next) {@link #select} return; any thread. */
    public abstract void wakeup();

    /** Hands each key the last select found ready, with its ready ops set, to {@code action}, once. */
    public abstract void forEachReady(Consumer<Key> action);

    @Override
    public abstract void close();
}
