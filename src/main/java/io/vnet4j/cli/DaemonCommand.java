package io.vnet4j.cli;

import io.vnet4j.Log;
import io.vnet4j.Network;
import io.vnet4j.config.Config;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.control.ControlClient;
import io.vnet4j.control.ControlServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vnet4j [-netdev ...] [-net ...] [-object ...] [--control PATH]}: runs the network until stopped. */
@Command(name = "vnet4j", mixinStandardHelpOptions = true, versionProvider = Version.class,
        subcommands = CtlCommand.class, sortOptions = false, separator = " ", usageHelpWidth = 120,
        description = {"User-space virtual networking for QEMU VMs and containers: hubs and QEMU's socket, stream, dgram, "
                + "user, tap and vde netdevs, with QEMU's option syntax.",
                "With no -netdev or -net, runs the default network: the user-mode gateway (-netdev user: DHCP, DNS, "
                        + "NAT to the host) and a stream server for VMs at $XDG_RUNTIME_DIR/vnet4j/qemu.sock "
                        + "(or /tmp/vnet4j-$USER/), with the control socket beside it."},
        footer = {"", "Examples:",
                "  vnet4j                                   the default network; prints the QEMU option to attach a VM",
                "  vnet4j -netdev user,id=u,hostfwd=tcp::2222-:22 -netdev stream,id=vms,server=on,addr.type=unix,addr.path=/tmp/vms.sock",
                "  vnet4j -netdev socket,id=a,listen=127.0.0.1:8010 -netdev stream,id=b,server=on,addr.type=unix,addr.path=/tmp/b.sock",
                "  vnet4j -net socket,vlan=1,listen=:8010  the seed-era syntax: vlan is the hub number",
                "  vnet4j -netdev user,id=u -netdev tap,id=t,ifname=tap0,netns=/run/netns/ctr,configure=on   a container's network",
                "  vnet4j -netdev user,id=u -netdev vde,id=sw,sock=/tmp/sw,server=on   a VDE switch for QEMU's -netdev vde,sock=/tmp/sw",
                "  vnet4j -netdev socket,id=m,mcast=230.0.0.1:1234 -netdev dgram,id=d,local.type=unix,local.path=/tmp/a,remote.type=unix,remote.path=/tmp/b",
                "  vnet4j -netdev socket,id=a,listen=:8010 -object filter-dump,id=f,netdev=a,file=a.pcap",
                "  vnet4j ctl info network                  the hubs, ports, peers and counters of a running vnet4j",
                "",
                "Attach a QEMU VM: qemu-system-x86_64 ... -netdev socket,id=n0,connect=127.0.0.1:8010 -device virtio-net-pci,netdev=n0"})
final class DaemonCommand implements Callable<Integer> {
    @Option(names = "-netdev", paramLabel = "TYPE,id=ID[,hubid=N],...",
            description = "A backend on hub N (default 0): socket (listen=, connect=, mcast=, udp=), stream (server=, addr.*), "
                    + "dgram (local.*, remote.*), user (the user-mode gateway), tap (ifname=, netns=, configure=), vde (sock=, server=).")
    List<String> netdevs = new ArrayList<>();

    @Option(names = "-net", paramLabel = "TYPE[,vlan=N],...",
            description = "The legacy form: vlan=N is the hub number; also -net dump,vlan=N,file=PATH.")
    List<String> nets = new ArrayList<>();

    @Option(names = "-object", paramLabel = "filter-dump,id=ID,netdev=ID,file=PATH[,maxlen=N]",
            description = "Capture one netdev's frames, both directions, to a pcap file.")
    List<String> objects = new ArrayList<>();

    @Option(names = "--control", paramLabel = "PATH",
            description = "Control socket (QMP-style JSON; mode 0600). Default network: beside qemu.sock.")
    Path control;

    @Option(names = "--quiet", description = "Log only warnings.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Log.quiet(quiet);
        ConfigParser parser = new ConfigParser();
        boolean defaultNetwork = netdevs.isEmpty() && nets.isEmpty();
        Path defaultSocket = RuntimeDir.get().resolve("qemu.sock");
        Config config;
        try {
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
                if (control == null) {
                    control = RuntimeDir.defaultControlSocket();
                }
            }
            for (String o : objects) {
                parser.object(o);
            }
            config = parser.build(control);
        } catch (ConfigException e) {
            System.err.println("vnet4j: " + e.getMessage());
            return 2;
        }
        if (control != null && isRunning(control)) {
            System.err.println("vnet4j: another vnet4j already answers on " + control + "; stop it first or choose --control");
            return 1;
        }
        return serve(config, defaultNetwork ? defaultSocket : null);
    }

    private static boolean isRunning(Path control) {
        if (!Files.exists(control)) {
            return false;
        }
        try (ControlClient ignored = new ControlClient(control)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private int serve(Config config, Path defaultSocket) throws InterruptedException {
        Network network;
        try {
            network = Network.start(config);
        } catch (IOException e) {
            System.err.println("vnet4j: " + e.getMessage());
            return 1;
        }
        ControlServer controlServer = null;
        if (config.controlSocket() != null) {
            controlServer = new ControlServer(config.controlSocket(), network::netdevs, Version.get());
            try {
                controlServer.start();
            } catch (IOException e) {
                network.close();
                System.err.println("vnet4j: " + e.getMessage());
                return 1;
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ControlServer controlToClose = controlServer;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Log.info("stopping");
            if (controlToClose != null) {
                controlToClose.close();
            }
            network.close();
            stopped.countDown();
        }, "vnet4j-shutdown"));
        Thread.ofVirtual().name("vnet4j-capture-flush").start(() -> {
            while (stopped.getCount() > 0) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                network.flushCaptures();
            }
        });
        network.netdevs().forEach(n -> Log.info(n.id() + ": hub " + n.hub().id() + ", " + n.type() + " " + n.describe()));
        if (defaultSocket != null) {
            Log.info("attach a VM with: qemu-system-x86_64 ... -netdev stream,id=n0,server=off,addr.type=unix,addr.path="
                    + defaultSocket + " -device virtio-net-pci,netdev=n0");
        }
        if (config.controlSocket() != null) {
            Log.info("control socket " + config.controlSocket() + " (vnet4j ctl --control " + config.controlSocket() + " info network)");
        }
        System.err.println("vnet4j: ready");
        stopped.await();
        return 0;
    }
}
