package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A Linux TAP device: {@code /dev/net/tun} with TUNSETIFF (IFF_TAP, IFF_NO_PI, and with a virtio-net header
 * IFF_VNET_HDR plus TUNSETOFFLOAD for checksum, TSO4 and TSO6: the kernel then hands over up to 64 KiB TCP
 * segments with a partial checksum, each frame after a 10-byte {@code struct virtio_net_hdr}; without the header,
 * TUNSETOFFLOAD of none, as a persistent TAP keeps the offloads of its last user),
 * created or attached by name, optionally inside another network namespace (the descriptor stays bound
 * to the namespace it was created in). One thread may {@link #read} while another {@link #write}s; each
 * direction has its own native buffer. A reader waiting in {@link #read} is woken by {@link #close()} through an
 * eventfd(2) polled beside the device (a TAP's descriptor has no shutdown(2)), so an idle reader sleeps
 * without a time-out.
 */
public final class TapDevice implements AutoCloseable {
    public static final int MAX_FRAME = 65536 + 4096;
    /** {@link #read}'s time-out for waiting until a frame comes or {@link #close()} is called. */
    public static final int UNTIL_CLOSED = -1;

    private final Arena arena = Arena.ofShared();
    private final int fd;
    /** An eventfd {@link #close()} writes, polled beside {@link #fd} in {@link #read}. */
    private final int wakeFd;
    private final String name;
    private final MemorySegment rxData;
    private final MemorySegment txData;
    /** errno of a read repeated with the capture, to confirm an unexpected one (LastErrno). */
    private final MemorySegment rxErrno;
    /** Two {@code struct pollfd} ({int fd; short events; short revents}): the device and {@link #wakeFd}. */
    private final MemorySegment pollFds;
    private final ByteBuffer received;
    private volatile boolean closed;

    private TapDevice(int fd, int wakeFd, String name) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.name = name;
        this.rxData = arena.allocate(MAX_FRAME, 16);
        this.txData = arena.allocate(MAX_FRAME, 16);
        this.rxErrno = Libc.errnoState(arena);
        this.pollFds = arena.allocate(16, 4);
        pollFds.set(ValueLayout.JAVA_INT, 0, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 4, LinuxCalls.POLLIN);
        pollFds.set(ValueLayout.JAVA_INT, 8, wakeFd);
        pollFds.set(ValueLayout.JAVA_SHORT, 12, LinuxCalls.POLLIN);
        this.received = rxData.asByteBuffer();
    }

    /**
     * A device over descriptor {@code fd}, which it owns from here on: closed here when its eventfd cannot be
     * made.
     */
    private static TapDevice wrap(int fd, String name) throws IOException {
        int wakeFd;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            wakeFd = (int) Downcall.call(LinuxCalls.EVENTFD.handle(), errno, 0, LinuxCalls.EFD_NONBLOCK | LinuxCalls.EFD_CLOEXEC);
            if (wakeFd < 0) {
                Libc.closeQuietly(fd);
                throw new IOException("eventfd for " + name + ": " + Libc.strerror(Libc.errno(errno)));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            Libc.closeQuietly(fd);
            throw new IOException("eventfd: " + t, t);
        }
        return new TapDevice(fd, wakeFd, name);
    }

    /**
     * Creates TAP {@code name} (or attaches to the persistent one of that name; empty: the kernel picks
     * tapN). With {@code namespace} set, the device is created inside that network namespace, on a
     * thread of its own, and {@code inNamespace} runs there afterwards (to configure the interface).
     */
    public static TapDevice open(String name, boolean vnetHeader, Path namespace, NamespaceTask inNamespace)
            throws IOException {
        return namespace == null ? createAndRun(name, vnetHeader, inNamespace)
                : NetworkNamespace.call(namespace, () -> createAndRun(name, vnetHeader, inNamespace));
    }

    /** {@link #create}, then {@code then} on the new interface's name (if any); closes the TAP when that fails. */
    private static TapDevice createAndRun(String name, boolean vnetHeader, NamespaceTask then) throws IOException {
        TapDevice tap = create(name, vnetHeader);
        if (then != null) {
            try {
                then.run(tap.name);
            } catch (IOException | RuntimeException e) {
                tap.close();
                throw e;
            }
        }
        return tap;
    }

    /**
     * Two devices over the ends of a unix datagram socket pair, named {@code name}: what one writes the other
     * reads, one frame per datagram, as a TAP's descriptor passes frames. For running the TAP path without a
     * TAP (the warm-up, see {@code io.vnet4j.Warmup}); release both.
     *
     * @throws IOException when the kernel refuses the socket pair
     */
    public static TapDevice[] pair(String name) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            MemorySegment fds = call.allocate(ValueLayout.JAVA_INT, 2);
            int rc = (int) Downcall.call(LinuxCalls.SOCKETPAIR.handle(), errno, Libc.AF_UNIX,
                    Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC | LinuxCalls.SOCK_NONBLOCK, 0, fds.address());
            if (rc != 0) {
                throw new IOException("socketpair: " + Libc.strerror(Libc.errno(errno)));
            }
            int second = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            TapDevice first;
            try {
                first = wrap(fds.getAtIndex(ValueLayout.JAVA_INT, 0), name);
            } catch (IOException e) {
                Libc.closeQuietly(second);
                throw e;
            }
            try {
                return new TapDevice[] {first, wrap(second, name)};
            } catch (IOException e) {
                first.release();
                throw e;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("socketpair: " + t, t);
        }
    }

    /** A TAP whose descriptor another process opened and handed over ({@link UserNamespaceTap}). */
    static TapDevice adopt(int fd, String name) throws IOException {
        return wrap(fd, name);
    }

    /** Work to do inside the TAP's namespace once it exists, given the interface name. */
    @FunctionalInterface
    public interface NamespaceTask {
        void run(String interfaceName) throws IOException;
    }

    static TapDevice create(String name, boolean vnetHeader) throws IOException {
        if (name.getBytes(StandardCharsets.US_ASCII).length >= LinuxCalls.IFNAMSIZ) {
            throw new IOException("interface name '" + name + "' is longer than " + (LinuxCalls.IFNAMSIZ - 1) + " characters");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            int fd = LinuxCalls.open(Path.of("/dev/net/tun"), LinuxCalls.O_RDWR | LinuxCalls.O_CLOEXEC | LinuxCalls.O_NONBLOCK,
                    call, errno);
            if (fd < 0) {
                int e = Libc.errno(errno);
                throw new IOException("cannot open /dev/net/tun: " + Libc.strerror(e) + hint(e));
            }
            MemorySegment ifreq = call.allocate(LinuxCalls.IFREQ_SIZE, 8);
            ifreq.setString(0, name, StandardCharsets.US_ASCII);
            short flags = (short) (LinuxCalls.IFF_TAP | LinuxCalls.IFF_NO_PI | (vnetHeader ? LinuxCalls.IFF_VNET_HDR : 0));
            ifreq.set(ValueLayout.JAVA_SHORT, LinuxCalls.IFNAMSIZ, flags);
            int rc = (int) Downcall.callVariadic(LinuxCalls.IOCTL.handle(), errno, fd, LinuxCalls.TUNSETIFF, ifreq.address());
            if (rc != 0) {
                int e = Libc.errno(errno);
                // EINVAL has two causes: no TAP by that name, or a multi-queue one, which asked as one queue is refused
                boolean multiQueue = e == EINVAL && !name.isEmpty() && attachesAsMultiQueue(fd, ifreq, flags, errno);
                Libc.closeQuietly(fd);
                throw new IOException("TUNSETIFF " + (name.isEmpty() ? "" : name + " ") + "failed: " + Libc.strerror(e)
                        + hint(e) + (multiQueue ? multiQueueHint(name) : attachHint(e, name)));
            }
            if (vnetHeader) {
                long offloads = LinuxCalls.TUN_F_CSUM | LinuxCalls.TUN_F_TSO4 | LinuxCalls.TUN_F_TSO6;
                rc = (int) Downcall.callVariadic(LinuxCalls.IOCTL.handle(), errno, fd, LinuxCalls.TUNSETOFFLOAD, offloads);
                if (rc != 0) {
                    int e = Libc.errno(errno);
                    Libc.closeQuietly(fd);
                    throw new IOException("TUNSETOFFLOAD (checksum, TSO4, TSO6) failed: " + Libc.strerror(e));
                }
            } else {
                // none, as QEMU's tap sets at its start: a persistent TAP keeps the offloads an earlier user set
                // (vnet4j with vnet_hdr=on, QEMU with vhost), and without a virtio-net header the kernel would then
                // hand over frames whose checksums it left unfinished (every TCP and UDP packet dropped as bad).
                // A kernel that refuses even none has none on.
                Downcall.callVariadic(LinuxCalls.IOCTL.handle(), errno, fd, LinuxCalls.TUNSETOFFLOAD, 0L);
            }
            return wrap(fd, ifreq.getString(0, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("tap: " + t, t);
        }
    }

    private static final int EINVAL = 22;

    /**
     * Whether the interface TUNSETIFF just refused with EINVAL takes {@code fd} as one queue of a multi-queue TAP
     * (IFF_MULTI_QUEUE, as {@code ip tuntap add NAME mode tap multi_queue} makes one): the kernel's tun_set_iff
     * refuses a request whose IFF_MULTI_QUEUE differs from the device's. The queue attached by asking is let go
     * with {@code fd}; while another process holds queues of that TAP the kernel leaves its settings alone (an idle
     * one keeps the flags asked, as the next process to attach sets its own).
     */
    private static boolean attachesAsMultiQueue(int fd, MemorySegment ifreq, short flags, MemorySegment errno) throws Throwable {
        ifreq.set(ValueLayout.JAVA_SHORT, LinuxCalls.IFNAMSIZ, (short) (flags | LinuxCalls.IFF_MULTI_QUEUE));
        return (int) Downcall.callVariadic(LinuxCalls.IOCTL.handle(), errno, fd, LinuxCalls.TUNSETIFF, ifreq.address()) == 0;
    }

    /**
     * A multi-queue TAP refused, as QEMU 7.2 refuses one without queues=N: vnet4j reads a TAP through one
     * descriptor, and a second process's queue on a multi-queue TAP would take part of its frames in silence.
     */
    private static String multiQueueHint(String name) {
        return " (" + name + " is a multi-queue TAP, made with `ip tuntap add " + name + " mode tap multi_queue`; vnet4j "
                + "attaches a TAP as one queue: delete it and let vnet4j create it, or create it without multi_queue)";
    }

    private static String hint(int errno) {
        return errno == 1 || errno == 13
                ? " (creating or attaching a TAP needs CAP_NET_ADMIN: run as root, or attach to a persistent TAP "
                        + "owned by this user, created with `ip tuntap add NAME mode tap user $USER`)"
                : "";
    }

    /**
     * Why attaching to an interface that exists failed, as the kernel's tun_set_iff (drivers/net/tun.c)
     * decides: EINVAL when it is not a TAP device (a TUN device, a veth, lo; a multi-queue TAP is told apart by
     * {@link #attachesAsMultiQueue}), EBUSY when another process
     * holds the TAP (without IFF_MULTI_QUEUE one descriptor at a time).
     */
    private static String attachHint(int errno, String name) {
        if (name.isEmpty()) {
            return "";
        }
        return switch (errno) {
            case 22 -> " (an interface named " + name + " exists there and is not a TAP device; choose another ifname=)";
            case 16 -> " (TAP " + name + " is held by another process, such as QEMU or another vnet4j)";
            default -> "";
        };
    }

    /** The interface's name, as the kernel gave it. */
    public String name() {
        return name;
    }

    /**
     * Sets the interface's carrier (TUNSETCARRIER, Linux 5.0, drivers/net/tun.c): off, the kernel shows the
     * interface NO-CARRIER, marks its routes linkdown and stops sending on it, as when a cable is pulled; on
     * again, it runs duplicate address detection and router solicitation anew.
     *
     * @throws IOException when the kernel refuses (older than 5.0, or a descriptor that is no TAP: ENOTTY)
     */
    public void setCarrier(boolean on) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            MemorySegment carrier = call.allocateFrom(ValueLayout.JAVA_INT, on ? 1 : 0);
            int rc = (int) Downcall.callVariadic(LinuxCalls.IOCTL.handle(), errno, fd, LinuxCalls.TUNSETCARRIER, carrier.address());
            if (rc != 0) {
                throw new IOException("TUNSETCARRIER on " + name + " failed: " + Libc.strerror(Libc.errno(errno)));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("TUNSETCARRIER: " + t, t);
        }
    }

    /**
     * Reads a frame into {@link #receivedBuffer()} at 0, waiting up to {@code timeoutMillis} ms for one
     * ({@link #UNTIL_CLOSED}: until one comes or {@link #close()} is called). The descriptor is non-blocking:
     * a busy device is read without a poll per frame.
     *
     * @return its length, or -1 when none came in time or the device is closed
     */
    public int read(int timeoutMillis) throws IOException {
        int n = readNow();
        if (n >= 0 || closed) {
            return n;
        }
        try {
            if ((int) Downcall.call(FrameCalls.POLL, pollFds.address(), 2, timeoutMillis) <= 0) {
                return -1; // time-out, or a signal (EINTR): the caller reads again
            }
        } catch (Throwable t) {
            throw new IOException("poll " + name + ": " + t, t);
        }
        return readNow();
    }

    /**
     * Reads a frame into {@link #receivedBuffer()} at 0 if one is waiting, without waiting: for a loop that
     * watches {@link #descriptor()} itself.
     *
     * @return its length, or -1 when none is waiting or the device is closed
     */
    public int readNow() throws IOException {
        try {
            long n = Downcall.call(FrameCalls.READ, fd, rxData.address(), MAX_FRAME);
            if (n < 0) {
                int e = LastErrno.read();
                if (e != Libc.EAGAIN && e != Libc.EINTR && !closed) {
                    n = Downcall.call(LinuxCalls.READ.handle(), rxErrno, fd, rxData.address(), MAX_FRAME);
                    e = Libc.errno(rxErrno);
                }
                if (n < 0 && e != Libc.EAGAIN && e != Libc.EINTR && !closed) {
                    throw new IOException("read from " + name + ": " + Libc.strerror(e));
                }
            }
            return n < 0 || closed ? -1 : (int) n;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("read from " + name + ": " + t, t);
        }
    }

    /** The device's descriptor (non-blocking): for a loop that polls it ({@link #readNow}), or to hand to another process. */
    public int descriptor() {
        return fd;
    }

    /** The last frame read, as a direct buffer over the read memory. */
    public ByteBuffer receivedBuffer() {
        return received;
    }

    /** The native buffer {@link #write} sends from; fill it from index 0. Only the writing thread may use it. */
    public MemorySegment writeBuffer() {
        return txData;
    }

    /**
     * Writes {@code length} bytes of {@link #writeBuffer()} as one frame.
     *
     * @return false when the device took none (its queue full, the interface down or gone)
     */
    public boolean write(int length) {
        try {
            return Downcall.call(FrameCalls.WRITE, fd, txData.address(), length) >= 0;
        } catch (Throwable t) {
            throw new IllegalStateException("write", t);
        }
    }

    /** Stops reads: a waiting {@link #read} returns -1 at once; call {@link #release()} after the reader ended. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // the counter stays non-zero (nobody reads it), so every later poll returns at once too
            Downcall.call(FrameCalls.WRITE, wakeFd, LinuxCalls.EVENTFD_ONE, 8);
        } catch (Throwable t) {
            // Downcall.call declares Throwable; a write to an eventfd throws nothing
        }
    }

    /** Closes the descriptor (the kernel removes a non-persistent TAP) and frees the native memory. */
    public void release() {
        closed = true;
        Libc.closeQuietly(fd);
        Libc.closeQuietly(wakeFd);
        arena.close();
    }

    /**
     * The calls every frame makes, as constants: a handle in a static final field of an initialised class,
     * called through {@link Downcall#call}, is inlined by the JIT into a direct native call, while one read
     * from a field (as {@link Downcall} keeps it) is invoked through the method handle's lambda forms, which
     * cost a TAP reader about 8% of its time per ping (perf, docs/architecture.md). Without errno captured
     * (LastErrno). Bound when the first frame is read or written.
     */
    private static final class FrameCalls {
        static final java.lang.invoke.MethodHandle READ = LinuxCalls.READ_UNCAPTURED.handle();
        static final java.lang.invoke.MethodHandle WRITE = LinuxCalls.WRITE_UNCAPTURED.handle();
        static final java.lang.invoke.MethodHandle POLL = LinuxCalls.POLL.handle();

        static {
            LastErrno.bind();
        }
    }
}
