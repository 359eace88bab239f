package io.vnet4j.os;


/**
 * The calling thread's nice value (setpriority(2) on its thread id, which Linux applies per thread; threads
 * it starts afterwards inherit it). The JDK's thread priorities do not reach Linux's scheduler.
 */
public final class ThreadNiceness {
    /** The weakest claim on the CPU: such a thread runs when nothing else wants the core. */
    public static final int LOWEST = 19;
    private static final int PRIO_PROCESS = 0;
    private static final Downcall GETTID = Downcall.uncaptured("gettid");
    private static final Downcall SETPRIORITY = Downcall.uncaptured("setpriority");

    private ThreadNiceness() {}

    /** Sets the calling thread's nice value (-20 to 19); false when the kernel refused (nothing changes then). */
    public static boolean set(int nice) {
        try {
            int tid = (int) Downcall.call(GETTID.handle());
            return (int) Downcall.call(SETPRIORITY.handle(), PRIO_PROCESS, tid, nice) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
