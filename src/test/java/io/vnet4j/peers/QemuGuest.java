package io.vnet4j.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny Linux guest in QEMU (TCG, never KVM) with one virtio-net NIC (no option ROM) on a given netdev, driven through its
 * serial console. {@link #close()} always kills QEMU; a shutdown hook kills guests a crashed test left behind.
 */
public final class QemuGuest implements AutoCloseable {
    /** Printed by the guest's /init once eth0 is configured. */
    public static final String READY_MARKER = "VNET4J-GUEST-READY";
    private static final String EOF = "\u0000EOF";
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    /** The guests running, for {@link #describeRunning}. */
    private static final Set<QemuGuest> RUNNING = ConcurrentHashMap.newKeySet();
    /** How long {@link #runOk} waits for a command. */
    static final int RUN_OK_SECONDS = 30;
    /** How much longer than the guest's limit {@link #transferOk} waits for its console. */
    static final int TRANSFER_GRACE_SECONDS = 20;
    /** A {@code timeout N} in a guest command. */
    private static final Pattern GUEST_TIMEOUT = Pattern.compile("\\btimeout (\\d+)");
    /**
     * The guest's own view of its network, for a stalled transfer: the kernel's last messages (a transmit
     * queue's watchdog says "transmit queue 0 timed out"), the virtio interrupts taken, the devices' counters,
     * TCP's counters (retransmissions, timeouts) and sockets.
     */
    private static final String NETWORK_VIEW = "dmesg | tail -n 20; grep -e CPU -e virtio /proc/interrupts;"
            + " cat /proc/net/dev; cat /proc/net/snmp /proc/net/netstat | grep -e ^Tcp: -e ^TcpExt:;"
            + " cat /proc/net/tcp /proc/net/tcp6 2>/dev/null";
    /** The NIC's virtio device, as {@code info virtio-queue-status} names it (the NIC's id is {@code nic0}). */
    private static final String VIRTIO_NET = "/machine/peripheral/nic0/virtio-backend";

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    /** Output (stdout and stderr merged) and exit status of one guest shell command. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final String name;
    private final Process process;
    private final Path monitorDir;
    private final OutputStream console;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer transcript = new StringBuffer();
    private int commands;
    private boolean ready;

    private QemuGuest(String name, Process process, Path monitorDir) {
        this.name = name;
        this.process = process;
        this.monitorDir = monitorDir;
        this.console = process.getOutputStream();
        LIVE.add(process);
        RUNNING.add(this);
        Thread.ofVirtual().name("console-" + name).start(this::pump);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** Everything the guest's console (and QEMU's stderr) printed so far. */
    public String transcript() {
        return transcript.toString();
    }

    private void pump() {
        try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.replace("\r", "");
                transcript.append(line).append('\n');
                lines.add(line);
            }
        } catch (IOException ignored) {
            // QEMU killed
        } finally {
            lines.add(EOF);
        }
    }

    /** Waits for the guest's ready marker; fails with the console transcript if QEMU dies or it takes too long. */
    public QemuGuest awaitReady(Duration timeout) throws InterruptedException {
        if (ready) return this;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) throw failure("did not boot within " + timeout);
            if (line.equals(EOF)) throw failure("QEMU exited before the guest was ready");
            if (line.contains(READY_MARKER)) {
                ready = true;
                return this;
            }
        }
    }

    /**
     * Runs one line of shell in the guest (stdin from /dev/null, stderr merged into the output) and returns
     * its output and exit status. Fails if no status arrives within {@code timeout}.
     */
    public synchronized Result run(String shellCommand, Duration timeout) throws InterruptedException {
        if (shellCommand.contains("\n")) throw new IllegalArgumentException("one line only: " + shellCommand);
        awaitReady(Duration.ofSeconds(90));
        int n = ++commands;
        String marker = "__VNET4J_RC_" + n + "=";
        try {
            console.write(("(" + shellCommand + ") </dev/null 2>&1; echo \"" + marker + "$?\"\n")
                    .getBytes(StandardCharsets.UTF_8));
            console.flush();
        } catch (IOException e) {
            throw failure("cannot write to the console: " + e);
        }
        Pattern end = Pattern.compile("^(.*)" + Pattern.quote(marker) + "(\\d+)$");
        var out = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) throw failure("`" + shellCommand + "` did not finish within " + timeout);
            if (line.equals(EOF)) throw failure("QEMU exited while running `" + shellCommand + "`");
            Matcher m = end.matcher(line);
            if (m.matches()) {
                out.append(m.group(1));
                return new Result(Integer.parseInt(m.group(2)), out.toString());
            }
            out.append(line).append('\n');
        }
    }

    /**
     * Like {@link #run} with a {@value #RUN_OK_SECONDS} s timeout, failing with the output unless the command
     * exits 0. A command limited by the guest's {@code timeout} to that long or more is refused: use
     * {@link #transferOk}.
     */
    public String runOk(String shellCommand) throws InterruptedException {
        Matcher limit = GUEST_TIMEOUT.matcher(shellCommand);
        while (limit.find()) {
            if (Integer.parseInt(limit.group(1)) >= RUN_OK_SECONDS) {
                throw new IllegalArgumentException("`" + shellCommand + "` may outlast runOk's " + RUN_OK_SECONDS
                        + " s and leave the console busy for the commands after it: use transferOk");
            }
        }
        Result r = run(shellCommand, Duration.ofSeconds(RUN_OK_SECONDS));
        if (!r.ok()) throw new AssertionError(name + ": `" + shellCommand + "` exited " + r.exitCode() + ":\n" + r.output());
        return r.output();
    }

    /**
     * Runs {@code shellCommand}, a transfer that may take long or stall, under the guest's own {@code timeout
     * LIMIT} (as {@code sh -c}), and returns its output; fails unless it exits 0. The console waits
     * {@value #TRANSFER_GRACE_SECONDS} s longer than the guest's limit, so a stalled transfer ends in the guest
     * and leaves the console free: the failure then carries what the guest's kernel says of its network (its
     * last messages, such as a transmit queue's watchdog; its interrupts; its devices' and TCP's counters),
     * beside QEMU's view of the device ({@link DaemonStateOnFailure}), and the tests after it run. A console
     * waited on for less than the guest's limit made one stall fail every later command of the class.
     */
    public String transferOk(String shellCommand, Duration limit) throws InterruptedException {
        if (shellCommand.contains("'")) throw new IllegalArgumentException("no single quotes: " + shellCommand);
        Result r = run("timeout " + limit.toSeconds() + " sh -c '" + shellCommand + "'",
                limit.plusSeconds(TRANSFER_GRACE_SECONDS));
        if (r.ok()) return r.output();
        Result inside = run(NETWORK_VIEW, Duration.ofSeconds(RUN_OK_SECONDS));
        throw new AssertionError(name + ": `" + shellCommand + "` exited " + r.exitCode()
                + (r.exitCode() == 143 ? " (stopped at its limit of " + limit.toSeconds() + " s)" : "") + ":\n"
                + r.output() + "\n--- what the guest's kernel says of its network ---\n" + inside.output());
    }

    private AssertionError failure(String what) {
        return new AssertionError("guest " + name + ": " + what + "\n--- console ---\n" + transcript());
    }

    /** Runs HMP commands in this guest's QEMU (through QMP's human-monitor-command); their output, each under its line. */
    public String monitor(String... commands) {
        return QemuMonitor.run(monitorDir.resolve("qmp.sock"), List.of(commands));
    }

    /** Waits for the ready marker of the guest's next boot (after a reset); see {@link #awaitReady}. */
    public QemuGuest awaitReadyAgain(Duration timeout) throws InterruptedException {
        synchronized (this) {
            ready = false;
        }
        return awaitReady(timeout);
    }

    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
            RUNNING.remove(this);
            try {
                PeerTools.deleteTree(monitorDir);
            } catch (IOException e) {
                // a temporary directory left behind
            }
        }
    }

    /**
     * For a failed test's message ({@link DaemonStateOnFailure}): each running guest's network and virtio-net
     * queues as QEMU sees them (queue 0 receives, 1 transmits: {@code inuse} above 0 on 1 is a frame QEMU
     * took from the guest and has not finished sending; {@code last_avail_idx} behind
     * {@code shadow_avail_idx} on 0 is room the guest gave that QEMU has not used).
     */
    static String describeRunning() {
        StringBuilder text = new StringBuilder();
        for (QemuGuest g : RUNNING) {
            if (g.process.isAlive()) {
                text.append("--- QEMU guest ").append(g.name).append(", as its monitor tells:\n")
                        .append(QemuMonitor.run(g.monitorDir.resolve("qmp.sock"), List.of("info network",
                                "info virtio-queue-status " + VIRTIO_NET + " 0",
                                "info virtio-queue-status " + VIRTIO_NET + " 1")));
            }
        }
        return text.toString();
    }

    /** Configures and starts a guest. */
    public static final class Builder {
        private final String name;
        private String ip;
        private String mac;
        private String netdev;
        private String netns;
        private String nicOptions = "";
        private boolean fromNetwork;
        private String memory = "128";
        private String sharedMemory = "128M";
        private final List<String> qemuArgs = new ArrayList<>();

        private Builder(String name) {
            if (!name.matches("[A-Za-z0-9_-]+")) throw new IllegalArgumentException("bad guest name " + name);
            this.name = name;
            this.mac = String.format("52:54:00:%02x:%02x:%02x", (name.hashCode() >> 16) & 0xff,
                    (name.hashCode() >> 8) & 0xff, name.hashCode() & 0xff);
        }

        /** Address of eth0 in CIDR form, e.g. {@code 10.77.0.1/24}. */
        public Builder ip(String cidr) {
            this.ip = cidr;
            return this;
        }

        public Builder mac(String mac) {
            this.mac = mac;
            return this;
        }

        /** QEMU {@code -netdev} options without {@code id}, e.g. {@code socket,connect=127.0.0.1:4000}. */
        public Builder netdev(String options) {
            this.netdev = options;
            return this;
        }

        /**
         * The NIC on a vhost-user back-end listening at {@code socket} (vnet4j's {@code -netdev vhost-user}): the
         * guest's memory is a shared memfd, and the NIC has no MSI-X ({@code vectors=0}, legacy interrupts):
         * QEMU 7.2 under TCG crashes in msix_set_vector_notifiers when a vhost-user NIC with MSI-X starts.
         */
        public Builder vhostUser(java.nio.file.Path socket) {
            vhostUserWithoutSharedMemory(socket);
            qemuArgs.addAll(List.of("-object", "memory-backend-memfd,id=mem,size=" + sharedMemory + ",share=on", "-machine",
                    "memory-backend=mem"));
            return this;
        }

        /**
         * As {@link #vhostUser}, QEMU connecting to the socket again every second after the back-end went
         * ({@code -chardev socket,...,reconnect=1}), as libvirt's {@code <reconnect enabled='yes'/>} does.
         */
        public Builder vhostUserReconnecting(java.nio.file.Path socket) {
            vhostUser(socket);
            int at = qemuArgs.indexOf("socket,id=vu0,path=" + socket);
            qemuArgs.set(at, qemuArgs.get(at) + ",reconnect=1");
            return this;
        }

        /**
         * As {@link #vhostUser}, QEMU the server of the socket ({@code -chardev socket,...,server=on,wait=off}, as
         * libvirt's {@code <source type='unix' path=... mode='server'/>}) for vnet4j's {@code server=off} back-end to
         * connect to. QEMU 7.2 waits in its netdev's start until a back-end has connected: start it with
         * {@link #start}, then the back-end, then {@link QemuGuest#awaitReady}.
         */
        public Builder vhostUserServer(java.nio.file.Path socket) {
            vhostUser(socket);
            int at = qemuArgs.indexOf("socket,id=vu0,path=" + socket);
            qemuArgs.set(at, qemuArgs.get(at) + ",server=on,wait=off");
            return this;
        }

        /**
         * The guest's memory: {@code -m OPTION} (e.g. {@code 256M,slots=4,maxmem=1G} for room to plug DIMMs) and
         * the size of {@link #vhostUser}'s shared backend; before {@link #vhostUser}.
         */
        public Builder memory(String option, String size) {
            this.memory = option;
            this.sharedMemory = size;
            return this;
        }

        /**
         * As {@link #vhostUser}, the guest's memory a memfd backend with {@code share=off}: a user's mistake QEMU
         * 7.2 lets pass (it sends the memfd, which the back-end maps, while the guest writes private copies).
         */
        public Builder vhostUserWithPrivateMemory(java.nio.file.Path socket) {
            vhostUserWithoutSharedMemory(socket);
            qemuArgs.addAll(List.of("-object", "memory-backend-memfd,id=mem,size=" + sharedMemory + ",share=off", "-machine",
                    "memory-backend=mem"));
            return this;
        }

        /** As {@link #vhostUser}, the guest's memory not shared: a user's mistake (QEMU falls back to its own virtio). */
        public Builder vhostUserWithoutSharedMemory(java.nio.file.Path socket) {
            this.netdev = "vhost-user,chardev=vu0";
            this.nicOptions = ",vectors=0";
            qemuArgs.addAll(List.of("-chardev", "socket,id=vu0,path=" + socket));
            return this;
        }

        /**
         * Boots from the network instead of {@code -kernel}: {@code -boot n}, the NIC with QEMU's own iPXE ROM
         * (package ipxe-qemu), which takes a DHCP lease and runs the boot file it names. The boot file (an iPXE
         * script) names the kernel and its command line; for {@link #awaitReady} the command line needs this
         * guest's {@code console=ttyS0 vnet.name=NAME}.
         */
        public Builder bootFromNetwork() {
            this.fromNetwork = true;
            return this;
        }

        /** Runs QEMU in this network namespace (via {@code ip netns exec}). */
        public Builder netns(String namespace) {
            this.netns = namespace;
            return this;
        }

        /**
         * More QEMU options after the NIC, e.g. {@code -object filter-dump,id=cap,netdev=n0,file=PATH} (the
         * guest's netdev is {@code n0}).
         */
        public Builder qemuArgs(String... args) {
            qemuArgs.addAll(List.of(args));
            return this;
        }

        /** Starts QEMU without waiting for the guest; see {@link QemuGuest#awaitReady}. */
        public QemuGuest start() {
            if (netdev == null) throw new IllegalStateException("netdev not set");
            GuestImage image = GuestImage.get();
            // no_timer_check: under TCG on a busy host the kernel's check of the IO-APIC timer can miss its ticks and
            // panic ("IO-APIC + timer doesn't work!", seen once in VnetHubIT beside a helper's guests)
            String append = "console=ttyS0 quiet panic=-1 no_timer_check vnet.name=" + name
                    + (ip == null ? "" : " vnet.ip=" + ip);
            Path monitorDir;
            try {
                monitorDir = Files.createTempDirectory("vnet4j-qmp-" + name);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> cmd = new ArrayList<>();
            if (netns != null) cmd.addAll(List.of("ip", "netns", "exec", netns));
            cmd.addAll(List.of("qemu-system-x86_64", "-nodefaults", "-no-user-config", "-display", "none",
                    "-accel", "tcg", "-m", memory, "-smp", "1", "-no-reboot",
                    "-name", name));
            if (fromNetwork) {
                cmd.addAll(List.of("-boot", "n"));
            } else {
                cmd.addAll(List.of("-kernel", image.kernel().toString(), "-initrd", image.initrd().toString(),
                        "-append", append));
            }
            cmd.addAll(List.of(
                    "-chardev", "stdio,id=con0,signal=off", "-serial", "chardev:con0",
                    "-netdev", netdev + ",id=n0",
                    "-qmp", "unix:" + monitorDir.resolve("qmp.sock") + ",server=on,wait=off",
                    "-device", "virtio-net-pci,id=nic0," + (fromNetwork ? "" : "romfile=,") + "netdev=n0,mac=" + mac
                            + nicOptions));
            cmd.addAll(qemuArgs);
            try {
                return new QemuGuest(name, new ProcessBuilder(cmd).redirectErrorStream(true).start(), monitorDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + cmd, e);
            }
        }

        /** Starts QEMU and waits up to 90 s for the guest to be ready. */
        public QemuGuest boot() throws InterruptedException {
            QemuGuest g = start();
            try {
                return g.awaitReady(Duration.ofSeconds(90));
            } catch (RuntimeException | Error | InterruptedException e) {
                g.close();
                throw e;
            }
        }
    }
}
