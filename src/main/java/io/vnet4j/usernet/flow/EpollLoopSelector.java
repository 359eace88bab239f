package io.vnet4j.usernet.flow;

import io.vnet4j.os.ChannelDescriptors;
import io.vnet4j.os.Epoll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A {@link LoopSelector} on an {@link Epoll} of its own, watching the JDK channels' descriptors
 * ({@link ChannelDescriptors}); the channels are used for their I/O as before, never registered with a JDK
 * selector, so a closed one closes at once.
 *
 * <p>Theory of operation. Each key has a slot in a table; the epoll's data for its descriptor is the slot and
 * the slot's generation, so an event still in the last wait's list for a key cancelled since (and its slot
 * reused) is recognised and skipped. The interest maps as the JDK's epoll selector maps it: OP_READ and
 * OP_ACCEPT to EPOLLIN, OP_WRITE and OP_CONNECT to EPOLLOUT; EPOLLERR or EPOLLHUP make every op of the
 * interest ready, so its owner's read or connect meets the error; an empty interest removes the descriptor
 * from the epoll (as the JDK does), so a hung-up socket nobody reads does not wake the loop again and again.
 */
final class EpollLoopSelector extends LoopSelector {
    private final Epoll epoll;
    private static final int FIRST_SLOTS = 64;
    private Key[] slots = new Key[0];
    private int[] generations = new int[0];
    /**
     * The slots without a key, taken from the end. Every slot of the table is on it until taken, so taking
     * one does not branch on whether any was ever freed: a branch the warm-up's network, whose connections
     * free slots all the time, never took after its first ones, and which C2 then compiled as a trap that a
     * fresh network's first connections sprang (-Xlog:deoptimization).
     */
    private int[] free = new int[0];
    private int freeCount;
    /** The table's size: every slot below it is either on {@link #free} or holds a key. */
    private int used;
    private int readyCount;

    private EpollLoopSelector(Epoll epoll) {
        this.epoll = epoll;
        grow(FIRST_SLOTS);
    }

    static EpollLoopSelector create() throws IOException {
        return new EpollLoopSelector(Epoll.open());
    }

    @Override
    public Key register(SelectableChannel channel, int ops, Object attachment) throws IOException {
        if (channel.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        int fd = ChannelDescriptors.of(channel);
        if (fd < 0 || !channel.isOpen()) {
            throw new IOException("a closed channel cannot be watched");
        }
        return add(new Key(channel, attachment, 0), fd, ops);
    }

    @Override
    public boolean watchesDescriptors() {
        return true;
    }

    @Override
    public Key registerDescriptor(int fd, int ops, Object attachment) throws IOException {
        return add(new Key(null, attachment, 0), fd, ops);
    }

    private Key add(Key key, int fd, int ops) throws IOException {
        key.fd = fd;
        key.slot = takeSlot();
        key.generation = generations[key.slot];
        slots[key.slot] = key;
        try {
            watch(key, ops);
        } catch (UncheckedIOException e) {
            cancel(key);
            throw e.getCause();
        }
        return key;
    }

    @Override
    public void interest(Key key, int ops) {
        if (key.interest != ops && key.valid) {
            watch(key, ops);
        }
    }

    private void watch(Key key, int ops) {
        int events = Epoll.EPOLLIN * anyOf(ops, SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)
                | Epoll.EPOLLOUT * anyOf(ops, SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT);
        long data = (long) key.generation << 32 | key.slot;
        try {
            if (events == 0) {
                if (key.watched) {
                    epoll.delete(key.fd);
                    key.watched = false;
                }
            } else if (key.watched) {
                epoll.modify(key.fd, events, data);
            } else {
                epoll.add(key.fd, events, data);
                key.watched = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a descriptor closed under its key: a bug of the caller
        }
        key.interest = ops;
    }

    @Override
    public void cancel(Key key) {
        if (!key.valid) {
            return;
        }
        key.valid = false;
        if (key.watched && (key.channel == null || key.channel.isOpen())) {
            try {
                epoll.delete(key.fd);
            } catch (IOException e) {
                // gone from the epoll either way once its descriptor closes
            }
        }
        key.watched = false;
        slots[key.slot] = null;
        generations[key.slot]++;
        free[freeCount++] = key.slot;
    }

    private int takeSlot() {
        if (freeCount == 0) {
            grow(used * 2);
        }
        return free[--freeCount];
    }

    /** Makes the table {@code size} slots long, the new ones free (the lowest taken first). */
    private void grow(int size) {
        slots = Arrays.copyOf(slots, size);
        generations = Arrays.copyOf(generations, size);
        free = Arrays.copyOf(free, size);
        for (int slot = size - 1; slot >= used; slot--) {
            free[freeCount++] = slot;
        }
        used = size;
    }

    /** How many keys are registered and not cancelled (for tests: every closed flow cancels its key). */
    int registered() {
        return used - freeCount;
    }

    @Override
    public long pendingChanges() {
        return 0;
    }

    @Override
    public boolean select(long timeoutMillis) throws IOException {
        readyCount = epoll.await((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutMillis)));
        return readyCount > 0;
    }

    @Override
    public boolean selectNow() throws IOException {
        readyCount = epoll.await(0);
        return readyCount > 0;
    }

    @Override
    public void wakeup() {
        epoll.wake();
    }

    @Override
    public void forEachReady(Consumer<Key> action) {
        int n = readyCount;
        readyCount = 0;
        for (int i = 0; i < n; i++) {
            long data = epoll.data(i);
            if (data == Epoll.WAKE_DATA) {
                continue;
            }
            int slot = (int) data;
            Key key = slot >= 0 && slot < used ? slots[slot] : null;
            if (key == null || key.generation != (int) (data >>> 32) || !key.valid) {
                continue; // cancelled since the wait
            }
            int events = epoll.events(i);
            int ready = key.interest & (-anyOf(events, Epoll.EPOLLERR | Epoll.EPOLLHUP)
                    | -anyOf(events, Epoll.EPOLLIN) & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)
                    | -anyOf(events, Epoll.EPOLLOUT) & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT));
            if (ready != 0) {
                key.ready = ready;
                action.accept(key);
                key.ready = 0;
            }
        }
    }

    /**
     * 1 when {@code bits} has any of {@code mask} (both non-negative), else 0, without a branch: the warm-up's
     * loopback sockets are never written slowly nor connected late, and a branch it never took (OP_WRITE,
     * OP_CONNECT, an EPOLLOUT event alone) was compiled as a trap that threw the loop's compiled code away at a
     * daemon's first connect to a remote host or first DNS-over-TCP upstream ({@code -Xlog:deoptimization}).
     */
    private static int anyOf(int bits, int mask) {
        int x = bits & mask;
        return (x | -x) >>> 31;
    }

    @Override
    public void close() {
        epoll.close();
    }
}
