package io.vnet4j.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A libc function, bound through java.lang.foreign on its first call. The linker generates one stub per
 * shape of call (the descriptor and the options: 7 to 12 ms each at start-up, the JDK's AOT cache keeps
 * none; a function of a shape already bound costs 0.3 ms), and a start needs few of the functions this
 * package knows, so a new function reuses a shape where its C signature allows; the handle is kept once
 * bound. A handle read from this field is not a constant to the JIT,
 * so it is invoked through its lambda forms (measured: about 8% of a TAP reader's time per ping): the calls
 * every frame makes keep their handles in static final fields of a holder class instead (TapDevice's and
 * NativeDatagramSocket's FrameCalls), which the JIT inlines as direct native calls. Most functions are bound with
 * errno captured (each class's {@code bind}); those calls allocate at every call, so the per-frame ones are
 * bound {@link #uncaptured} as well (see {@link LastErrno}).
 */
final class Downcall {
    private static final Linker LINKER = Linker.nativeLinker();

    private final String name;
    private final FunctionDescriptor descriptor;
    private final Linker.Option[] options;
    private volatile MethodHandle handle;

    Downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        this.name = name;
        this.descriptor = descriptor;
        this.options = options;
    }

    /** A function bound without captureCallState: after it fails, errno comes from {@link LastErrno}. */
    static Downcall uncaptured(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return new Downcall(name, descriptor, options);
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
}
