package io.vnet4j;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time HotSpot's JIT compiler threads have used, for the warm-up's test of a quiet JIT. The JDK's
 * {@code CompilationMXBean} counts a compilation's time when it ends: C2 compiling one large method for a
 * few hundred milliseconds looked quiet for that long, and a warm-up that stopped on it (after 1.4 s, its
 * batches fast in C1's code) left the loop's paths in C1's code. A compiler thread's CPU time grows while it
 * works. From {@code /proc/self/task/TID/stat} (proc(5): utime and stime, fields 14 and 15, in clock ticks of
 * 10 ms) of the threads named {@code C1 CompilerThre...} and {@code C2 CompilerThre...} (their names, cut to
 * 15 bytes, in {@code comm}); HotSpot starts and stops such threads as its queues need, so each call looks
 * afresh.
 */
final class CompilerThreads {
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final long MILLIS_PER_TICK = 10; // USER_HZ is 100 on Linux (x86-64, arm64)

    private CompilerThreads() {}

    /**
     * The compiler threads' CPU time so far, ms; -1 when /proc cannot say or names no such thread (a JVMCI
     * compiler's threads are named otherwise): then the caller uses another measure. A thread that ended
     * takes its time with it, so a later sum can be smaller.
     */
    static long cpuMillis() {
        long ticks = 0;
        int threads = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String comm;
                String stat;
                try {
                    comm = Files.readString(task.resolve("comm"));
                    if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) {
                        continue;
                    }
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                ticks += cpuTicks(stat);
                threads++;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return threads == 0 ? -1 : ticks * MILLIS_PER_TICK;
    }

    /**
     * utime + stime of one {@code stat} line, in clock ticks: the fields after the command's closing
     * parenthesis (the command may hold spaces and parentheses) begin with field 3, the state.
     *
     * @throws NumberFormatException or IndexOutOfBoundsException on a line not shaped so
     */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }
}
