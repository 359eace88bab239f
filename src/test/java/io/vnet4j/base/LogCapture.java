package io.vnet4j.base;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the library says through its System.Logger (java.util.logging's "io.vnet4j", as without the command line)
 * while a task runs, for tests: standard error's handler is set aside meanwhile and put back after.
 */
public final class LogCapture {
    private LogCapture() {}

    /** A test's task. */
    public interface Task {
        void run() throws Exception;
    }

    /** The messages said at {@code level} or above while {@code task} ran, in order. */
    public static List<String> during(Level level, Task task) throws Exception {
        Logger jul = Logger.getLogger("io.vnet4j");
        List<String> said = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= level.intValue()) {
                    said.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Log.toStandardError(null);
        jul.addHandler(handler);
        jul.setUseParentHandlers(false);
        try {
            task.run();
        } finally {
            Log.toStandardError(Log.Format.TEXT);
            jul.removeHandler(handler);
            jul.setUseParentHandlers(true);
        }
        return said;
    }
}
