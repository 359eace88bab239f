package io.vnet4j.usernet.flow;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * A {@link LoopSelector} over a JDK selector: registrations and interest changes apply in its next select, so
 * they are counted ({@link #pendingChanges()}) for the thread that must then wake the loop. A channel
 * registered here really closes when its cancelled key is flushed by the next select.
 */
final class JdkLoopSelector extends LoopSelector {
    private final Selector selector;
    private long changes;

    JdkLoopSelector(Selector selector) {
        this.selector = selector;
    }

    @Override
    public Key register(SelectableChannel channel, int ops, Object attachment) throws IOException {
        changes++;
        Key key = new Key(channel, attachment, ops);
        key.jdkKey = channel.register(selector, ops, key);
        return key;
    }

    @Override
    public boolean watchesDescriptors() {
        return false;
    }

    @Override
    public Key registerDescriptor(int fd, int ops, Object attachment) {
        throw new UnsupportedOperationException("a JDK selector watches only its own channels");
    }

    @Override
    public void interest(Key key, int ops) {
        if (key.interest != ops && key.jdkKey.isValid()) {
            changes++;
            key.interest = ops;
            key.jdkKey.interestOps(ops);
        }
    }

    @Override
    public void cancel(Key key) {
        key.valid = false;
        key.jdkKey.cancel();
    }

    @Override
    public long pendingChanges() {
        return changes;
    }

    @Override
    public boolean select(long timeoutMillis) throws IOException {
        return selector.select(Math.max(1, timeoutMillis)) > 0;
    }

    @Override
    public boolean selectNow() throws IOException {
        return selector.selectNow() > 0;
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public void forEachReady(Consumer<Key> action) {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey selected = keys.next();
            keys.remove();
            Key key = (Key) selected.attachment();
            if (!selected.isValid() || !key.valid) {
                continue;
            }
            key.ready = selected.readyOps();
            action.accept(key);
            key.ready = 0;
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // closing a selector fails only on a closed descriptor
        }
    }
}
