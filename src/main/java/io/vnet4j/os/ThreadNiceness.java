package io.vnet4j.os;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;

/**
 * The calling thread's nice value (setpriority(2) on its thread id, which Linux applies per thread; threads
 * it starts afterwards inherit it). The JDK's thread priorities do not reach Linux's scheduler.
 */
public final class ThreadNiceness {
    /** The weakest claim on the CPU: such a thread runs when nothing else wants the core. */
    public static final int LOWEST = 19;
    private static final int PRIO_PROCESS = 0;
    private static final Downcall GETTID = new Downcall("gettid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final Downcall SETPRIORITY = new Downcall("setpriority",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private ThreadNiceness() {}

    /** Sets the calling thread's nice value (-20 to 19); false when the kernel refused (nothing changes then). */
    public static boolean set(int nice) {
        try {
            int tid = (int) GETTID.handle().invokeExact();
            return (int) SETPRIORITY.handle().invokeExact(PRIO_PROCESS, tid, nice) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
