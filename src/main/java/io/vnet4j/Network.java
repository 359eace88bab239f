package io.vnet4j;

import io.vnet4j.base.Log;
import io.vnet4j.config.CaptureConfig;
import io.vnet4j.config.Config;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.PortIds;
import io.vnet4j.config.SwitchConfig;
import io.vnet4j.config.UserConfig;
import io.vnet4j.config.VlanConfig;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.HubSet;
import io.vnet4j.fabric.MacTable;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.NetdevEvents;
import io.vnet4j.fabric.Port;
import io.vnet4j.fabric.VlanMembership;
import io.vnet4j.port.dgram.DatagramNetdev;
import io.vnet4j.port.dump.PcapWriter;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.port.stream.StreamClientNetdev;
import io.vnet4j.port.stream.StreamServerNetdev;
import io.vnet4j.port.tap.TapNetdev;
import io.vnet4j.port.vde.VdePlugNetdev;
import io.vnet4j.port.vde.VdeSwitchNetdev;
import io.vnet4j.port.vhostuser.VhostUserNetdev;
import io.vnet4j.port.vxlan.VxlanNetdev;
import io.vnet4j.usernet.UsernetNetdev;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A running vnet4j: hubs, the netdevs on them and the captures. Built from a {@link Config} (what the
 * command line gives) or piece by piece by a Java program, e.g. with {@link #attachNic}.
 */
public final class Network implements AutoCloseable {
    /**
     * How long a capture started at run time waits for a FIFO's reader before it is refused: a few seconds for
     * a reader started just before, well within {@code vnet4j ctl}'s 10 s for an answer.
     */
    static final long FIFO_READER_WAIT_MILLIS = 3000;
    private final HubSet hubs = new HubSet();
    private final List<Netdev> netdevs = new CopyOnWriteArrayList<>();
    /**
     * The options of the netdevs made from options (not those a library caller made and {@link #add}ed); a
     * TAP's own {@link TapNetdev#config()} names the interface the kernel gave it, and is read instead.
     */
    private final Map<Netdev, NetdevConfig> configs = new ConcurrentHashMap<>();
    /** Held by {@link #addNetdev} and {@link #removeNetdev} (control clients each on a thread of their own). */
    private final ReentrantLock changing = new ReentrantLock();
    /** The running captures by object id (a {@code -net dump}'s id is made up), each with what it taps. */
    private final Map<String, Capture> captures = new ConcurrentHashMap<>();

    private record Capture(CaptureConfig config, PcapWriter writer) {}

    /** The captures added at run time whose files are being opened, by id (guarded by this). */
    private final Map<String, CaptureConfig> opening = new HashMap<>();
    /** Set by {@link #close} (guarded by this): a capture whose file opens afterwards is closed at once. */
    private boolean closed;

    /** Told of stream netdevs' connections (the control socket's QMP events). */
    private final NetdevEvents events;

    /** An empty network: no netdev yet; a hub comes into being when something is put on it. */
    public Network() {
        this(NetdevEvents.NONE);
    }

    /** An empty network whose netdevs made from options tell {@code events} what happens to them. */
    public Network(NetdevEvents events) {
        this.events = events;
    }

    /**
     * Starts every netdev and capture of {@code config}; on a failure, stops what had started and throws.
     *
     * @param config the options, as {@link ConfigParser#build} returns them
     * @return the running network; {@link #close} stops it
     * @throws IOException when a netdev or capture cannot start (an address in use, a missing permission)
     */
    public static Network start(Config config) throws IOException {
        return start(config, NetdevEvents.NONE);
    }

    /**
     * As {@link #start(Config)}, its netdevs (also those {@link #addNetdev} adds later) telling {@code events}
     * what happens to them.
     */
    public static Network start(Config config, NetdevEvents events) throws IOException {
        Network network = new Network(events);
        try {
            for (SwitchConfig s : config.switches()) {
                network.learn(s);
                if (config.netdevs().stream().noneMatch(n -> n.hub() == s.hub())) {
                    Log.warn("switch " + s.id() + ": hub " + s.hub() + " has no netdev yet; it switches the ports "
                            + "that netdev_add puts there (hubid=" + s.hub() + ")");
                }
            }
            for (NetdevConfig n : config.netdevs()) {
                network.configs.put(network.add(network.create(n, config.vlan(n.id()))), n);
            }
            for (CaptureConfig c : config.captures()) {
                network.capture(c);
                if (c.hub() != null && config.netdevs().stream().noneMatch(n -> n.hub() == c.hub())) {
                    Log.warn(c.id() + ": hub " + c.hub() + " has no netdev yet; it captures the frames of the ports "
                            + "that netdev_add puts there (hubid=" + c.hub() + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
        return network;
    }

    /**
     * Makes a hub a learning switch ({@code -object switch}); a MAC that moves between ports is logged once.
     *
     * @param s the switch: its hub, aging time and table bounds
     */
    public void learn(SwitchConfig s) {
        hubs.hub(s.hub()).learn(s.id(), new MacTable<>(s.agingSeconds(), s.maxMacs(), s.maxMacsPerPort(), System::nanoTime,
                (mac, from, to) -> Log.info("switch " + s.id() + ": " + MacAddress.format(mac) + " moved from port "
                        + from.id() + " to port " + to.id())));
    }

    /**
     * The hubs, by number.
     *
     * @return this network's hubs
     */
    public HubSet hubs() {
        return hubs;
    }

    /**
     * The netdevs, in the order they were added.
     *
     * @return a copy of the list of running netdevs
     */
    public List<Netdev> netdevs() {
        return List.copyOf(netdevs);
    }

    /**
     * Starts a netdev and keeps it, so {@link #close()} stops it.
     *
     * @param <N> the netdev's class
     * @param netdev a netdev made on one of this network's hubs, not started yet
     * @return {@code netdev}, started
     * @throws IOException when it cannot start (its message begins with the netdev's id); it is then not kept
     */
    public <N extends Netdev> N add(N netdev) throws IOException {
        holdTapAddresses(netdev, true); // before the TAP starts: a guest's DISCOVER meanwhile must not get its address
        try {
            netdev.start();
        } catch (IOException | RuntimeException e) {
            holdTapAddresses(netdev, false);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            String prefix = netdev.id() + ": ";
            if (e.getMessage() != null && e.getMessage().startsWith(prefix)) {
                throw e;
            }
            // the JDK's own messages ("Connection refused", "Address already in use") name no netdev
            throw new IOException(prefix + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        if (netdev instanceof UsernetNetdev) {
            warnOfAnotherGateway(netdev);
        }
        netdevs.add(netdev);
        return netdev;
    }

    /**
     * A {@code configure=on} TAP's address is one DHCP leases to no one on its hub while the TAP runs (its
     * namespace may say nothing for a long time), whichever of the TAP and the user network came first.
     *
     * @param changed a netdev about to start ({@code hold}), or removed or failed to start (not {@code hold})
     */
    private void holdTapAddresses(Netdev changed, boolean hold) {
        for (Netdev n : netdevs) {
            if (changed instanceof TapNetdev tap && n instanceof UsernetNetdev user) {
                holdTapAddress(user, tap, hold);
            } else if (changed instanceof UsernetNetdev user && n instanceof TapNetdev tap) {
                holdTapAddress(user, tap, hold);
            }
        }
    }

    private static void holdTapAddress(UsernetNetdev user, TapNetdev tap, boolean hold) {
        if (tap.configuredAddress() != 0 && tap.hub() == user.hub()) {
            if (hold) {
                user.holdTapAddress(tap.configuredAddress());
            } else {
                user.releaseTapAddress(tap.configuredAddress());
            }
        }
    }

    /** The IPv4 addresses a running user network's guests hold, which a configure=on TAP added now must not take. */
    private static Set<Integer> addressesInUse(UsernetNetdev user) {
        try {
            return user.ipv4AddressesInUse();
        } catch (IOException e) {
            return Set.of(); // stopped, or its loop did not answer within 2 s: the TAP takes the next free address
        }
    }

    private void warnOfAnotherGateway(Netdev user) {
        String warning = UsernetNetdev.sharedHub((UsernetNetdev) user, netdevs);
        if (warning != null) {
            Log.warn(warning);
        }
    }

    /**
     * Starts a netdev given in QEMU's {@code -netdev} syntax, e.g.
     * {@code stream,id=vms,server=on,addr.type=unix,addr.path=/tmp/vms.sock}.
     *
     * @param option the {@code -netdev} argument, without {@code -netdev}
     * @return the netdev, started
     * @throws ConfigException when the option is not valid, or its id is already in use (one line naming it)
     * @throws IOException when the netdev cannot start
     */
    public Netdev addNetdev(String option) throws ConfigException, IOException {
        changing.lock(); // the running netdevs checked against are those there when it starts
        try {
            return addNetdevLocked(option);
        } finally {
            changing.unlock();
        }
    }

    private Netdev addNetdevLocked(String option) throws ConfigException, IOException {
        ConfigParser parser = new ConfigParser();
        for (Netdev n : netdevs) {
            NetdevConfig running = n instanceof TapNetdev tap ? tap.config() : configs.get(n);
            if (running != null) {
                parser.runningNetdev(running);
            }
            if (n instanceof UsernetNetdev user) {
                parser.runningUserNetwork(user.hub().id(), user.config(), user.vlans().access());
            } else if (n instanceof TapNetdev tap && tap.configuredAddress() != 0) {
                parser.addressInUse(tap.hub().id(), tap.configuredAddress());
            }
        }
        parser.netdev(option);
        if (parser.configuresAnAddress()) { // its address skips the guests' (asked of each user network's loop)
            for (Netdev n : netdevs) {
                if (n instanceof UsernetNetdev user) {
                    addressesInUse(user).forEach(address -> parser.addressInUse(user.hub().id(), address));
                }
            }
        }
        Config parsed = parser.build();
        NetdevConfig config = parsed.netdevs().getFirst();
        if (netdev(config.id()) != null) {
            throw ConfigException.duplicateId("-netdev " + option, config.id());
        }
        String clash = PortIds.clash(config.id(), netdevs.stream().map(Netdev::id).toList());
        if (clash != null) {
            throw new ConfigException("-netdev " + option, PortIds.refusal(config.id(), clash));
        }
        Netdev netdev = add(create(config, parsed.vlan(config.id())));
        configs.put(netdev, config);
        if (netdev instanceof TapNetdev tap && tap.configuredAddress() != 0) {
            sayWhereForwardsGo(tap);
        }
        return netdev;
    }

    /**
     * A {@code configure=on} TAP added at run time leaves the host forwards that name no guest address where they
     * went (to {@code dhcpstart}, or to the TAP given at start: a guest there keeps its forwards), unlike one given
     * at start; when a user network on its hub has such forwards, says so with the rules that would move one.
     */
    private void sayWhereForwardsGo(TapNetdev tap) {
        for (Netdev n : netdevs) {
            if (n instanceof UsernetNetdev user && user.hub() == tap.hub()) {
                List<UserConfig.HostForward> elsewhere;
                try {
                    elsewhere = user.hostForwards().stream().filter(f -> f.guestDefaulted() && f.guestAddress().isIpv4()
                            && f.guestAddress().ipv4() != tap.configuredAddress()).toList();
                } catch (IOException e) {
                    continue; // stopped, or its loop did not answer: nothing to say
                }
                if (elsewhere.isEmpty()) {
                    continue;
                }
                UserConfig.HostForward f = elsewhere.getFirst();
                String rule = (f.udp() ? "udp:" : "tcp:") + f.hostAddress().toUriString() + ":" + f.hostPort();
                Log.info(user.id() + ": host forwards that name no guest address ("
                        + String.join(", ", elsewhere.stream().map(r -> (r.udp() ? "udp " : "tcp ")
                                + r.hostAddress().toUriString() + ":" + r.hostPort()).toList())
                        + ") still go to " + f.guestAddress() + ", not to " + tap.id() + "'s "
                        + Ipv4Address.format(tap.configuredAddress()) + ", as they went before it came: to move one, "
                        + "hostfwd_remove " + rule + " and hostfwd_add " + rule + "-" + Ipv4Address.format(tap.configuredAddress())
                        + ":" + f.guestPort());
            }
        }
    }

    /**
     * Stops netdev {@code id} and forgets it: its sockets, connections and socket files close, a TAP goes
     * away with its descriptor.
     *
     * @param id the netdev's id
     * @return true when it was there and is stopped, false when there is none
     */
    public boolean removeNetdev(String id) {
        changing.lock();
        try {
            return removeNetdevLocked(id);
        } finally {
            changing.unlock();
        }
    }

    private boolean removeNetdevLocked(String id) {
        Netdev netdev = netdev(id);
        if (netdev == null || !netdevs.remove(netdev)) {
            return false;
        }
        configs.remove(netdev);
        netdev.close();
        if (netdev instanceof TapNetdev) {
            holdTapAddresses(netdev, false);
        }
        // under the lock addCapture looks its netdev up and registers under: a capture registered after this
        // looked, on a netdev it had found before the remove, outlived its netdev (1 in ~1,300 racing rounds)
        synchronized (this) {
            for (Capture c : List.copyOf(captures.values())) {
                if (id.equals(c.config().netdev()) && removeCapture(c.config().id())) {
                    Log.info("capture " + c.config().id() + " of netdev " + id + " stopped with it (" + c.config().file() + ")");
                }
            }
        }
        return true;
    }

    /**
     * Attaches a network card that this Java program drives to hub {@code hubId}.
     *
     * @param id the NIC's netdev id (as {@code info network} shows it)
     * @param hubId the hub's number (0 for the default hub)
     * @return the NIC, attached: what it {@linkplain VirtualNic#send sends} reaches every other port of the hub
     */
    public VirtualNic attachNic(String id, int hubId) {
        try {
            return add(new VirtualNic(id, hubs.hub(hubId)));
        } catch (IOException e) {
            throw new AssertionError("a virtual NIC opens nothing", e);
        }
    }

    /**
     * The netdev with id {@code id}.
     *
     * @param id the netdev's id
     * @return the netdev, or null when there is none
     */
    public Netdev netdev(String id) {
        for (Netdev n : netdevs) {
            if (n.id().equals(id)) {
                return n;
            }
        }
        return null;
    }

    /** The netdev {@code config} asks for, its ports members of the VLANs {@code vlan} asks for; not started. */
    private Netdev create(NetdevConfig config, VlanConfig vlan) {
        Netdev netdev = create(config);
        if (vlan.access() != 0) {
            netdev.joinVlans(VlanMembership.access(vlan.access()));
        } else if (!vlan.trunk().isEmpty()) {
            netdev.joinVlans(VlanMembership.trunk(vlan.trunk()));
        }
        return netdev;
    }

    private Netdev create(NetdevConfig config) {
        var hub = hubs.hub(config.hub());
        return switch (config) {
            case NetdevConfig.StreamServer s -> new StreamServerNetdev(s.id(), s.type(), s.settings(), s.address(),
                    s.keepAlive(), hub, events);
            case NetdevConfig.StreamClient c -> new StreamClientNetdev(c.id(), c.type(), c.settings(), c.address(),
                    c.reconnectMillis(), c.keepAlive(), hub, events);
            case NetdevConfig.Tap t -> new TapNetdev(t, hub);
            case NetdevConfig.User u -> new UsernetNetdev(u.id(), u.settings(), u.user(), hub);
            case NetdevConfig.Datagram d -> new DatagramNetdev(d.id(), d.type(), d.settings(),
                    new DatagramNetdev.Spec(d.local(), d.remote(), d.interfaceAddress()), hub);
            case NetdevConfig.Vxlan x -> new VxlanNetdev(x.id(), x.settings(), new VxlanNetdev.Spec(x.vni(), x.local(),
                    x.remotes(), x.group(), x.dev(), x.dstport(), x.srcLow(), x.srcHigh(), x.udp6ZeroChecksumRx()), hub);
            case NetdevConfig.VhostUser v -> v.server() ? new VhostUserNetdev(v.id(), v.settings(), v.path(), v.group(), v.mode(), hub)
                    : VhostUserNetdev.client(v.id(), v.settings(), v.path(), v.reconnectMillis(), hub);
            case NetdevConfig.Vde v -> v.server()
                    ? new VdeSwitchNetdev(v.id(), v.settings(), v.dir(), v.group(), v.mode(), hub)
                    : new VdePlugNetdev(v.id(), v.settings(), v.dir(), v.port(), v.group(), v.mode(), hub);
        };
    }

    private void capture(CaptureConfig c) throws IOException {
        forgetFailedCaptures();
        refuseSharedFile(c);
        PcapWriter writer;
        // a FIFO's open waits for its reader, as QEMU's: said after a second, or the daemon sits silent until then
        Thread hint = !PcapWriter.isFifo(c.file()) ? null : Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1000);
                // even under --quiet: while it waits the daemon says nothing else, not even "ready"
                Log.always(c.id() + ": waiting for a reader of the FIFO " + c.file() + " (start it: tshark -i " + c.file()
                        + "), as QEMU waits");
            } catch (InterruptedException e) {
                // opened within the second
            }
        });
        try {
            writer = new PcapWriter(c.file(), c.snapLength());
        } catch (IOException e) { // said as QEMU says it, naming the option: the file's own error names only the file
            String option = c.hub() != null ? "-net dump,vlan=" + c.hub() : "-object filter-dump,id=" + c.id();
            throw new IOException(option + ": cannot write file=" + Log.describe(e), e);
        } finally {
            if (hint != null) {
                hint.interrupt();
            }
        }
        register(c, writer, c.hub() != null ? null : netdev(c.netdev()));
    }

    /** Refuses {@code c} when a running capture, or one whose file is being opened, writes its file. */
    private void refuseSharedFile(CaptureConfig c) throws IOException {
        java.nio.file.Path file = c.fileIdentity();
        for (CaptureConfig other : Stream.concat(
                captures.values().stream().map(Capture::config), opening.values().stream()).toList()) {
            if (other.fileIdentity().equals(file)) {
                throw new IOException(c.file() + ": capture " + other.id() + " writes that file already");
            }
        }
    }

    /** Taps a capture onto its hub, or onto its netdev {@code netdev} (the one its option names, looked up once). */
    private void register(CaptureConfig c, PcapWriter writer, Netdev netdev) {
        captures.put(c.id(), new Capture(c, writer));
        if (c.hub() != null) {
            hubs.hub(c.hub()).addTap(writer);
        } else {
            netdev.addTap(writer);
        }
    }

    /**
     * Starts a capture while the network runs: QMP {@code object-add} and HMP {@code object_add} of a
     * {@code filter-dump} ({@code filter-dump,id=ID,netdev=ID,file=PATH[,maxlen=N]}).
     *
     * @param option the {@code -object} argument, without {@code -object}
     * @return the capture's settings
     * @throws ConfigException for a bad option, an id in use, or a netdev that does not run
     * @throws IOException when the file cannot be written
     */
    public CaptureConfig addCapture(String option) throws ConfigException, IOException {
        CaptureConfig c = ConfigParser.filterDump(option);
        synchronized (this) {
            forgetFailedCaptures();
            if (captures.containsKey(c.id()) || opening.containsKey(c.id())
                    || hubs.all().stream().anyMatch(h -> c.id().equals(h.switchId()))) {
                throw new ConfigException("-object " + option, "id " + c.id() + " is already in use");
            }
            if (netdev(c.netdev()) == null) {
                throw new ConfigException("-object " + option, "netdev=" + c.netdev() + " names no running netdev");
            }
            refuseSharedFile(c);
            opening.put(c.id(), c);
        }
        // Opened holding no lock: a FIFO's open waits for its reader, and meanwhile the other captures'
        // commands, netdev_del and the daemon's stop (SIGTERM) must not wait with it; and for a few seconds
        // only, so that the command answers (a capture at start waits as long as it takes, as QEMU's)
        PcapWriter writer;
        try {
            writer = new PcapWriter(c.file(), c.snapLength(), FIFO_READER_WAIT_MILLIS);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                opening.remove(c.id());
            }
            throw e;
        }
        synchronized (this) {
            opening.remove(c.id());
            // looked up once: netdev_del takes it out of the list without this lock (a second look-up found
            // nothing, a NullPointerException), and stops its captures with it, which waits for this lock
            Netdev netdev = netdev(c.netdev());
            if (closed || netdev == null) {
                writer.close();
                throw new IOException(c.file() + ": netdev " + c.netdev() + " ended while the file was being opened");
            }
            register(c, writer, netdev);
        }
        return c;
    }

    /**
     * Stops capture {@code id} ({@code object-del}) and completes its file.
     *
     * @param id the capture's object id
     * @return true when it ran and is stopped, false when there is none
     */
    public synchronized boolean removeCapture(String id) {
        Capture c = captures.remove(id);
        if (c == null) {
            return false;
        }
        if (c.config().hub() != null) {
            hubs.hub(c.config().hub()).removeTap(c.writer());
        } else {
            Netdev n = netdev(c.config().netdev());
            if (n != null) {
                n.removeTap(c.writer());
            }
        }
        c.writer().close();
        return true;
    }

    /**
     * The running captures' settings.
     *
     * @return one for each running capture
     */
    public List<CaptureConfig> captures() {
        return captures.values().stream().filter(c -> !c.writer().failed()).map(Capture::config).toList();
    }

    /**
     * The frames capture {@code id} dropped so far ({@link PcapWriter#dropped}: its file took records more slowly
     * than they came), 0 when no such capture runs.
     *
     * @param id the capture's id
     * @return the frames dropped
     */
    public long captureDrops(String id) {
        Capture c = captures.get(id);
        return c == null ? 0 : c.writer().dropped();
    }

    /**
     * Takes out the captures whose file could not be written (a full disk, a FIFO's reader gone): their writers
     * stopped and said why as it happened, and until now they still held their ids, netdevs and files, so that
     * {@code capture start} of their netdev or file was refused. Nothing more is said here: a second line, stamped
     * with whichever capture command came next, told of the same failure again.
     */
    private synchronized void forgetFailedCaptures() {
        for (Capture c : List.copyOf(captures.values())) {
            if (c.writer().failed()) {
                removeCapture(c.config().id());
            }
        }
    }

    /**
     * The frames that entered this network's hubs through the ports on them now, since each port came.
     *
     * @return the sum of those ports' received frames
     */
    public long framesIn() {
        long frames = 0;
        for (Hub hub : hubs.all()) {
            for (Port p : hub.ports()) {
                frames += p.counters().snapshot().rxFrames();
            }
        }
        return frames;
    }

    /**
     * Has the buffered capture records written to their files ({@link PcapWriter#flush}); each capture's thread
     * writes them every second anyway.
     */
    public void flushCaptures() {
        captures.values().forEach(c -> c.writer().flush());
    }

    /** Stops every netdev (newest first), then completes the capture files. */
    @Override
    public void close() {
        hubs.all().forEach(Hub::stopping);
        List<Netdev> reversed = new ArrayList<>(netdevs);
        java.util.Collections.reverse(reversed);
        for (Netdev n : reversed) {
            n.close();
        }
        netdevs.clear();
        configs.clear();
        synchronized (this) {
            closed = true;
        }
        captures.values().forEach(c -> c.writer().close());
        captures.clear();
    }
}
