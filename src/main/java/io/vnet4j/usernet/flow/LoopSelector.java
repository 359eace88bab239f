package io.vnet4j.usernet.flow;

import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * The gateway loop's selector, as the NAT flows and host forwards see it: they register their host sockets
 * and change their interest through here, and this counts those changes. A JDK selector applies a new
 * registration or interest set only in its next {@code select}, so a thread that handled a guest frame
 * while the loop slept must wake the loop when, and only when, {@link #changes()} moved; a ping or a data
 * segment that changed nothing leaves the loop asleep (one thread wake-up less per frame).
 */
public final class LoopSelector {
    private final Selector selector;
    private long changes;

    public LoopSelector(Selector selector) {
        this.selector = selector;
    }

    public Selector selector() {
        return selector;
    }

    /** Registers {@code channel} for {@code ops} ({@link SelectionKey} bits) with {@code attachment}. */
    public SelectionKey register(SelectableChannel channel, int ops, Object attachment) throws ClosedChannelException {
        changes++;
        return channel.register(selector, ops, attachment);
    }

    /** Sets the interest of {@code key} to {@code ops}; nothing to apply when it is already that. */
    public void interest(SelectionKey key, int ops) {
        if (key.interestOps() != ops) {
            changes++;
            key.interestOps(ops);
        }
    }

    /** How many registrations and interest changes were made so far (only ever grows). */
    public long changes() {
        return changes;
    }
}
