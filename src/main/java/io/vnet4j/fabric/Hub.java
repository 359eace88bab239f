package io.vnet4j.fabric;

import io.vnet4j.base.InternalErrors;
import io.vnet4j.base.Log;
import io.vnet4j.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A hub, QEMU's "VLAN": a frame that enters on one port leaves on every other port.
 *
 * <p>Theory of operation: {@link #forward} runs on the thread of the port that received the frame, and
 * may run on several such threads at once. It reads a copy-on-write array of ports, so attaching and
 * detaching never lock the forwarding path, and it calls {@link Port#transmit} on each other port, which
 * only copies the frame into that port's bounded queue (or drops it). A slow or stuck port therefore fills
 * its own queue and loses its own frames; it never stalls the hub or the other ports. Nothing is allocated
 * per frame. A large TCP segment (from a TAP with offloads, or the user network) goes whole to ports that
 * take it (the user network, TAPs with offloads) and is cut to its original segment size for the others.
 * Taps on the hub ({@code -net dump}) see every frame that enters, switched or flooded.
 */
public final class Hub {
    private static final Port[] NO_PORTS = {};
    private static final FrameTap[] NO_TAPS = {};

    /** MACs warned about; a bound keeps a flood of forged sources from growing it. */
    private static final int MAX_WARNED_MACS = 1024;

    private final int id;
    private volatile Port[] ports = NO_PORTS;
    /**
     * The ports that take large segments ({@link Port#takesLargeSegments}; a port whose answer changes says
     * so, {@link #offloadsChanged}), for
     * {@link #anotherPortTakesLargeSegments}: asked on every pass of a user network's loop, which would
     * otherwise call each port's method, a call whose receivers C2 compiles as the warm-up saw them (a TAP's),
     * so that a hub of other ports (a VM's) threw the loop's code away at its first frames (class_check).
     */
    private volatile Port[] largeSegmentPorts = NO_PORTS;
    private final Set<Long> warnedMacs = new HashSet<>();
    private final AtomicLong duplicateMacs = new AtomicLong();
    private volatile FrameTap[] taps = NO_TAPS;
    private volatile MacTable<Port> macTable;
    private volatile String switchId;
    private final AtomicLong filtered = new AtomicLong();
    private final AtomicLong invalidSources = new AtomicLong();
    private final AtomicLong reservedDestinations = new AtomicLong();
    private static final int ETHERNET_HEADER = 14;
    /** 01:80:C2:00:00:00, the first of the 802.1D reserved group addresses (IEEE 802.1Q-2018 Table 8-1). */
    private static final long RESERVED_GROUP = 0x0180_C200_0000L;
    /**
     * Frames a port threw on instead of taking (a bug of that port): dropped for it alone, so that the
     * sender's reader, and the other ports, go on.
     */
    private final InternalErrors internalErrors;
    /** Where {@link #describeStation} finds a MAC's lease: the user networks on this hub. */
    private final List<LongFunction<String>> leaseBooks = new CopyOnWriteArrayList<>();
    /** Told of stations that left: the user networks on this hub, which let go of what they held for them. */
    private final List<DepartureListener> departureListeners = new CopyOnWriteArrayList<>();
    /** Set while the process stops: its ports leave, but nothing need let go of anything for their stations. */
    private volatile boolean stopping;

    /**
     * Told of each station that left the hub: a MAC (48 bits in a long) last seen behind a port that left it or
     * whose peer went away (a VM that quit), and seen behind no other port now ({@link #stationPresent}). Called
     * on the thread that detached the port, under the hub's monitor: a listener only hands the news on. The
     * station may come back (a VM whose connection dropped and was made again): a listener that lets go of
     * something asks {@link #stationPresent}, and {@code port}'s state, again before it does.
     */
    @FunctionalInterface
    public interface DepartureListener {
        void left(long mac, Port port);
    }

    public Hub(int id) {
        this.id = id;
        this.internalErrors = new InternalErrors("hub " + id);
    }

    /**
     * Makes this hub a learning switch named {@code name} (the {@code -object switch,id=} name) with
     * {@code table}; ports may already be attached.
     */
    public void learn(String name, MacTable<Port> table) {
        switchId = name;
        macTable = table;
    }

    /** Adds where {@link #describeStation} looks up a MAC's lease ("lease 10.0.2.15 (alpha)", or null). */
    public void addLeaseBook(LongFunction<String> leaseOf) {
        leaseBooks.add(leaseOf);
    }

    public void removeLeaseBook(LongFunction<String> leaseOf) {
        leaseBooks.remove(leaseOf);
    }

    public void addDepartureListener(DepartureListener listener) {
        departureListeners.add(listener);
    }

    public void removeDepartureListener(DepartureListener listener) {
        departureListeners.remove(listener);
    }

    /**
     * The process is stopping: ports that leave from now on are not told as departures, and frames are no
     * longer forwarded (a hub looped into itself would keep its ports' threads flooding while they close).
     */
    public void stopping() {
        stopping = true;
    }

    /**
     * A station for log lines: its MAC ({@code 52:54:00:12:34:56}) and, once a user network on this hub
     * leased it an address, {@code , lease 10.0.2.15 (alpha)}; null for {@code mac} -1 (nothing seen).
     */
    public String describeStation(long mac) {
        if (mac < 0) {
            return null;
        }
        for (LongFunction<String> book : leaseBooks) {
            String lease = book.apply(mac);
            if (lease != null) {
                return MacAddress.format(mac) + ", " + lease;
            }
        }
        return MacAddress.format(mac);
    }

    /** The id of the port whose last frame came from {@code mac}; null when none (see also {@link #stationPresent}). */
    public String portSendingFrom(long mac) {
        Port p = sendingFrom(ports, mac);
        return p == null ? null : p.id();
    }

    /** The switch's table; null for a hub, which floods every frame. */
    public MacTable<Port> macTable() {
        return macTable;
    }

    /** The switch's name ({@code -object switch,id=}); null for a hub. */
    public String switchId() {
        return switchId;
    }

    /** Frames a switch dropped because their destination sits behind the port they came in on. */
    public long filtered() {
        return filtered.get();
    }

    /** Frames a switch dropped because their source was no station's: a group or the zero address (IEEE 802.3 3.2.3). */
    public long invalidSources() {
        return invalidSources.get();
    }

    /**
     * Frames a switch did not relay because they went to a reserved group address, 01:80:C2:00:00:01 to
     * :0F (pause, LACP, 802.1X, LLDP...; IEEE 802.1Q-2018 8.6.3, Linux's bridge without group_fwd_mask).
     * :00, spanning tree's, passes: the switch runs no spanning tree, as a Linux bridge with STP off.
     */
    public long reservedDestinations() {
        return reservedDestinations.get();
    }

    /** Exceptions a port's send threw, each a bug (counted and said, the frame dropped for that port). */
    long internalErrors() {
        return internalErrors.count();
    }

    /** The hub number, QEMU's hubid (vlan=N in the legacy syntax). */
    public int id() {
        return id;
    }

    public synchronized void attach(Port port) {
        if (port.attachedHub() != null) {
            throw new IllegalStateException("port " + port.id() + " is already on hub " + port.attachedHub().id());
        }
        Port[] grown = Arrays.copyOf(ports, ports.length + 1);
        grown[ports.length] = port;
        port.attached(this);
        ports = grown;
        largeSegmentPorts = takingLargeSegments(grown);
    }

    private static Port[] takingLargeSegments(Port[] ports) {
        return Arrays.stream(ports).filter(Port::takesLargeSegments).toArray(Port[]::new);
    }

    /** A port's {@link Port#takesLargeSegments} answer changed (a vhost-user guest's driver agreed to offloads). */
    public synchronized void offloadsChanged() {
        largeSegmentPorts = takingLargeSegments(ports);
    }

    public synchronized void detach(Port port) {
        Port[] current = ports;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == port) {
                Port[] shrunk = new Port[current.length - 1];
                System.arraycopy(current, 0, shrunk, 0, i);
                System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                ports = shrunk;
                largeSegmentPorts = takingLargeSegments(shrunk);
                port.attached(null);
                tellDepartures(port, shrunk);
                MacTable<Port> table = macTable;
                if (table != null) {
                    table.forget(port);
                }
                return;
            }
        }
    }

    /**
     * The peer behind {@code port} went away and the port stays, waiting for the next (a connecting stream
     * netdev's): its stations left as if the port had ({@link DepartureListener}), and the port starts afresh.
     */
    public synchronized void peerLeft(Port port) {
        if (port.attachedHub() != this) {
            return;
        }
        tellDepartures(port, Arrays.stream(ports).filter(p -> p != port).toArray(Port[]::new));
        MacTable<Port> table = macTable;
        if (table != null) {
            table.forget(port);
        }
        port.forgetSourceMac();
    }

    /**
     * Tells the listeners of each station seen behind {@code port} (its last source MAC, and the addresses a
     * switch learnt there) that is not seen behind any of {@code others}: the ones that left with it.
     */
    private void tellDepartures(Port port, Port[] others) {
        if (departureListeners.isEmpty() || stopping) {
            return;
        }
        MacTable<Port> table = macTable;
        long[] learnt = table == null ? new long[0] : table.macsOf(port);
        java.util.stream.LongStream.concat(java.util.stream.LongStream.of(port.lastSourceMac()), Arrays.stream(learnt))
                .filter(mac -> mac > 0 && !MacAddress.isMulticast(mac))
                .filter(mac -> sendingFrom(others, mac) == null && (table == null || !table.knowsElsewhere(mac, port)))
                .distinct()
                .forEach(mac -> tellDeparture(mac, port));
    }

    private void tellDeparture(long mac, Port port) {
        for (DepartureListener listener : departureListeners) {
            try {
                listener.left(mac, port);
            } catch (RuntimeException e) { // a bug of the listener's: the port still leaves, the others are told
                internalErrors.record("a station's departure was not told", e);
            }
        }
    }

    /** The first of {@code ports} whose last frame came from {@code mac}; null when none. */
    private static Port sendingFrom(Port[] ports, long mac) {
        for (Port p : ports) {
            if (p.lastSourceMac() == mac) {
                return p;
            }
        }
        return null;
    }

    /**
     * Whether {@code mac} is behind a port of this hub now: the last source of one, or (on a switch) live in
     * its table in any VLAN.
     */
    public boolean stationPresent(long mac) {
        MacTable<Port> table = macTable;
        return sendingFrom(ports, mac) != null || table != null && table.knowsElsewhere(mac, null);
    }

    /** True when a port other than {@code except} takes large TCP segments whole. */
    public boolean anotherPortTakesLargeSegments(Port except) {
        for (Port port : largeSegmentPorts) {
            if (port != except) {
                return true;
            }
        }
        return false;
    }

    /** Adds a tap that sees every frame entering the hub, from any port. */
    public synchronized void addTap(FrameTap tap) {
        FrameTap[] grown = Arrays.copyOf(taps, taps.length + 1);
        grown[taps.length] = tap;
        taps = grown;
    }

    /** Removes a tap {@link #addTap} added; frames in flight may still reach it once. */
    public synchronized void removeTap(FrameTap tap) {
        taps = Arrays.stream(taps).filter(t -> t != tap).toArray(FrameTap[]::new);
    }

    public List<Port> ports() {
        return List.of(ports);
    }

    /**
     * Called when a port delivers a frame from another source MAC than its last one (rare: a port sends
     * from its one guest's MAC). When another port of this hub sent its last frame from that MAC too, two
     * live guests share it (two VMs started with QEMU's default 52:54:00:12:34:56, say) and at most one of
     * them works: counted (see {@link #duplicateMacs()}) and warned about once per MAC.
     */
    void sourceMacChanged(Port from, long mac) {
        if (MacAddress.isMulticast(mac) || mac == 0) {
            return; // a group or zero address is no guest's own
        }
        for (Port other : ports) {
            if (other != from && other.lastSourceMac() == mac) {
                duplicateMacs.incrementAndGet();
                boolean first;
                synchronized (warnedMacs) {
                    first = warnedMacs.size() < MAX_WARNED_MACS && warnedMacs.add(mac);
                }
                if (first) {
                    Log.warn("hub " + id + ": ports " + other.id() + " and " + from.id() + " both send from "
                            + MacAddress.format(mac) + "; only one of them can work: give each VM its own MAC "
                            + "(QEMU: -device virtio-net-pci,netdev=n0,mac=52:54:00:xx:xx:xx), or, when " + from.id()
                            + " leads back into this hub (a plug into its own switch, a connection to its own listener, a "
                            + "tunnel to itself), remove it: the hub is looped and floods its frames round for ever");
                }
                return;
            }
        }
    }

    /** How often a port took up a source MAC that another live port of this hub was sending from. */
    public long duplicateMacs() {
        return duplicateMacs.get();
    }

    /** Sends a frame that entered through {@code from} out of every other port. */
    public void forward(Port from, ByteBuffer frame, int offset, int length) {
        forward(from, frame, offset, length, 0);
    }

    /**
     * Sends a frame out of every other port; a large TCP segment ({@code segmentSize} > 0, see
     * {@link Port#deliver(ByteBuffer, int, int, int)}) goes whole to the ports that take such segments and is
     * cut into segments of that many payload bytes, checksums completed, for the others.
     */
    public void forward(Port from, ByteBuffer frame, int offset, int length, int segmentSize) {
        if (stopping) {
            return;
        }
        for (FrameTap tap : taps) {
            tap.frame(frame, offset, length);
        }
        VlanMembership in = from.vlans();
        int vlan = in.classify(frame, offset, length);
        boolean tagged = in.arrivesTagged(frame, offset, length);
        if (vlan == VlanMembership.DROP) {
            from.counters().countRxError();
            return;
        }
        MacTable<Port> table = macTable;
        if (table != null) {
            if (length < ETHERNET_HEADER) { // no EtherType: no Ethernet frame, as a Linux bridge never sees one
                from.counters().countRxError();
                return;
            }
            long source = MacAddress.read(frame, offset + 6);
            long destination = MacAddress.read(frame, offset);
            if (MacAddress.isMulticast(source) || source == 0) {
                invalidSources.incrementAndGet();
                return;
            }
            if ((destination & ~0xFL) == RESERVED_GROUP && destination != RESERVED_GROUP) {
                reservedDestinations.incrementAndGet();
                return;
            }
            Port to = table.learnAndFind(from, vlan, source, destination);
            if (to == from) {
                filtered.incrementAndGet();
                return;
            }
            if (to != null && to.attachedHub() == this) {
                send(to, frame, offset, length, segmentSize, vlan, tagged);
                return;
            }
        }
        for (Port port : ports) {
            if (port != from) {
                send(port, frame, offset, length, segmentSize, vlan, tagged);
            }
        }
    }

    /**
     * Sends a frame of VLAN {@code vlan}, {@code tagged} as it entered, out of {@code port} if it carries that
     * VLAN; one the port throws on is counted as its drop and said ({@link #internalErrors}).
     */
    private void send(Port port, ByteBuffer frame, int offset, int length, int segmentSize, int vlan, boolean tagged) {
        VlanMembership out = port.vlans();
        if (!out.carries(vlan)) {
            return;
        }
        try {
            if (out.tagged() != tagged) {
                Egress.forThisThread().retag(port, frame, offset, length, segmentSize, vlan, out.tagged());
            } else if (tagged && VlanMembership.vid(frame, offset) != vlan) { // a priority tag (VID 0) leaving on a trunk
                Egress.forThisThread().transmitWithVid(port, frame, offset, length, segmentSize, vlan);
            } else if (segmentSize > 0 && !port.takesLargeSegments()) {
                Egress.forThisThread().cut(port, frame, offset, length, segmentSize);
            } else {
                port.transmit(frame, offset, length, segmentSize);
            }
        } catch (RuntimeException e) {
            port.counters().countTxDrop();
            internalErrors.record("a frame to port " + port.id() + " was dropped", e);
        }
    }
}
