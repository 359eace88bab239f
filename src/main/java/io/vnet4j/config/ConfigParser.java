package io.vnet4j.config;

import io.vnet4j.wire.Ipv4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns QEMU-style options into a {@link Config}: {@code -netdev TYPE,id=ID[,hubid=N],...}, the legacy
 * {@code -net TYPE[,vlan=N][,name=ID],...} (vlan is the hub number) and
 * {@code -object filter-dump,id=ID,netdev=ID,file=PATH[,maxlen=N]} and
 * {@code -object switch,id=ID[,hubid=N][,aging=S][,max-macs=N][,max-macs-per-port=N]}. Each error names
 * the option and what was expected.
 */
public final class ConfigParser {
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    private static final Set<String> DUMP_KEYS = Set.of("id", "netdev", "file", "maxlen", "queue");
    private static final Set<String> SWITCH_KEYS = Set.of("id", "hubid", "aging", "max-macs", "max-macs-per-port");
    private static final Set<String> LEGACY_DUMP_KEYS = Set.of("vlan", "name", "id", "file", "len");

    private final List<NetdevConfig> netdevs = new ArrayList<>();
    private final List<CaptureConfig> captures = new ArrayList<>();
    private final List<SwitchConfig> switches = new ArrayList<>();
    /** The 802.1Q membership of each -netdev that has one, by id. */
    private final Map<String, VlanConfig> vlans = new HashMap<>();
    private final Map<String, Integer> legacyCounters = new HashMap<>();
    /** A netdev's id to the option that gave it, as written ("-net user,name=u"), for a second use's message. */
    private final Map<String, String> netdevIds = new HashMap<>();
    /**
     * TAPs with configure=on, by id, with their {@code mac=} (or the kernel's): their address comes from the
     * hub's user network, known only in build().
     */
    private final Map<String, Long> configureRequested = new HashMap<>();
    /** User networks already running, by hub, for a TAP added at run time ({@link #runningUserNetwork}). */
    private final Map<Integer, RunningUser> runningUserNetworks = new HashMap<>();

    /** A running user network's settings and its access VLAN (0: none). */
    private record RunningUser(UserConfig user, int vlan) {}

    /**
     * The IPv4 addresses a configure=on TAP may not take, by hub: those running TAPs and guests hold, then those
     * given to TAPs here.
     */
    private final Map<Integer, Set<Integer>> configuredAddresses = new HashMap<>();
    /** What the netdevs hold that no other may: running ones' ({@link #runningNetdev}), then those parsed here. */
    private final Claims claims = new Claims();

    /** A parser with nothing added yet. */
    public ConfigParser() {}

    /**
     * Tells the parser of a user network that already runs on {@code hub}: a {@code configure=on} TAP
     * parsed here (QMP or HMP {@code netdev_add}) takes its address and gateway from it when the text
     * itself has none on that hub.
     *
     * @param hub the hub's number
     * @param user the running user network's settings
     * @param vlan its access VLAN ({@code vlan=}), 0 without one: the TAP must be in it, as beside one given at start
     */
    public void runningUserNetwork(int hub, UserConfig user, int vlan) {
        runningUserNetworks.putIfAbsent(hub, new RunningUser(user, vlan));
    }

    /**
     * Tells the parser of a netdev that already runs: one parsed here that asks for what it holds (a TAP's
     * name, a socket path, a VDE switch's directory, a listening address, a VNI on a port) is refused, naming it.
     *
     * @param netdev the running netdev's options
     */
    public void runningNetdev(NetdevConfig netdev) {
        claims.running(netdev);
    }

    /**
     * Whether a {@code configure=on} TAP was given, whose address {@link #build} picks (past those
     * {@link #addressInUse} names).
     */
    public boolean configuresAnAddress() {
        return !configureRequested.isEmpty();
    }

    /**
     * Tells the parser of an IPv4 address in use on a hub: a running {@code configure=on} TAP's, a guest's
     * lease, an address a guest was seen at. A {@code configure=on} TAP parsed here on the same hub takes another.
     *
     * @param hub the hub's number
     * @param address the address, in an int in network order
     */
    public void addressInUse(int hub, int address) {
        configuredAddresses.computeIfAbsent(hub, h -> new HashSet<>()).add(address);
    }

    /**
     * Adds one {@code -netdev} argument.
     *
     * @param text the argument, e.g. {@code socket,id=a,listen=:8010}
     * @throws ConfigException when it is not valid (one line naming it and what was expected)
     */
    public void netdev(String text) throws ConfigException {
        OptionString o = parseNamingAMissingType("-netdev", text);
        String type = type(o);
        String id = o.require("id", "the netdev's name");
        int hub = (int) o.takeLong("hubid", 0, 0, Integer.MAX_VALUE);
        checkedId(o, id);
        claimId(o, id, "-netdev " + type + ",id=" + id);
        VlanConfig vlan = vlan(o);
        if (type.equals("user") && !vlan.trunk().isEmpty()) {
            throw o.error("trunk=: the user network serves one VLAN, untagged (give vlan=N)");
        }
        if (vlan != VlanConfig.NONE) {
            vlans.put(id, vlan);
        }
        if (type.equals("tap")) {
            add(tap(o, id, hub, !vlan.trunk().isEmpty()));
            return;
        }
        add(build(o, type, id, hub));
    }

    /** {@code vlan=N} or {@code trunk=N[-M]} (repeatable): a -netdev's 802.1Q membership. */
    private static VlanConfig vlan(OptionString o) throws ConfigException {
        int access = (int) o.takeLong("vlan", 0, 1, VlanConfig.MAX_VID);
        java.util.TreeSet<Integer> trunk = new java.util.TreeSet<>();
        for (String t : o.takeAll("trunk")) {
            String[] range = t.split("-", 2);
            int from = vid(o, range[0], t);
            int to = range.length == 2 ? vid(o, range[1], t) : from;
            if (to < from) {
                throw o.error("trunk: expected N or N-M with N <= M, got '" + t + "'");
            }
            for (int v = from; v <= to; v++) {
                if (!trunk.add(v)) {
                    throw o.error("trunk: VLAN " + v + " is given twice");
                }
            }
        }
        if (access != 0 && !trunk.isEmpty()) {
            throw o.error("vlan= (an access port) and trunk= (a tagged port) exclude each other");
        }
        return access == 0 && trunk.isEmpty() ? VlanConfig.NONE : new VlanConfig(access, List.copyOf(trunk));
    }

    private static int vid(OptionString o, String text, String whole) throws ConfigException {
        int v = OptionString.cNumber(text, 1, VlanConfig.MAX_VID); // as vlan=, and QEMU's numbers: 010 is 8
        if (v >= 0) {
            return v;
        }
        throw o.error("trunk: expected VLAN numbers from 1 to " + VlanConfig.MAX_VID + " (trunk=N or trunk=N-M), got '"
                + whole + "'");
    }

    /** What {@code -net nic} and {@code -netdev nic} are told. */
    private static final String GUEST_SIDE = "this is the guest's side of the wire and belongs on QEMU's command line; "
            + "attach a VM to vnet4j with QEMU's -netdev stream,id=n0,server=off,addr.type=unix,addr.path=SOCKET "
            + "-device virtio-net-pci,netdev=n0";

    /**
     * Adds one legacy {@code -net} argument.
     *
     * @param text the argument, e.g. {@code socket,vlan=1,listen=:8010}
     * @throws ConfigException when it is not valid (one line naming it and what was expected)
     */
    public void net(String text) throws ConfigException {
        OptionString o = parseNamingAMissingType("-net", text);
        String type = type(o);
        if (type.equals("nic")) {
            throw o.error(GUEST_SIDE);
        }
        if (o.has("trunk")) {
            throw o.error("trunk=: 802.1Q membership is given on -netdev (on -net, vlan= is the hub number)");
        }
        int hub = (int) o.takeLong("vlan", 0, 0, Integer.MAX_VALUE);
        String name = o.take("name");
        String id = o.take("id");
        String spelled = "-net " + type + ",id=" + id;
        if (id == null) {
            id = name;
            spelled = "-net " + type + ",name=" + id;
        }
        if (id == null) {
            int n = legacyCounters.merge(type, 1, Integer::sum) - 1;
            id = type + "." + n;
            spelled = "-net " + type + " (named " + id + " as its " + ordinal(n) + " " + type + " without name=)";
        }
        checkedId(o, id);
        claimId(o, id, spelled);
        if (type.equals("dump")) {
            String given = o.take("file");
            if (given != null && given.isEmpty()) { // Path.of("") is the working directory; QEMU's open("") fails
                throw o.error("file: expected the pcap file to write, got an empty value");
            }
            Path file = Path.of(given != null ? given : "vnet4j-vlan" + hub + ".pcap");
            int len = (int) o.takeLong("len", CaptureConfig.DEFAULT_SNAP_LENGTH, 1, 1 << 20);
            o.finish(LEGACY_DUMP_KEYS);
            captures.add(new CaptureConfig(id, null, hub, file, len));
            return;
        }
        add(type.equals("tap") ? tap(o, id, hub, false) : build(o, type, id, hub));
    }

    /**
     * QEMU's {@code -nic TYPE[,...][,model=M][,mac=MAC]}: a guest NIC and its backend in one. vnet4j makes no
     * guest NICs, so it is refused, saying what to give instead: the backend as {@code -netdev} (the NIC and its
     * {@code model=} and {@code mac=} belong on QEMU's command line), or nothing for {@code -nic none}.
     *
     * @param text the argument, e.g. {@code user,hostfwd=tcp::5555-:23}
     * @throws ConfigException always (one line naming it and what to write)
     */
    public static void nic(String text) throws ConfigException {
        OptionString o = parseNamingAMissingType("-nic", text);
        String type = type(o);
        if (type.equals("none")) {
            throw o.error("vnet4j makes no guest NICs, so there is none to turn off: leave -nic none out");
        }
        if (missingType(type) != null || !type.equals("tap") && !TYPES.containsKey(type)) {
            throw o.error("-nic makes a guest NIC and its backend in one; vnet4j makes no guest NICs (they belong on QEMU's"
                    + " command line), and " + (missingType(type) != null ? missingType(type)
                    : unknownType(type)));
        }
        StringBuilder backend = new StringBuilder("-netdev ").append(type).append(",id=").append(o.has("id") ? o.take("id") : "ID");
        for (String key : o.keys()) {
            if (!key.equals("model") && !key.equals("mac")) {
                for (String value : o.takeAll(key)) {
                    backend.append(',').append(key).append('=').append(value.replace(",", ",,"));
                }
            }
        }
        throw o.error("-nic makes a guest NIC and its backend in one; vnet4j makes no guest NICs (they belong on QEMU's"
                + " command line): give vnet4j the backend, " + backend + ", and attach the VM to it");
    }

    /**
     * Adds one {@code -object} argument: filter-dump or switch.
     *
     * @param text the argument, e.g. {@code switch,id=sw0}
     * @throws ConfigException when it is not valid (one line naming it and what was expected)
     */
    public void object(String text) throws ConfigException {
        OptionString o = OptionString.parse("-object", text);
        String type = o.implied() != null ? o.implied() : o.take("qom-type");
        if ("switch".equals(type)) {
            switches.add(switchObject(o));
            return;
        }
        if (!"filter-dump".equals(type)) {
            throw o.error("unknown object type '" + type + "' (expected filter-dump or switch)");
        }
        captures.add(filterDump(o));
    }

    /**
     * One {@code filter-dump,id=ID,netdev=ID,file=PATH[,maxlen=N]} object, as QMP {@code object-add} and HMP
     * {@code object_add} give it to a running network (which checks the ids against what runs).
     *
     * @param text the object's argument, e.g. {@code filter-dump,id=f,netdev=vms,file=vms.pcap}
     * @return the capture's settings
     * @throws ConfigException when it is not a valid filter-dump (one line naming it and what was expected)
     */
    public static CaptureConfig filterDump(String text) throws ConfigException {
        OptionString o = OptionString.parse("-object", text);
        String type = o.implied() != null ? o.implied() : o.take("qom-type");
        if (!"filter-dump".equals(type)) {
            throw o.error("only filter-dump objects can be added while the network runs, got '" + type + "'");
        }
        return filterDump(o);
    }

    private static CaptureConfig filterDump(OptionString o) throws ConfigException {
        String id = checkedId(o, o.require("id", "the filter's name"));
        String netdev = o.require("netdev", "the id of the netdev to capture");
        Path file = Path.of(o.require("file", "the pcap file to write"));
        // from 1, as QEMU's (maxlen=54 keeps the Ethernet, IPv4 and TCP headers only); at most 1 MiB (each of a
        // capture's two buffers holds two records of it)
        int maxlen = (int) o.takeLong("maxlen", CaptureConfig.DEFAULT_SNAP_LENGTH, 1, 1 << 20);
        String queue = o.take("queue");
        if (queue != null && !queue.equals("all")) {
            throw o.error("queue: only 'all' (both directions) is supported, got '" + queue + "'");
        }
        o.finish(DUMP_KEYS);
        return new CaptureConfig(id, netdev, null, file, maxlen);
    }

    /**
     * Whether an {@code -object switch} added so far makes a hub a switch.
     *
     * @param hub the hub's number
     * @return true when one does
     */
    public boolean hasSwitch(int hub) {
        return switches.stream().anyMatch(s -> s.hub() == hub);
    }

    /**
     * A switch's {@code aging=}: 1 to 1,000,000 seconds. 0, which a Linux bridge takes ({@code ip link set BR type
     * bridge ageing_time 0}, {@code brctl setageing BR 0}) to forget every MAC at once and flood as a hub, is refused
     * with the way to a hub here: a hub without {@code -object switch}.
     */
    private static int agingSeconds(OptionString o) throws ConfigException {
        return (int) o.takeLong("aging", SwitchConfig.DEFAULT_AGING_SECONDS, 1, 1_000_000, n -> n != 0 ? ""
                : " (a Linux bridge's ageing_time 0 floods every frame as a hub; for that, leave out -object switch: a hub"
                + " without one floods)");
    }

    private SwitchConfig switchObject(OptionString o) throws ConfigException {
        String id = checkedId(o, o.require("id", "the switch's name"));
        int hub = (int) o.takeLong("hubid", 0, 0, Integer.MAX_VALUE);
        int aging = agingSeconds(o);
        int maxMacs = (int) o.takeLong("max-macs", SwitchConfig.DEFAULT_MAX_MACS, 1, 1 << 20);
        int perPort = (int) o.takeLong("max-macs-per-port", Math.min(SwitchConfig.DEFAULT_MAX_MACS_PER_PORT, maxMacs), 1, maxMacs);
        o.finish(SWITCH_KEYS);
        for (SwitchConfig other : switches) {
            if (other.hub() == hub) {
                throw o.error("hub " + hub + " is already switch " + other.id());
            }
            if (other.id().equals(id)) {
                throw o.error("id " + id + " is used twice");
            }
        }
        return new SwitchConfig(id, hub, aging, maxMacs, perPort);
    }

    /**
     * Checks the options against each other and returns the result.
     *
     * @return the configuration, for {@link io.vnet4j.Network#start}
     * @throws ConfigException when they do not fit together (an id used twice, a capture of an unknown netdev,
     *     ...)
     */
    public Config build() throws ConfigException {
        Set<String> ids = netdevIds.keySet();
        for (int i = 0; i < netdevs.size(); i++) {
            if (netdevs.get(i) instanceof NetdevConfig.Tap tap && configureRequested.containsKey(tap.id())) {
                netdevs.set(i, tap.withConfigure(configureFromUserNetwork(tap, configureRequested.get(tap.id()))));
            }
        }
        for (int i = 0; i < netdevs.size(); i++) {
            if (netdevs.get(i) instanceof NetdevConfig.User user) {
                netdevs.set(i, forwardsToConfiguredTap(user));
            }
        }
        for (NetdevConfig n : netdevs) {
            claims.take(n);
        }
        Map<java.nio.file.Path, String> captureFiles = new HashMap<>();
        for (CaptureConfig c : captures) {
            String other = captureFiles.putIfAbsent(c.fileIdentity(), c.id());
            if (other != null) {
                throw new ConfigException("-object filter-dump,id=" + c.id() + ": file=" + c.file() + " is capture "
                        + other + "'s already");
            }
        }
        Set<String> objectIds = new HashSet<>();
        for (SwitchConfig s : switches) {
            objectIds.add(s.id());
        }
        for (CaptureConfig c : captures) {
            if (c.netdev() != null && !objectIds.add(c.id())) {
                throw new ConfigException("-object filter-dump,id=" + c.id() + ": the id is used twice (object ids are one namespace, as in QEMU)");
            }
        }
        for (CaptureConfig c : captures) {
            if (c.netdev() != null && !ids.contains(c.netdev())) {
                throw new ConfigException("-object filter-dump,id=" + c.id() + ": netdev=" + c.netdev()
                        + " names no -netdev (expected one of: " + String.join(", ", ids.stream().sorted().toList()) + ")");
            }
        }
        return new Config(netdevs, captures, switches, vlans);
    }

    /**
     * A host forward to IPv4 that names no guest address goes to the {@code configure=on} TAP on the user
     * network's hub when there is one (the namespace's address, .100, as slirp4netns forwards there),
     * else to {@code dhcpstart} as in QEMU. (One to IPv6 keeps the learned address, which is the TAP's.)
     */
    private NetdevConfig.User forwardsToConfiguredTap(NetdevConfig.User user) {
        for (NetdevConfig n : netdevs) {
            if (n instanceof NetdevConfig.Tap tap && tap.hub() == user.hub() && tap.configure() != null
                    && tap.configure().ipv4()) {
                return new NetdevConfig.User(user.id(), user.type(), user.hub(), user.settings(),
                        user.user().withForwardTarget(tap.configure().address()));
            }
        }
        return user;
    }

    /**
     * configure=on takes .100 of the user network on the TAP's hub, its prefix and its gateway
     * (slirp4netns's choice), and the TAP's mtu= or else the user network's; {@code mac} is the TAP's mac=.
     */
    private NetdevConfig.Tap.Configure configureFromUserNetwork(NetdevConfig.Tap tap, long mac) throws ConfigException {
        RunningUser running = runningUserNetworks.get(tap.hub());
        UserConfig u = running == null ? null : running.user();
        int userVlan = running == null ? 0 : running.vlan();
        for (NetdevConfig n : netdevs) {
            if (n instanceof NetdevConfig.User user && user.hub() == tap.hub()) {
                u = user.user();
                userVlan = vlans.getOrDefault(user.id(), VlanConfig.NONE).access();
                break;
            }
        }
        if (u != null) {
            VlanConfig tapVlan = vlans.getOrDefault(tap.id(), VlanConfig.NONE);
            if (!tapVlan.trunk().isEmpty()) {
                throw new ConfigException("-netdev tap,id=" + tap.id() + ": configure=on gives the interface the user "
                        + "network's untagged address, which a trunk (tagged frames) cannot carry");
            }
            if (tapVlan.access() != userVlan) {
                throw new ConfigException("-netdev tap,id=" + tap.id() + ": configure=on needs the TAP in the user "
                        + "network's VLAN (" + (userVlan == 0 ? "none: leave vlan= out" : "give vlan=" + userVlan)
                        + "), or the interface reaches no gateway");
            }
            int mtu = tap.mtu() > 0 ? tap.mtu() : u.mtu();
            if (!u.ipv4()) {
                return new NetdevConfig.Tap.Configure(0, 0, 0, mtu, mac); // IPv6 only: the address comes by SLAAC
            }
            int address = freeConfiguredAddress(tap, u, mac);
            return new NetdevConfig.Tap.Configure(address, u.prefixLength(), u.host(), mtu, mac);
        }
        throw new ConfigException("-netdev tap,id=" + tap.id() + ": configure=on needs a -netdev user on hub " + tap.hub()
                + " (the interface takes its address and gateway from it)");
    }

    /**
     * The address a configure=on TAP takes: the user network's .100 (slirp4netns's choice), and for each
     * further one on the hub the next free above it (.101, .102, ...), past the {@code dhcp-static} addresses,
     * the gateway's own ({@code guestfwd=}, {@code smb=}'s server, {@code host=}, {@code dns=}: an interface there
     * kept its connections to them to itself) and those in use there at run time ({@link #addressInUse}); the
     * {@code dhcp-static} address of the TAP's own MAC before them all, when free (never the gateway's: the
     * parser refuses that). Two interfaces given one address black-holed one another's connections, silently
     * (a helper's replay with two namespaces on one hub).
     */
    private int freeConfiguredAddress(NetdevConfig.Tap tap, UserConfig u, long mac) throws ConfigException {
        Set<Integer> taken = configuredAddresses.computeIfAbsent(tap.hub(), h -> new HashSet<>());
        Integer reserved = u.dhcpStatic().get(mac);
        if (reserved != null && taken.add(reserved)) {
            return reserved;
        }
        int broadcast = u.network() | ~u.netmask();
        for (int address = u.network() | (100 & ~u.netmask()); address != broadcast; address++) {
            if (!u.dhcpStatic().containsValue(address) && !u.gatewayHolds(address) && taken.add(address)) {
                return address;
            }
        }
        throw new ConfigException("-netdev tap,id=" + tap.id() + ": configure=on finds no address left from .100 of "
                + Ipv4Address.format(u.network()) + "/" + u.prefixLength() + " (" + taken.size() + " TAPs hold them)");
    }

    /** A TAP ({@link TapOptionParser}); {@code configure=on} is recorded for {@link #build}, which gives its address. */
    private NetdevConfig tap(OptionString o, String id, int hub, boolean trunk) throws ConfigException {
        QemuOnlyKeys.reject(o, "tap", TapOptionParser.KEYS);
        TapOptionParser.Parsed tap = TapOptionParser.parse(o, id, hub, trunk);
        if (tap.configure()) {
            configureRequested.put(id, tap.mac());
        }
        return tap.netdev();
    }

    /**
     * Whether a netdev was added.
     *
     * @return true after a {@link #netdev} or {@link #net} that makes one
     */
    public boolean hasNetdevs() {
        return !netdevs.isEmpty();
    }

    private void add(NetdevConfig config) {
        netdevs.add(config);
    }

    private static String type(OptionString o) throws ConfigException {
        String type = o.implied() != null ? o.implied() : o.take("type");
        if (type == null) {
            throw o.error("the type is missing (expected " + TYPE_CHOICES + " first)");
        }
        return type;
    }

    /** Records that {@code spelled} gives {@code id}; a netdev id is one namespace for -netdev and -net. */
    private void claimId(OptionString o, String id, String spelled) throws ConfigException {
        String first = netdevIds.putIfAbsent(id, spelled);
        if (first != null) {
            throw o.error("Duplicate ID '" + id + "' for netdev (" + first + " has it already)"); // QEMU's words
        }
        String clash = PortIds.clash(id, netdevIds.keySet().stream().filter(other -> !other.equals(id)).toList());
        if (clash != null) {
            throw o.error(PortIds.refusal(id, clash));
        }
    }

    private static String ordinal(int n) {
        return switch (n) {
            case 0 -> "first";
            case 1 -> "second";
            case 2 -> "third";
            default -> (n + 1) + "th";
        };
    }

    private static String checkedId(OptionString o, String id) throws ConfigException {
        if (!ID.matcher(id).matches()) {
            throw o.error("id: expected a letter followed by letters, digits, '-', '.' or '_', got '" + id + "'");
        }
        return id;
    }

    /** A netdev type's parser: what {@code -netdev TYPE,...} and {@code -net TYPE,...} share (tap aside). */
    @FunctionalInterface
    private interface TypeParser {
        NetdevConfig parse(OptionString o, String id, int hub) throws ConfigException;
    }

    /** A netdev type: the keys it takes (a misspelt one is named before the type's own checks) and its parser. */
    private record NetdevType(Set<String> keys, TypeParser parser) {}

    private static final Map<String, NetdevType> TYPES = Map.of(
            "socket", new NetdevType(SocketOptionParser.KEYS, SocketOptionParser::parse),
            "stream", new NetdevType(StreamOptionParser.KEYS, StreamOptionParser::parse),
            "dgram", new NetdevType(DgramOptionParser.KEYS, DgramOptionParser::parse),
            "user", new NetdevType(UserOptionParser.KEYS, UserOptionParser::parse),
            "vde", new NetdevType(VdeOptionParser.KEYS, VdeOptionParser::parse),
            "vxlan", new NetdevType(VxlanOptionParser.KEYS, VxlanOptionParser::parse),
            "vhost-user", new NetdevType(VhostUserOptionParser.KEYS, VhostUserOptionParser::parse));

    /** Every netdev type, in the order the messages name them: {@link #TYPES}' and tap. */
    private static final List<String> TYPE_NAMES = List.of("socket", "stream", "dgram", "user", "tap", "vde", "vxlan",
            "vhost-user");
    /** The types as a choice: "socket, stream, ... or vhost-user". */
    private static final String TYPE_CHOICES = String.join(", ", TYPE_NAMES.subList(0, TYPE_NAMES.size() - 1)) + " or "
            + TYPE_NAMES.getLast();

    private static String unknownType(String type) {
        return "unknown netdev type '" + type + "' (expected " + TYPE_CHOICES + ")";
    }

    private static NetdevConfig build(OptionString o, String type, String id, int hub) throws ConfigException {
        NetdevType known = TYPES.get(type);
        if (known == null) {
            String missing = missingType(type);
            throw o.error(missing != null ? missing : unknownType(type));
        }
        QemuOnlyKeys.reject(o, type, known.keys());
        o.rejectUnknown(known.keys(), Set.of("fd", "chardev")); // QEMU's keys that socket and vhost-user explain
        return known.parser().parse(o, id, hub);
    }

    /**
     * What a netdev type QEMU 7.2 has on Linux (qapi/net.json's NetClientDriver) and vnet4j not is told; null for
     * any other type.
     */
    private static String missingType(String type) {
        return switch (type) {
            case "nic" -> GUEST_SIDE;
            case "hubport" -> "netdev type 'hubport' is not available in this version of vnet4j: each netdev takes hubid=N"
                    + " itself (-netdev TYPE,id=ID,hubid=N,...), the hub it is a port of";
            case "bridge", "l2tpv3", "netmap", "vhost-vdpa", "none" -> "netdev type '" + type + "' is not available in this"
                    + " version of vnet4j (available: " + String.join(", ", TYPE_NAMES) + ")";
            default -> null;
        };
    }

    /**
     * Parses an option's text; when it cannot be read but begins with a type vnet4j lacks, says that instead, so that
     * QEMU's manual's {@code -netdev l2tpv3,...,udp,...} is not first told to write {@code udp=on} and then that
     * l2tpv3 is not available.
     */
    private static OptionString parseNamingAMissingType(String option, String text) throws ConfigException {
        try {
            return OptionString.parse(option, text);
        } catch (ConfigException e) {
            String first = text.split(",", 2)[0];
            String missing = missingType(first.startsWith("type=") ? first.substring("type=".length()) : first);
            if (missing != null) {
                throw new ConfigException(option + " " + text, missing);
            }
            throw e;
        }
    }
}
