package io.vnet4j.slirp4netns;

import io.vnet4j.HeapTrim;
import io.vnet4j.KeepWarm;
import io.vnet4j.Network;
import io.vnet4j.Warmup;
import io.vnet4j.base.Log;
import io.vnet4j.config.Config;
import io.vnet4j.config.ConfigException;
import io.vnet4j.os.InheritedDescriptor;
import io.vnet4j.usernet.UsernetNetdev;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * One run of the drop-in, in slirp4netns's order: the network starts (the user network, then the TAP in
 * the target namespace, created or attached and, with {@code -c}, configured), the API socket is bound,
 * the settings are printed on standard output as slirp4netns prints them, and only then is "1" written to
 * the ready descriptor and the descriptor closed (main.c's {@code do_slirp}: a peer that reads it may use
 * the network and the API at once). It runs until the first of: the exit descriptor ends (its writer
 * closed it or died), the target process has exited and no process is left in its network namespace
 * ({@code PID} type; a process that joined the namespace keeps it, and its network, as slirp4netns serves it
 * on; slirp4netns keeps running even after the last one), or SIGTERM/SIGINT; then the API socket is removed
 * and the network closed.
 */
final class DropIn {
    private final Settings settings;
    private final CompletableFuture<String> stopped = new CompletableFuture<>();
    private Network network;
    /** The target's network namespace, {@code net:[INODE]}, read at start (PID type); null when unread. */
    private volatile String namespaceIdentity;
    private ApiServer api;
    /** Started with the network; see {@link KeepWarm} (slirp4netns's command line has no option for it). */
    private KeepWarm keepWarm;
    /** Started with the network; see {@link HeapTrim}. */
    private HeapTrim heapTrim;

    DropIn(Settings settings) {
        this.settings = settings;
    }

    /** Starts, waits for a reason to stop, stops; returns the exit status. */
    int run() {
        String readyProblem = settings.readyFd() < 0 ? null : notInherited(settings.readyFd());
        String exitProblem = settings.exitFd() < 0 ? null : notInherited(settings.exitFd());
        if (readyProblem != null) {
            Messages.warn("ready-fd " + settings.readyFd() + " " + readyProblem + ": nothing is written to it");
        }
        if (exitProblem != null) {
            Messages.error("exit-fd " + settings.exitFd() + " " + exitProblem);
            return 1; // slirp4netns's poll would report it at once and stop; here it never starts
        }
        // registered before the start, so that a SIGTERM during it still removes the API socket (the hook
        // waits for the start to end, at most 10 s, then closes what it opened)
        java.util.concurrent.CountDownLatch startEnded = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopped.complete("signal");
            try {
                startEnded.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }, "vnet4j-slirp4netns-shutdown"));
        if (settings.pid() > 0) {
            try {
                namespaceIdentity = NamespaceUsers.identity(settings.netns());
            } catch (IOException e) {
                // the start names what is wrong with the target; the run then ends at its exit
            }
        }
        try {
            start();
        } catch (ConfigException | IOException e) {
            Messages.error(Log.describe(e));
            close();
            return 1;
        } finally {
            startEnded.countDown();
        }
        if (settings.exitFd() >= 0) {
            Thread.ofPlatform().daemon().name("vnet4j-slirp4netns-exit-fd").start(() -> {
                InheritedDescriptor.awaitEnd(settings.exitFd());
                stopped.complete("exit-fd " + settings.exitFd() + " closed");
            });
        }
        if (settings.pid() > 0) {
            ProcessHandle.of(settings.pid()).ifPresentOrElse(p -> p.onExit().thenRun(this::awaitNamespaceLeft),
                    this::awaitNamespaceLeft);
        }
        if (settings.readyFd() >= 0 && readyProblem == null) {
            try {
                InheritedDescriptor.signalReady(settings.readyFd());
            } catch (IOException e) {
                Messages.warn("ready-fd " + settings.readyFd() + ": " + e.getMessage());
            }
        }
        if (warmUpWanted(System.getenv())) {
            Warmup.inBackground(network);
        } else {
            Messages.info("warm-up: skipped (" + WARM_UP_VARIABLE + "=off)");
        }
        String reason = stopped.join();
        Messages.info("stopping: " + reason);
        close();
        return 0;
    }

    /** How often, once the target process has exited, the drop-in looks for processes left in its namespace. */
    private static final long NAMESPACE_CHECK_MILLIS = 1000;

    /**
     * The target process has exited: the run ends once no process is left in its network namespace (at once
     * when none is), looked for every {@value #NAMESPACE_CHECK_MILLIS} ms in /proc ({@link NamespaceUsers}).
     * The namespace outlives the target while a process that joined it runs; stopping at the target's exit
     * took that process's network away (its TAP went with this process). The namespace's identity was read at
     * start; without it the run ends at once, as before.
     */
    private void awaitNamespaceLeft() {
        String identity = namespaceIdentity;
        long pid = settings.pid();
        if (identity == null) {
            stopped.complete("process " + pid + " exited");
            return;
        }
        NamespaceUsers users = new NamespaceUsers(Path.of("/proc"), identity, ProcessHandle.current().pid());
        Thread.ofPlatform().daemon().name("vnet4j-slirp4netns-namespace").start(() -> {
            boolean said = false;
            while (!stopped.isDone()) {
                try {
                    if (!users.inUse()) {
                        stopped.complete("process " + pid + " exited and no process is left in its network namespace");
                        return;
                    }
                } catch (IOException e) {
                    stopped.complete("process " + pid + " exited (/proc: " + e.getMessage() + ")");
                    return;
                }
                if (!said) {
                    said = true;
                    Messages.info("process " + pid + " exited; other processes are in its network namespace: "
                            + "serving it until the last one leaves");
                }
                try {
                    Thread.sleep(NAMESPACE_CHECK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The environment variable whose value {@code off} skips the warm-up ({@link #warmUpWanted}). */
    static final String WARM_UP_VARIABLE = "VNET4J_WARM_UP";

    /**
     * Whether to run the warm-up after "ready" (about 5 to 10 s of CPU time over a few seconds, for compiled first
     * round trips): yes unless {@value #WARM_UP_VARIABLE}{@code =off}, the drop-in's {@code --no-warm-up}, for
     * a host that starts many containers and would rather not pay it each time (slirp4netns's command line,
     * which rootlesskit and Podman write, has no room for an option of ours).
     */
    static boolean warmUpWanted(java.util.Map<String, String> environment) {
        return !"off".equals(environment.get(WARM_UP_VARIABLE));
    }

    private void start() throws ConfigException, IOException {
        Config config = EngineOptions.config(settings);
        Network started = Network.start(config);
        synchronized (this) { // close() may run at once, on a SIGTERM's hook
            network = started;
            keepWarm = KeepWarm.start(KeepWarm.DEFAULT_INTERVAL_MILLIS);
            heapTrim = HeapTrim.start();
        }
        if (settings.apiSocket() != null) {
            UsernetNetdev usernet = (UsernetNetdev) network.netdev(EngineOptions.USER_ID);
            ApiServer server = new ApiServer(settings.apiSocket(), new ApiHandler(usernet, settings.defaultGuest()));
            synchronized (this) {
                api = server;
            }
            server.start();
        }
        printSettings();
    }

    /** slirp4netns's start-up lines (main.c's {@code parent}), on standard output. */
    private void printSettings() {
        StartLines.of(settings, api == null ? null : api.path()).forEach(System.out::println);
    }

    /**
     * Why descriptor {@code fd} cannot be the caller's pipe, or null when it can: it must be open, and not a
     * regular file or directory, which only the JVM itself opens (its jar, its modules); writing to or
     * closing one of those would break this process, not signal the caller.
     */
    static String notInherited(int fd) {
        Path p = Path.of("/proc/self/fd", Integer.toString(fd));
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return "is not open";
        }
        if (Files.isRegularFile(p) || Files.isDirectory(p)) {
            return "is one of this process's own files, not a pipe from the caller";
        }
        return null;
    }

    private synchronized void close() {
        if (keepWarm != null) {
            keepWarm.close();
            keepWarm = null;
        }
        if (heapTrim != null) {
            heapTrim.close();
            heapTrim = null;
        }
        if (api != null) {
            api.close();
            api = null;
        }
        if (network != null) {
            network.close();
            network = null;
        }
    }
}
