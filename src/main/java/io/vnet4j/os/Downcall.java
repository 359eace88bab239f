package io.vnet4j.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A libc function, bound through java.lang.foreign on its first call, in one of three shapes of call.
 *
 * <p>Theory of operation. The linker generates a stub, and some eleven hidden classes, for each shape of
 * call (the function descriptor and the options), which the JDK's AOT cache does not keep: 7 to 12 ms of
 * each start for each shape, while a further function of a shape already bound costs 0.3 ms (measured,
 * JDK 25, twenty-fourth and twenty-fifth passes). So every function is bound as
 * {@code long f(long, long, long, long, long, long)}, with errno captured ({@link #captured}) or not
 * ({@link #uncaptured}), and the variadic ones as {@code long f(long, long, ...)} with one variadic
 * {@code long} ({@link #variadic}). That is sound for the functions this package calls, whose arguments
 * are integers and pointers only, at most six: the 64-bit Linux calling conventions (x86-64 System V,
 * AAPCS64; riscv64 and ppc64le alike) pass the first six integer arguments in registers and the result in
 * one; a function reads only the registers its C prototype names, and an {@code int} argument or result is
 * the register's low 32 bits, so an {@code int} result is read as {@code (int)} of the {@code long}, and the
 * arguments a function does not take are passed as 0 and ignored. An {@code int} argument is widened by
 * Java's sign extension, which is what riscv64 and ppc64le ask of a caller; every value passed here is below
 * 2^31, so an {@code unsigned} parameter reads the same. A pointer goes as its address
 * ({@link MemorySegment#address()}; every segment passed is native): the linker then no longer holds the
 * segment's arena open during the call (it never checked a length against the segment's size), so memory
 * must not be freed while a thread may still pass it to a call. The os classes free theirs in
 * {@code release}/{@code close}, which their owners call only once the threads that use them have ended
 * ({@code base.Shutdown.join}; an owner whose thread does not end keeps the memory), and an eventfd's
 * waker, which may race a close, writes from memory never freed ({@code LinuxCalls.EVENTFD_ONE}).
 *
 * <p>A handle read from {@link #handle} is not a constant to the JIT, so a call through it runs through its
 * lambda forms (measured: about 8% of a TAP reader's time per ping): the calls every frame makes keep their
 * handles in static final fields of a holder class instead (TapDevice's and NativeDatagramSocket's
 * FrameCalls), which the JIT inlines, with {@link #call}, as direct native calls. Captured calls allocate at
 * every call, so the per-frame ones are {@link #uncaptured} (errno from {@link LastErrno}).
 */
final class Downcall {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG;
    /** {@code long f(long, long, long, long, long, long)}. */
    private static final FunctionDescriptor WORDS = FunctionDescriptor.of(WORD, WORD, WORD, WORD, WORD, WORD, WORD);
    /** {@code long f(long, long, ...)}, called with one variadic {@code long}. */
    private static final FunctionDescriptor VARIADIC_WORDS = FunctionDescriptor.of(WORD, WORD, WORD, WORD);

    private final String name;
    private final FunctionDescriptor descriptor;
    private final Linker.Option[] options;
    private volatile MethodHandle handle;

    private Downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        this.name = name;
        this.descriptor = descriptor;
        this.options = options;
    }

    /** A function whose calls pass a capture segment ({@link Libc#errnoState}) first, to receive errno. */
    static Downcall captured(String name) {
        return new Downcall(name, WORDS, Linker.Option.captureCallState("errno"));
    }

    /** A function bound without the capture: after it fails, errno comes from {@link LastErrno}. */
    static Downcall uncaptured(String name) {
        return new Downcall(name, WORDS);
    }

    /** A variadic function of two named arguments (open, ioctl, fcntl), errno captured as {@link #captured}. */
    static Downcall variadic(String name) {
        return new Downcall(name, VARIADIC_WORDS, Linker.Option.firstVariadicArg(2),
                Linker.Option.captureCallState("errno"));
    }

    /**
     * The bound handle; two threads that call first may both bind it, which is harmless.
     *
     * @throws UnsatisfiedLinkError when libc has no such function
     */
    MethodHandle handle() {
        MethodHandle h = handle;
        if (h == null) {
            MemorySegment symbol = LINKER.defaultLookup().find(name)
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
            h = LINKER.downcallHandle(symbol, descriptor, options);
            handle = h;
        }
        return h;
    }

    /**
     * A data symbol of libc, e.g. {@code environ}: a zero-length segment at its address.
     *
     * @throws UnsatisfiedLinkError when libc has no such symbol
     */
    static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    // The calls of an uncaptured function's handle, by the number of its arguments: the rest pass as 0.

    static long call(MethodHandle f) throws Throwable {
        return (long) f.invokeExact(0L, 0L, 0L, 0L, 0L, 0L);
    }

    static long call(MethodHandle f, long a) throws Throwable {
        return (long) f.invokeExact(a, 0L, 0L, 0L, 0L, 0L);
    }

    static long call(MethodHandle f, long a, long b) throws Throwable {
        return (long) f.invokeExact(a, b, 0L, 0L, 0L, 0L);
    }

    static long call(MethodHandle f, long a, long b, long c) throws Throwable {
        return (long) f.invokeExact(a, b, c, 0L, 0L, 0L);
    }

    static long call(MethodHandle f, long a, long b, long c, long d) throws Throwable {
        return (long) f.invokeExact(a, b, c, d, 0L, 0L);
    }

    static long call(MethodHandle f, long a, long b, long c, long d, long e) throws Throwable {
        return (long) f.invokeExact(a, b, c, d, e, 0L);
    }

    static long call(MethodHandle f, long a, long b, long c, long d, long e, long g) throws Throwable {
        return (long) f.invokeExact(a, b, c, d, e, g);
    }

    // The same for a captured function's handle, errno written to the capture segment.

    static long call(MethodHandle f, MemorySegment errno, long a) throws Throwable {
        return (long) f.invokeExact(errno, a, 0L, 0L, 0L, 0L, 0L);
    }

    static long call(MethodHandle f, MemorySegment errno, long a, long b) throws Throwable {
        return (long) f.invokeExact(errno, a, b, 0L, 0L, 0L, 0L);
    }

    static long call(MethodHandle f, MemorySegment errno, long a, long b, long c) throws Throwable {
        return (long) f.invokeExact(errno, a, b, c, 0L, 0L, 0L);
    }

    static long call(MethodHandle f, MemorySegment errno, long a, long b, long c, long d) throws Throwable {
        return (long) f.invokeExact(errno, a, b, c, d, 0L, 0L);
    }

    static long call(MethodHandle f, MemorySegment errno, long a, long b, long c, long d, long e) throws Throwable {
        return (long) f.invokeExact(errno, a, b, c, d, e, 0L);
    }

    static long call(MethodHandle f, MemorySegment errno, long a, long b, long c, long d, long e, long g)
            throws Throwable {
        return (long) f.invokeExact(errno, a, b, c, d, e, g);
    }

    /** A {@link #variadic} function's call: its two named arguments and the variadic one. */
    static long callVariadic(MethodHandle f, MemorySegment errno, long a, long b, long c) throws Throwable {
        return (long) f.invokeExact(errno, a, b, c);
    }
}
