package io.vnet4j.cli;

import io.vnet4j.HeapTrim;
import io.vnet4j.KeepWarm;
import io.vnet4j.Network;
import io.vnet4j.Warmup;
import io.vnet4j.base.Log;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.config.CaptureConfig;
import io.vnet4j.config.Config;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.control.ControlServer;
import io.vnet4j.control.NetworkChanges;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.NetdevEvents;
import io.vnet4j.fabric.VlanMembership;
import io.vnet4j.http.HttpConsole;
import io.vnet4j.os.PrivilegedPorts;
import io.vnet4j.os.SocketFiles;
import io.vnet4j.os.Terminal;
import io.vnet4j.usernet.BusyPoll;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code vnet4j [-netdev ...] [-net ...] [-object ...] [--control PATH|none]}: runs the network until stopped.
 * The help's footer, with the default network's real socket path, comes from {@link #footer(Path)}.
 */
final class DaemonCommand implements Callable<Integer> {
    private static final String[] DESCRIPTION = {
            "User-space virtual networking for QEMU VMs and containers: hubs and learning switches, QEMU's socket, stream, "
                    + "dgram, user, tap, vde and vhost-user netdevs with QEMU's option syntax, 802.1Q VLANs and VXLAN.",
            "With no -netdev or -net, runs the default network: the user-mode gateway (-netdev user: DHCP, DNS, NAT to the "
                    + "host) and a stream server for VMs at qemu.sock in the runtime directory ($XDG_RUNTIME_DIR/vnet4j, or "
                    + "/tmp/vnet4j-$USER).",
            "Every vnet4j has a control socket in the runtime directory (control.sock, or control-2.sock, ... when another "
                    + "vnet4j has that one), printed at start-up: vnet4j ctl info network finds it."};
    /** {@code --keep-warm}'s largest period: past a minute the thread would not keep anything warm. */
    private static final int KEEP_WARM_MAX_MILLIS = 60_000;

    List<String> netdevs = new ArrayList<>();

    List<String> nets = new ArrayList<>();

    List<String> objects = new ArrayList<>();

    /** QEMU's {@code -nic}, taken only to be refused in one line that says what to write instead. */
    List<String> nics = new ArrayList<>();

    Path control;

    InetSocketAddress http;

    /** {@code --log-format}'s values. */
    enum LogFormat { text, json }

    LogFormat logFormat = LogFormat.text;

    boolean noWarmUp;

    int keepWarmMillis = KeepWarm.DEFAULT_INTERVAL_MILLIS;
    int busyPollMicros = BusyPoll.DEFAULT_MICROS;

    boolean quiet;

    private final AtomicReference<Network> running = new AtomicReference<>();
    /** What the start opened; set before the control server starts, which stops it on {@code quit}. */
    private Started started;

    /**
     * The command's picocli model, built in code (see {@link Specs}): the options in the help's order, then
     * -h and -V, and {@code ctl} as a subcommand. Parsing writes the options into {@code command}'s fields.
     */
    static CommandSpec spec(DaemonCommand command) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name("vnet4j").versionProvider(new Version());
        spec.usageMessage().description(DESCRIPTION).sortOptions(false).width(120);
        spec.addOption(Specs.bound(values(OptionSpec.builder("-netdev", "--netdev"), "TYPE,id=ID[,hubid=N],...").description(
                "A backend on hub N (default 0): socket (listen=, connect=, mcast=, udp=), stream (server=, addr.*), "
                        + "dgram (local.*, remote.*), user (the user-mode gateway: ipv4=, ipv6=, net=, host=, dns=, dhcpstart=, "
                        + "ipv6-net= (or ipv6-prefix=, ipv6-prefixlen=), ipv6-host=, ipv6-dns=, restrict=, dnssearch=, "
                        + "hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport with IPv6 in brackets, guestfwd=, ... as in "
                        + "QEMU; and dns-upstream=ADDR[:PORT], mtu=, dhcp-static=, host-loopback=on|off, builtin-dns=on|off, "
                        + "outbound-addr=, outbound-addr6=), tap (ifname=, netns=, configure=, mac=), vde (sock=, server=), vxlan "
                        + "(vni=, local=, remote= or group= and dev=, dstport=, srcport=: RFC 7348, Linux's names), vhost-user "
                        + "(path=, group=, mode=, server=off and reconnect=: the back-end of QEMU's -netdev vhost-user, listening, or connecting to the socket "
                        + "QEMU's chardev listens on). On any of them, vlan=N (an 802.1Q access port of "
                        + "VLAN N) or trunk=N[-M] (repeatable: tagged)."),
                () -> command.netdevs, v -> command.netdevs = v).build());
        spec.addOption(Specs.bound(values(OptionSpec.builder("-net", "--net"), "TYPE[,vlan=N],...").description(
                "The legacy form: vlan=N is the hub number; also -net dump,vlan=N,file=PATH."),
                () -> command.nets, v -> command.nets = v).build());
        spec.addOption(Specs.bound(values(OptionSpec.builder("-nic", "--nic"), "TYPE,...").hidden(true),
                () -> command.nics, v -> command.nics = v).build());
        spec.addOption(Specs.bound(values(OptionSpec.builder("-object", "--object"), "TYPE,id=ID,...").description(
                "filter-dump,id=ID,netdev=ID,file=PATH[,maxlen=N]: capture one netdev's frames, both directions, to a pcap "
                        + "file. switch,id=ID[,hubid=N][,aging=SECONDS][,max-macs=N][,max-macs-per-port=N]: make hub N "
                        + "(default 0) a learning switch: a frame to a MAC it has seen goes to that MAC's port only (defaults: "
                        + "aging 300, max-macs 4096, max-macs-per-port 256). The default network's hub is a switch."),
                () -> command.objects, v -> command.objects = v).build());
        spec.addOption(Specs.bound(OptionSpec.builder("--control").paramLabel("PATH|none").type(Path.class)
                .converters(new SocketPath()).description(
                "Control socket (QMP-style JSON; mode 0600). Default: control.sock in the runtime directory, or "
                        + "control-2.sock, ... when another vnet4j answers there; none: no control socket."),
                () -> command.control, v -> command.control = v).build());
        spec.addOption(Specs.bound(OptionSpec.builder("--http").paramLabel("[ADDR:]PORT").type(InetSocketAddress.class)
                .converters(new HttpAddress()).description(
                "Serve metrics (/metrics, Prometheus), a live page of the network (/) and its JSON (/api/network, "
                        + "/api/version) over HTTP. Off by default; a bare PORT listens on 127.0.0.1 only (this host's "
                        + "users); give 0.0.0.0:PORT to serve other hosts, with no authentication."),
                () -> command.http, v -> command.http = v).build());
        spec.addOption(Specs.bound(OptionSpec.builder("--log-format").paramLabel("text|json").type(LogFormat.class)
                .converters(new LogFormatName()).description(
                "How standard error shows the log: text (the default: 'vnet4j: MESSAGE', after an ISO 8601 time when "
                        + "standard error is not a terminal) or json (one object per line: time, level, message)."),
                () -> command.logFormat, v -> command.logFormat = v).build());
        spec.addOption(Specs.bound(flag(OptionSpec.builder("--no-warm-up")).description(
                "Do not run the frame paths on a private network after start (5 to 10 s of one core, so that the first "
                        + "guests' round trips run compiled code; see docs/architecture.md)."),
                () -> command.noWarmUp, v -> command.noWarmUp = v).build());
        spec.addOption(Specs.bound(OptionSpec.builder("--keep-warm").paramLabel("MS").type(int.class)
                .converters(new ZeroOrUpTo(KEEP_WARM_MAX_MILLIS, "a period in milliseconds")).description(
                "Wake a thread every MS milliseconds (1 to " + KEEP_WARM_MAX_MILLIS + "; default "
                        + KeepWarm.DEFAULT_INTERVAL_MILLIS + "; 0: never), so that a quiet network's next packet does not "
                        + "find the whole process idle: on a VM whose hypervisor keeps the page tables (no EPT) that first "
                        + "wake-up cost 0.4-1 ms (docs/architecture.md)."),
                () -> command.keepWarmMillis, v -> command.keepWarmMillis = v).build());
        spec.addOption(Specs.bound(OptionSpec.builder("--busy-poll").paramLabel("US").type(int.class)
                .converters(new ZeroOrUpTo(BusyPoll.MAX_MICROS, "a window in microseconds")).description(
                "After a user network's loop had work, poll for the next frame or socket event for up to US microseconds "
                        + "before it sleeps "
                        + "(0 to " + BusyPoll.MAX_MICROS + "; default " + BusyPoll.DEFAULT_MICROS + "; 0: never), "
                        + "giving the CPU to other threads between polls: an answer that comes within the window is "
                        + "taken without a wake-up (docs/architecture.md). An idle network does not poll."),
                () -> command.busyPollMicros, v -> command.busyPollMicros = v).build());
        spec.addOption(Specs.bound(flag(OptionSpec.builder("--quiet")).description("Log only warnings and errors, and the line ready."),
                () -> command.quiet, v -> command.quiet = v).build());
        Specs.addHelpOptions(spec);
        spec.addSubcommand("ctl", CtlCommand.spec(new CtlCommand()));
        return spec;
    }

    /** A repeatable option: each one takes one value, all kept in order. */
    private static OptionSpec.Builder values(OptionSpec.Builder option, String label) {
        return option.paramLabel(label).type(List.class).auxiliaryTypes(String.class).arity("1");
    }

    /** An option without a value (picocli infers its arity, so --quiet=true is taken too). */
    private static OptionSpec.Builder flag(OptionSpec.Builder option) {
        return option.type(boolean.class);
    }

    /**
     * The help's footer: examples, and the QEMU option that attaches a VM to the default network in
     * {@code runtimeDir}. Lines stay within the usage width (120), longer commands continue with a shell's
     * backslash, so no command is wrapped where pasting it would break it.
     */
    static String[] footer(Path runtimeDir) {
        return new String[] {"", "Examples:",
                "  vnet4j                                   the default network; prints the QEMU option to attach a VM",
                "  vnet4j -netdev user,id=u,hostfwd=tcp::2222-:22 -netdev stream,id=vms,server=on,addr.type=unix,addr.path=/tmp/vms.sock",
                "  vnet4j -netdev socket,id=a,listen=127.0.0.1:8010 -netdev stream,id=b,server=on,addr.type=unix,addr.path=/tmp/b.sock",
                "  vnet4j -net socket,vlan=1,listen=:8010  the seed-era syntax: vlan is the hub number",
                "  vnet4j -netdev user,id=u -netdev tap,id=t,ifname=tap0,netns=/run/netns/ctr,configure=on   a container's network",
                "  vnet4j -netdev user,id=u,hostfwd=tcp:[::1]:8080-:80 ...   an IPv6 port forward (to the guest's SLAAC address)",
                "  vnet4j -netdev user,id=u -netdev vde,id=sw,sock=/tmp/sw,server=on   a VDE switch for QEMU's -netdev vde,sock=/tmp/sw",
                "  vnet4j -netdev user,id=u -netdev vhost-user,id=vm,path=/tmp/vm.sock   one VM's virtio-net queues served in its",
                "         shared memory; QEMU: -chardev socket,id=c,path=/tmp/vm.sock -netdev vhost-user,id=n,chardev=c (README.md)",
                "  vnet4j -netdev user,id=u -netdev vhost-user,id=vm,path=/tmp/vm.sock,server=off   the same, QEMU listening",
                "         (-chardev socket,id=c,path=/tmp/vm.sock,server=on,wait=off): vnet4j connects, and again after each end",
                "  vnet4j -netdev socket,id=m,mcast=230.0.0.1:1234 \\",
                "         -netdev dgram,id=d,local.type=unix,local.path=/tmp/a,remote.type=unix,remote.path=/tmp/b",
                "  vnet4j -netdev socket,id=a,listen=:8010 -object filter-dump,id=f,netdev=a,file=a.pcap",
                "  vnet4j ctl info network                  the hubs, ports, peers and counters of a running vnet4j",
                "  vnet4j ctl hostfwd_add tcp::8022-:22     a port forward added to the running user network",
                "  vnet4j slirp4netns --help                slirp4netns's command line on vnet4j (bin/vnet4j-slirp4netns)",
                "",
                "Attach a QEMU VM to the default network:",
                "  qemu-system-x86_64 ... " + netdevOption(runtimeDir.resolve("qemu.sock")) + " \\",
                "      " + deviceOption("52:54:00:XX:XX:XX"),
                "(each VM its own mac=: without one, QEMU gives every VM 52:54:00:12:34:56)",
                "(for other netdevs, QEMU's side of each transport is in README.md)"};
    }

    /** QEMU's -netdev option for a VM on the stream server at {@code socket}. */
    static String netdevOption(Path socket) {
        return "-netdev stream,id=n0,server=off,addr.type=unix,addr.path=" + socket;
    }

    /** QEMU's -device option for that VM's NIC, with MAC {@code mac}. */
    static String deviceOption(String mac) {
        return "-device virtio-net-pci,netdev=n0,mac=" + mac;
    }

    /** A MAC in QEMU's range 52:54:00 with three random bytes, for the attach line: a new one each start. */
    static String randomQemuMac() {
        int tail = java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 24);
        return String.format("52:54:00:%02x:%02x:%02x", tail >>> 16, (tail >>> 8) & 0xFF, tail & 0xFF);
    }

    @Override
    public Integer call() throws Exception {
        Log.quiet(quiet);
        BusyPoll.setMicros(busyPollMicros);
        ConfigParser parser = new ConfigParser();
        boolean defaultNetwork = netdevs.isEmpty() && nets.isEmpty();
        Path defaultSocket = RuntimeDir.get().resolve("qemu.sock");
        Config config;
        try {
            for (String n : nics) {
                ConfigParser.nic(n);
            }
            for (String n : netdevs) {
                parser.netdev(n);
            }
            for (String n : nets) {
                parser.net(n);
            }
            if (defaultNetwork) {
                RuntimeDir.create();
                parser.netdev("user,id=user0");
                parser.netdev("stream,id=qemu,server=on,addr.type=unix,addr.path=" + defaultSocket.toString().replace(",", ",,"));
            }
            for (String o : objects) {
                parser.object(o);
            }
            if (defaultNetwork && !parser.hasSwitch(0)) {
                try {
                    parser.object("switch,id=switch0"); // VMs see only their own unicast frames, as on gvproxy or vde_switch
                } catch (ConfigException e) { // the id taken by the user's own switch on another hub
                    throw new ConfigException("-object switch,id=switch0: the default network (no -netdev given) puts a"
                            + " switch of that id on its hub 0: give this one hubid=0 to take its place, or another id");
                }
            }
            config = parser.build();
        } catch (ConfigException e) {
            Log.error(e.getMessage());
            return 2;
        }
        // the journal (a systemd unit: JOURNAL_STREAM set) stamps each line itself
        boolean timed = !Terminal.standardErrorIsTerminal() && System.getenv("JOURNAL_STREAM") == null;
        Log.toStandardError(logFormat == LogFormat.json ? Log.Format.JSON : timed ? Log.Format.TEXT_WITH_TIME : Log.Format.TEXT);
        if (busyPollMicros != BusyPoll.DEFAULT_MICROS
                && config.netdevs().stream().noneMatch(n -> n instanceof NetdevConfig.User)) {
            Log.warn("--busy-poll " + busyPollMicros + " applies to user networks (-netdev user), and none is configured "
                    + "(a netdev_add of one would use it)");
        }
        started = Started.withShutdownHook();
        ControlServer controlServer;
        Network network;
        HttpConsole console = null;
        // each failure's cause is said before the closing of what the start opened ("stopping")
        try {
            if (defaultNetwork) {
                SocketFiles.prepare(defaultSocket); // refuse before anything starts when a vnet4j runs the default network
            }
            controlServer = startControl();
            started.control(controlServer);
        } catch (IOException e) {
            Log.error(startFailure(e, defaultNetwork ? defaultSocket : null));
            started.closeAll();
            return 1;
        }
        if (http != null) { // bound before the network starts: a port in use then starts no TAP, no listener for nothing
            try {
                console = HttpConsole.start(http, this::runningNetdevs, Version.get());
                started.add(console);
            } catch (IOException e) {
                Log.error("--http " + SocketAddresses.format(http) + ": " + e.getMessage()
                        + PrivilegedPorts.hint(e.getMessage(), http.getPort()));
                started.closeAll();
                return 1;
            }
        }
        try {
            network = Network.start(config, controlServer == null ? NetdevEvents.NONE : controlServer.netdevEvents());
            started.add(network);
        } catch (IOException e) {
            Log.error(startFailure(e, defaultNetwork ? defaultSocket : null));
            started.closeAll();
            return 1;
        }
        running.set(network);
        started.add(KeepWarm.start(keepWarmMillis));
        started.add(HeapTrim.start());
        started.startEnded();
        return serve(network, controlServer, console, defaultNetwork ? defaultSocket : null);
    }

    /** The control server, started; null with {@code --control none}. */
    private ControlServer startControl() throws IOException {
        if (control != null && control.toString().equals("none")) {
            return null;
        }
        if (control != null) {
            ControlServer server = controlServer(control);
            try {
                server.start();
            } catch (SocketFiles.InUseException e) {
                throw new IOException("control socket " + e.getMessage() + ": another vnet4j? choose another --control PATH, "
                        + "or leave --control out for a free name in " + RuntimeDir.get(), e);
            }
            return server;
        }
        return ControlSockets.startFirstFree(RuntimeDir.create(), this::controlServer);
    }

    /** The running network's netdevs; none before it runs. */
    private List<Netdev> runningNetdevs() {
        Network network = running.get();
        return network == null ? List.of() : network.netdevs();
    }

    private ControlServer controlServer(Path path) {
        return new ControlServer(path, this::runningNetdevs, new NetworkChanges() {
            /** The running network; a ConfigException (the line ctl shows) before it runs. */
            private Network network() throws ConfigException {
                Network network = running.get();
                if (network == null) {
                    throw new ConfigException("the network is not running");
                }
                return network;
            }

            @Override
            public Netdev add(String option) throws ConfigException, IOException {
                Netdev added = network().addNetdev(option);
                Log.info("netdev " + added.id() + " added (-netdev " + option + ")");
                return added;
            }

            @Override
            public boolean remove(String id) {
                Network network = running.get();
                return said(network != null && network.removeNetdev(id), "netdev " + id + " removed");
            }

            @Override
            public CaptureConfig addCapture(String option) throws ConfigException, IOException {
                CaptureConfig c = network().addCapture(option);
                Log.info("capture " + c.id() + " of netdev " + c.netdev() + " to " + c.file().toAbsolutePath() + " started");
                return c;
            }

            @Override
            public boolean removeCapture(String id) {
                Network network = running.get();
                return said(network != null && network.removeCapture(id), "capture " + id + " stopped");
            }

            @Override
            public List<CaptureConfig> captures() {
                Network network = running.get();
                return network == null ? List.of() : network.captures();
            }

            @Override
            public long captureDrops(String id) {
                Network network = running.get();
                return network == null ? 0 : network.captureDrops(id);
            }

            @Override
            public boolean canQuit() {
                return true;
            }

            @Override
            public void quit() {
                Log.info("quit (control socket)");
                Thread.ofPlatform().name("vnet4j-quit").start(started::stop);
            }

            private static boolean said(boolean done, String line) {
                if (done) {
                    Log.info(line);
                }
                return done;
            }
        }, Version.get());
    }

    /** One line on why the network did not start; says so plainly when another vnet4j holds the default socket. */
    private static String startFailure(IOException e, Path defaultSocket) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketFiles.InUseException inUse && inUse.path().equals(defaultSocket)) {
                return "the default network's socket " + inUse.getMessage() + ": a vnet4j already runs the default network "
                        + "(vnet4j ctl info network shows it); stop it first, or give this one -netdev options of its own";
            }
        }
        return Log.describe(e);
    }

    private int serve(Network network, ControlServer controlServer, HttpConsole console, Path defaultSocket)
            throws InterruptedException {
        // none of it once a SIGTERM came during the start: "stopping" then "ready" would mislead a supervisor
        started.ifNotStopping(() -> sayReady(network, controlServer, console, defaultSocket));
        started.awaitClosed();
        return 0;
    }

    /** The lines a start ends with: each netdev, how to attach a VM and reach the daemon, then "ready". */
    private void sayReady(Network network, ControlServer controlServer, HttpConsole console, Path defaultSocket) {
        network.netdevs().forEach(n -> Log.info(n.id() + ": hub " + n.hub().id() + ", " + n.type() + " " + n.describe()
                + (n.vlans() == VlanMembership.NONE ? "" : ", " + n.vlans().describe())));
        for (Hub hub : network.hubs().all()) {
            if (hub.macTable() != null) {
                Log.info(hub.switchId() + ": hub " + hub.id() + " is a learning switch (aging " + hub.macTable().agingSeconds()
                        + " s, at most " + hub.macTable().maxMacs() + " MACs, " + hub.macTable().maxMacsPerPort()
                        + " per port; info mac-table)");
            }
        }
        if (defaultSocket != null) {
            Log.info("attach a VM with: qemu-system-x86_64 ... " + netdevOption(defaultSocket) + " " + deviceOption(randomQemuMac()));
            Log.info("give each VM its own mac= (this one is random; without mac=, QEMU gives every VM "
                    + "52:54:00:12:34:56, and two VMs with one MAC break each other's network)");
        }
        if (controlServer != null) {
            Path path = controlServer.path();
            Log.info("control socket " + path + " (" + (path.equals(RuntimeDir.defaultControlSocket())
                    ? "vnet4j ctl info network" : "vnet4j ctl --control " + path + " info network") + ")");
        } else {
            Log.info("no control socket (--control none): vnet4j ctl cannot reach this daemon");
        }
        if (console != null) {
            InetSocketAddress asked = http; // the bound socket says [::] for 0.0.0.0: name what was asked
            String url = "http://" + IpAddress.of(asked.getAddress()).toUriString() + ":" + console.address().getPort();
            Log.info("http: the network's page at " + url + "/, metrics at " + url + "/metrics, JSON at " + url
                    + "/api/network" + (asked.getAddress().isLoopbackAddress() ? " (this host only)"
                    : " (open to other hosts, with no authentication" + (asked.getAddress().isAnyLocalAddress()
                    ? "; over IPv6 too: the JDK's server socket is dual-stack)" : ")")));
        }
        Log.always("ready");
        if (!noWarmUp) {
            Warmup.inBackground(network);
        }
    }
}
