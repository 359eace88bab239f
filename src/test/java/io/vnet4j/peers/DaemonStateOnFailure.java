package io.vnet4j.peers;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.IncompleteExecutionException;

/**
 * Adds what the running daemons were doing to a failed test's message: CI keeps the failures' messages and
 * little else, and a real-peer test that times out says only that the guest got no answer. The daemons'
 * last log lines and their threads' stacks ({@link VnetProcess#describeRunning}) tell a loop that stopped
 * or waits from a guest that went quiet, and each running QEMU guest's virtio-net queues
 * ({@link QemuGuest#describeRunning}) a device that stopped moving frames. Found by JUnit's extension auto-detection (junit-platform.properties
 * and META-INF/services); with no daemon running, the failure passes unchanged.
 */
public final class DaemonStateOnFailure implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withDaemons(failure);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withDaemons(failure);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withDaemons(failure);
    }

    private static Throwable withDaemons(Throwable failure) {
        if (failure instanceof IncompleteExecutionException) {
            return failure; // a test aborted or skipped on an assumption: no failure to explain
        }
        String state = VnetProcess.describeRunning() + QemuGuest.describeRunning();
        if (state.isEmpty()) {
            return failure;
        }
        return new AssertionError(failure + "\n" + state, failure);
    }
}
