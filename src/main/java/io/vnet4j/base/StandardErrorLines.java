package io.vnet4j.base;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Standard error's writer for {@link Log}: each line is handed to one thread that writes it, and the caller waits
 * for that at most {@value #WAIT_MILLIS} ms, so that while standard error takes what it is given the lines are out,
 * in order, when the call returns (an error is printed before the command exits).
 *
 * <p>A standard error that takes nothing (a terminal paused with Ctrl-S, a parent that stopped reading its pipe)
 * holds up that thread alone, never one that logs: the user network's loop logs leases, and before, such a
 * stall stopped it with the line. Once a wait has timed out, callers do not wait until a line goes out again;
 * up to {@value #QUEUE} lines wait meanwhile and further ones are dropped, their number said where they would
 * have been.
 */
final class StandardErrorLines {
    static final int QUEUE = 1024;
    static final long WAIT_MILLIS = 200;

    /** Where the lines go, asked at each ({@code System::err}: a test may have replaced it). */
    private final Supplier<PrintStream> target;
    /** Formats the line that says how many lines were dropped. */
    private final LongFunction<String> droppedLine;
    /** Guarded by this. */
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private long queued;
    private long written;
    private long dropped;
    /** The line after which the dropped ones came (its ticket), where the notice of them goes. */
    private long droppedAfter;
    /** A caller's wait timed out, and no line has gone out since. */
    private boolean stalled;
    private Thread writer;

    StandardErrorLines(Supplier<PrintStream> target, LongFunction<String> droppedLine) {
        this.target = target;
        this.droppedLine = droppedLine;
    }

    /**
     * Writes the line {@code line} makes and a newline to the target, waiting for it as the class says. The line
     * is made in the queue's lock, so that the times two threads' lines are stamped with go out in their order.
     */
    synchronized void println(Supplier<String> line) {
        if (queue.size() >= QUEUE) {
            if (dropped++ == 0) {
                droppedAfter = queued;
            }
            return;
        }
        queue.add(line.get());
        long ticket = ++queued;
        if (writer == null) {
            writer = Thread.ofPlatform().daemon().name("vnet4j-log").start(this::writeLoop);
        }
        notifyAll();
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        try {
            for (long left; !stalled && written < ticket && (left = deadline - System.nanoTime()) > 0; ) {
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the line is queued; the caller's interruption stays
            return;
        }
        stalled |= written < ticket;
    }

    private void writeLoop() {
        while (true) {
            String line;
            long lost;
            synchronized (this) {
                while (queue.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                line = queue.poll();
            }
            PrintStream out = target.get();
            out.println(line);
            synchronized (this) {
                written++;
                lost = dropped > 0 && written == droppedAfter ? dropped : 0;
                dropped -= lost;
            }
            if (lost > 0) {
                out.println(droppedLine.apply(lost));
            }
            synchronized (this) {
                stalled = false;
                notifyAll();
            }
        }
    }
}
