package io.vnet4j.os;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells its subscribers the index of the interface of a name as links come and go in the daemon's own network
 * namespace: a VXLAN netdev's multicast group is joined on its {@code dev=} by index, and a deleted and re-created
 * device has a new one.
 *
 * <p>Theory of operation. While anything subscribes, an rtnetlink socket (rtnetlink(7): NETLINK_ROUTE, bound to
 * the RTMGRP_LINK group; no privilege needed, in a user namespace too) is read by one thread, which waits in an
 * {@link Epoll} beside its wake-up eventfd: no time-out, so an idle watch costs no wake-up. Each RTM_NEWLINK
 * and RTM_DELLINK ({@link LinkMessages}) is matched against the subscriptions: one whose name now has another
 * index, or whose index is deleted or renamed away (index 0), is told on this thread, outside any lock of
 * this class. When the kernel dropped messages because the socket's queue was full (the receive fails with
 * ENOBUFS, netlink(7)), every subscription is looked up again by name. The last subscription to close stops
 * the thread and closes the socket; a later one opens a new watch.
 */
public final class LinkWatch {
    /** What a subscriber is told: the interface's index now, 0 while there is no interface of its name. */
    @FunctionalInterface
    public interface Listener {
        void indexChanged(int index);
    }

    /** A subscription; {@link #close} ends it (a change may still be told while it closes). */
    public static final class Subscription implements AutoCloseable {
        private final String name;
        private final Listener listener;
        /** The index last told (or given); guarded by LinkWatch.class. */
        private int index;

        private Subscription(String name, int index, Listener listener) {
            this.name = name;
            this.index = index;
            this.listener = listener;
        }

        @Override
        public void close() {
            LinkWatch stopped = null;
            synchronized (LinkWatch.class) {
                if (current != null && current.subscriptions.remove(this) && current.subscriptions.isEmpty()) {
                    stopped = current;
                    current = null;
                }
            }
            if (stopped != null) {
                stopped.stop();
            }
        }
    }

    private static final int AF_NETLINK = 16;
    private static final int NETLINK_ROUTE = 0;
    private static final int RTMGRP_LINK = 1;
    /** {@code struct sockaddr_nl}: u16 nl_family, u16 pad, u32 nl_pid, u32 nl_groups. */
    private static final int SOCKADDR_NL = 12;
    /** Room for a datagram of link messages: the kernel's NLMSG_GOODSIZE is at most 8 KiB. */
    private static final int BUFFER = 32 * 1024;
    private static final long NETLINK_DATA = 1;

    /** One link message: {@link LinkMessages.Sink#link}'s arguments. */
    private record Change(boolean deleted, int index, String name) {}

    /** The watch that runs, or null; guarded by the class's monitor. */
    private static LinkWatch current;

    /** Guarded by the class's monitor. */
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER, 8);
    private final MemorySegment errno = Libc.errnoState(arena);
    private final int fd;
    private final Epoll epoll;
    private final Thread reader;
    private volatile boolean stopping;

    private LinkWatch(int fd, Epoll epoll) {
        this.fd = fd;
        this.epoll = epoll;
        this.reader = Thread.ofPlatform().daemon().name("vnet4j-link-watch").unstarted(this::readLoop);
    }

    /**
     * Watches the interface named {@code name}, whose index is {@code index} now (0: none); a change made before
     * the watch began is told at once, on this thread.
     *
     * @throws IOException when the rtnetlink socket cannot be opened (out of descriptors)
     */
    public static Subscription subscribe(String name, int index, Listener listener) throws IOException {
        Subscription s = new Subscription(name, index, listener);
        LinkWatch watch;
        synchronized (LinkWatch.class) {
            if (current == null) {
                current = open();
            }
            watch = current;
            watch.subscriptions.add(s);
        }
        watch.lookUp(List.of(s)); // what changed between the caller's look and the socket's first message
        return s;
    }

    private static LinkWatch open() throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment e = Libc.errnoState(call);
            int fd = (int) Downcall.call(Libc.SOCKET.handle(), e, AF_NETLINK,
                    Libc.SOCK_RAW | Libc.SOCK_CLOEXEC | LinuxCalls.SOCK_NONBLOCK, NETLINK_ROUTE);
            if (fd < 0) {
                throw NativeDatagramSocket.failure("socket(AF_NETLINK)", Libc.errno(e));
            }
            MemorySegment address = call.allocate(SOCKADDR_NL, 4);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            address.set(ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder()), 8, RTMGRP_LINK);
            Epoll epoll = null;
            try {
                if ((int) Downcall.call(Libc.BIND.handle(), e, fd, address.address(), SOCKADDR_NL) != 0) {
                    throw NativeDatagramSocket.failure("bind(AF_NETLINK, RTMGRP_LINK)", Libc.errno(e));
                }
                epoll = Epoll.open();
                epoll.add(fd, Epoll.EPOLLIN, NETLINK_DATA);
            } catch (IOException ex) {
                Libc.closeQuietly(fd);
                if (epoll != null) {
                    epoll.close();
                }
                throw ex;
            }
            LinkWatch watch = new LinkWatch(fd, epoll);
            watch.reader.start();
            return watch;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("rtnetlink: " + t, t);
        }
    }

    private void readLoop() {
        try {
            while (!stopping) {
                epoll.await(-1);
                drain();
            }
        } catch (IOException e) {
            if (!stopping) {
                Log.warn("link watch: " + e.getMessage() + "; interfaces that come back are not followed");
            }
        }
    }

    /** Reads every datagram queued, then tells what changed. */
    private void drain() throws IOException {
        List<Change> changes = new ArrayList<>();
        boolean overrun = false;
        while (!stopping) {
            long n;
            try {
                n = Downcall.call(Libc.RECVFROM.handle(), errno, fd, buffer.address(), BUFFER, Libc.MSG_DONTWAIT, 0, 0);
            } catch (Throwable t) {
                throw new IOException("rtnetlink: " + t, t);
            }
            if (n < 0) {
                int e = Libc.errno(errno);
                if (e == Errno.ENOBUFS) {
                    overrun = true; // messages were lost; the next ones still come
                    continue;
                }
                if (e == Libc.EAGAIN || e == Libc.EINTR) {
                    break;
                }
                throw NativeDatagramSocket.failure("recv(AF_NETLINK)", e);
            }
            LinkMessages.read(buffer.asByteBuffer(), (int) n, (deleted, index, name) ->
                    changes.add(new Change(deleted, index, name)));
        }
        List<Runnable> tell = new ArrayList<>();
        synchronized (LinkWatch.class) {
            for (Change c : changes) {
                for (Subscription s : subscriptions) {
                    int now = s.index;
                    if (!c.deleted() && s.name.equals(c.name())) {
                        now = c.index();
                    } else if (s.index == c.index() && (c.deleted() || c.name() != null && !s.name.equals(c.name()))) {
                        now = 0; // deleted, or renamed away
                    }
                    if (now != s.index) {
                        s.index = now;
                        int told = now;
                        tell.add(() -> s.listener.indexChanged(told));
                    }
                }
            }
        }
        tell.forEach(Runnable::run);
        if (overrun) {
            List<Subscription> all;
            synchronized (LinkWatch.class) {
                all = List.copyOf(subscriptions);
            }
            lookUp(all);
        }
    }

    /** Looks each of {@code some} up by name, and tells those whose index is not the one last told. */
    private void lookUp(List<Subscription> some) {
        for (Subscription s : some) {
            int index = indexOf(s.name);
            if (index < 0) {
                continue;
            }
            boolean changed;
            synchronized (LinkWatch.class) {
                changed = s.index != index && subscriptions.contains(s);
                s.index = index;
            }
            if (changed) {
                s.listener.indexChanged(index);
            }
        }
    }

    /** The index of the interface named {@code name}, 0 when there is none, -1 when the kernel cannot say. */
    private static int indexOf(String name) {
        try {
            return InterfaceQuery.index(name);
        } catch (IOException e) {
            return -1; // no socket to ask with (out of descriptors): unknown
        }
    }

    /** Ends the reader and closes the socket; not under the class's monitor (the reader may wait for it). */
    private void stop() {
        stopping = true;
        epoll.wake();
        if (Shutdown.join(reader)) {
            epoll.close();
            Libc.closeQuietly(fd);
            arena.close();
        } else {
            Shutdown.leftRunning("link watch");
        }
    }
}
