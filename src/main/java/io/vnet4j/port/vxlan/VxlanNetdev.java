package io.vnet4j.port.vxlan;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.fabric.FrameQueue;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.MacTable;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.fabric.QueuedPort;
import io.vnet4j.os.DatagramBatch;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.InterfaceQuery;
import io.vnet4j.os.LinkWatch;
import io.vnet4j.os.Sysctl;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.VxlanHeader;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A VXLAN tunnel endpoint (RFC 7348) as a port: {@code -netdev vxlan}. Frames the hub sends it leave as UDP
 * datagrams (the 8-byte VXLAN header with our VNI, then the Ethernet frame) to the remote VTEPs; datagrams
 * of our VNI that arrive on the VXLAN port enter the hub as the frames they carry.
 *
 * <p>Theory of operation. Datagrams arrive through the {@link VxlanEndpoint} of our UDP port, shared with the
 * process's other vxlan netdevs on that port, which checks them and hands us those of our VNI; we deliver
 * the frame they carry. The writer thread takes frames from the port's queue and sends each
 * once per destination: to the remote VTEP learnt for its destination MAC, or else to every static
 * {@code remote=} (head-end replication) or to the group. Learning (flood-and-learn, as Linux's vxlan) is
 * on when there is more than one place to send to: a group, or several remotes; the reader records the
 * outer source address of each inner source MAC in a {@link MacTable} of remote VTEPs, whose bounds
 * (4,096 MACs, 1,024 per VTEP, 256 VTEPs) stop a flood of made-up sources. As Linux does, the UDP source
 * port comes from a hash of the inner flow (Ethernet addresses, IP addresses and ports), so an underlay's
 * ECMP spreads flows and keeps each in order: {@link VxlanSender} picks one of up to
 * {@value VxlanSender#SOURCE_PORTS} sockets bound at ports spread over the source port range (the
 * namespace's local port range unless {@code srcport=}; SO_REUSEADDR, as several netdevs may use one
 * range). A large TCP segment comes whole and leaves cut, in one system call per 64 datagrams (UDP GSO).
 */
public final class VxlanNetdev extends QueuedPort implements Netdev {
    private static final int MAX_REMOTES = 256;
    /** An 802.1Q tag's bytes. */
    private static final int TAG = 4;
    /**
     * The send queue's bound, as the user network's: a guest's TCP window of large segments arrives in one
     * burst, faster than datagrams leave (with 1 MiB, a 30 MB download through the NAT lost a fifth of its
     * segments here and took 29 s; the ring grows only when frames wait).
     */
    private static final int QUEUE_BYTES = 8 << 20;

    /**
     * What {@code -netdev vxlan} asked for; {@code local} null: any address; {@code srcLow} 0: the local port
     * range; {@code udp6ZeroChecksumRx}: IPv6 datagrams with a zero UDP checksum are taken.
     */
    public record Spec(int vni, InetAddress local, List<InetAddress> remotes, InetAddress group, String dev,
                       int dstport, int srcLow, int srcHigh, boolean udp6ZeroChecksumRx) {
        /** Whether the underlay is IPv6 (every address of a netdev is of one family). */
        boolean ipv6() {
            return (group != null ? group : remotes.get(0)) instanceof Inet6Address;
        }
    }

    private final Spec spec;
    private final String settings;
    private final Hub hub;
    /** Where a frame to no learnt VTEP goes: every static remote, or the group. */
    private final List<IpAddress> floodList = new ArrayList<>();
    /**
     * Remote VTEPs met so far (the static ones first), one instance each, as the learning table counts its
     * places by identity; the reader's only.
     */
    private final IpAddress[] remotes = new IpAddress[MAX_REMOTES];
    private int remoteCount;
    private final MacTable<IpAddress> learnt;
    private VxlanEndpoint endpoint;
    private VxlanSender sender;
    private Thread writer;
    /** The watch on a group's {@code dev=}, or null. */
    private LinkWatch.Subscription devWatch;
    private final AtomicLong remotesRefused = new AtomicLong();

    public VxlanNetdev(String id, String settings, Spec spec, Hub hub) {
        super(id, "vxlan", QUEUE_BYTES);
        this.spec = spec;
        this.settings = settings;
        this.hub = hub;
        boolean learning = spec.group() != null || spec.remotes().size() > 1;
        learnt = learning ? new MacTable<>(300, 4096, 1024, System::nanoTime, (mac, from, to) -> Log.info(id + ": "
                + MacAddress.format(mac) + " moved from VTEP " + from + " to " + to)) : null;
    }

    /** The hub this netdev was made for: it stays when the port is detached (see {@link #attachedHub}). */
    @Override
    public Hub hub() {
        return hub;
    }

    @Override
    public String describe() {
        return settings;
    }

    @Override
    public List<Port> ports() {
        return List.of(this);
    }

    /**
     * The counters {@link #details} prints, for metrics. {@code otherVni}, {@code malformed} and {@code kernelDrops}
     * (datagrams) are the UDP port's, shared by every vxlan netdev on it ({@code dstport}, {@code ipv6}); the rest
     * are this netdev's; {@code learntMacs} is -1 without learning (one static remote).
     */
    public record Counts(int dstport, boolean ipv6, long otherVni, long malformed, long kernelDrops,
                         long segmentsJoined, int learntMacs, long remotesRefused) {}

    /** This netdev's counters now ({@link Counts}); the port's are 0 before the start. */
    public Counts counts() {
        VxlanEndpoint e = endpoint;
        return new Counts(spec.dstport(), spec.ipv6(), e == null ? 0 : e.otherVni.get(), e == null ? 0 : e.malformed.get(),
                e == null ? 0 : Math.max(0, e.kernelDrops()), segmentsJoined(), learnt == null ? -1 : learnt.entries().size(),
                remotesRefused.get());
    }

    /** {@link #counts} for {@code query-network}: the same numbers as {@link #details}, as fields. */
    @Override
    public Map<String, Object> state() {
        Counts c = counts();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("other-vni-datagrams", c.otherVni());
        state.put("malformed-datagrams", c.malformed());
        state.put("kernel-dropped-datagrams", c.kernelDrops());
        state.put("joined-segments", c.segmentsJoined());
        if (c.learntMacs() >= 0) {
            state.put("learnt-macs", c.learntMacs());
            state.put("refused-vteps", c.remotesRefused());
        }
        return state;
    }

    @Override
    public List<String> details() {
        VxlanEndpoint e = endpoint;
        return List.of("vxlan: on UDP port " + spec.dstport() + (spec.ipv6() ? " over IPv6" : "") + ", datagrams of a VNI no vxlan netdev serves "
                + (e == null ? 0 : e.otherVni.get()) + ", malformed " + (e == null ? 0 : e.malformed.get())
                + ", dropped by the kernel (the socket's receive queue full, or a bad UDP checksum) " + (e == null ? 0 : e.kernelDrops())
                + ", TCP segments received joined to the one before " + segmentsJoined()
                + (learnt == null ? "" : "; MACs learnt behind remote VTEPs " + learnt.entries().size()
                        + ", VTEPs refused (over " + MAX_REMOTES + ") " + remotesRefused.get()));
    }

    @Override
    public void start() throws IOException {
        for (InetAddress r : spec.remotes()) {
            floodList.add(remoteOf(IpAddress.of(r)));
        }
        if (spec.group() != null) {
            floodList.add(IpAddress.of(spec.group()));
        }
        int[] range = sourcePortRange();
        int[] sourcePorts = new int[Math.min(VxlanSender.SOURCE_PORTS, range[1] - range[0] + 1)];
        for (int i = 0; i < sourcePorts.length; i++) {
            sourcePorts[i] = range[0] + (int) ((long) i * (range[1] - range[0] + 1) / sourcePorts.length);
        }
        Underlay underlay = underlay();
        int ifindex = underlay == null ? 0 : underlay.index();
        InetAddress bindAddress = spec.local() != null ? spec.local() : DatagramEndpoint.any(0, spec.ipv6()).address();
        int mtu = underlay == null ? -1 : underlay.mtu();
        int headers = (spec.ipv6() ? 40 : 20) + 8; // the outer IP and UDP headers
        sender = new VxlanSender(id(), spec.vni(), spec.dstport(), sourcePorts, bindAddress,
                spec.group() == null ? -1 : ifindex, mtu <= 0 ? Integer.MAX_VALUE : mtu - headers);
        try {
            endpoint = VxlanEndpoint.join(this, spec.vni(), spec.dstport(), spec.ipv6(), spec.group(), spec.local(), ifindex,
                    spec.udp6ZeroChecksumRx());
        } catch (IOException e) {
            throw new IOException(id() + ": " + e.getMessage(), e);
        }
        if (spec.group() != null && spec.dev() != null) {
            try {
                devWatch = LinkWatch.subscribe(spec.dev(), ifindex, this::devIndexChanged);
            } catch (IOException e) {
                endpoint.leave(this);
                throw new IOException(id() + ": " + e.getMessage(), e);
            }
        }
        Log.info(id() + ": VXLAN VNI " + spec.vni() + " to " + (spec.group() != null ? "group " + IpAddress.of(spec.group())
                : String.join(", ", floodList.stream().map(IpAddress::toString).toList()))
                + ", UDP port " + spec.dstport() + ", source ports " + range[0] + "-" + range[1] + "; " + mtuLine(underlay, mtu));
        hub.attach(this);
        writer = Thread.ofPlatform().daemon().name("vnet4j-" + id() + "-tx").start(this::writeLoop);
    }

    /**
     * The group's {@code dev=} was deleted ({@code index} 0) or is there again, with a new index: the group is
     * joined on it again, and datagrams to the group leave from it. Meanwhile nothing comes from the group and
     * what is sent to it is lost, counted. (Linux deletes a vxlan device together with its lower device; a
     * netdev here stays, as its hub and configuration do.) On the link watch's thread.
     */
    private void devIndexChanged(int index) {
        String group = IpAddress.of(spec.group()).toString();
        if (index == 0) {
            Log.warn(id() + ": dev=" + spec.dev() + " is gone: nothing comes from group " + group
                    + " until an interface of that name is there again");
        }
        try {
            endpoint.rejoin(this, spec.group(), index);
        } catch (IOException e) {
            Log.warn(id() + ": dev=" + spec.dev() + " is there again (index " + index + ") but group " + group
                    + " cannot be joined on it: " + e.getMessage() + "; netdev_del and netdev_add try again");
            return;
        }
        if (index != 0) {
            sender.multicastInterface(index);
            Log.info(id() + ": dev=" + spec.dev() + " is there again (index " + index + "): group " + group + " joined on it");
        }
    }

    /**
     * The start-up line's MTU part: inner MTU = underlay MTU - 50 over IPv4, - 70 over IPv6 (RFC 7348
     * section 4.3 asks for no fragmenting).
     */
    private String mtuLine(Underlay underlay, int mtu) {
        // a trunk's frames carry an 802.1Q tag inside the datagram: its guests' VLAN interfaces have 4 bytes less
        boolean tagged = vlans().tagged();
        int overhead = (spec.ipv6() ? VxlanHeader.IPV6_OVERHEAD : VxlanHeader.IPV4_OVERHEAD) + (tagged ? TAG : 0);
        String whose = tagged ? " for the trunk's VLAN interfaces (each frame carries an 802.1Q tag)" : "";
        if (mtu <= 0) {
            return "underlay MTU unknown (give local= or dev=): inner MTU" + whose + " = underlay MTU - " + overhead;
        }
        return "underlay " + underlay.name() + " MTU " + mtu + ": inner MTU " + (mtu - overhead) + whose
                + " (guests with a larger MTU send VXLAN packets the underlay must fragment)";
    }

    /** The underlay's interface: its name, index, and MTU (bytes; -1 when it cannot tell). */
    private record Underlay(String name, int index, int mtu) {}

    /**
     * The interface of {@code dev=} (found by name with or without addresses, as iproute2 finds it), else the
     * one holding {@code local=}; null when neither is given.
     *
     * @throws IOException when there is no such interface, or no interface has the {@code local=} address
     */
    private Underlay underlay() throws IOException {
        if (spec.dev() != null) {
            int index = InterfaceQuery.index(spec.dev());
            if (index == 0) {
                throw new IOException(id() + ": dev=" + spec.dev() + ": no such interface");
            }
            int mtu = InterfaceQuery.mtu(spec.dev());
            return new Underlay(spec.dev(), index, mtu > 0 ? mtu : -1);
        }
        if (spec.local() == null) {
            return null;
        }
        NetworkInterface nif = NetworkInterface.getByInetAddress(spec.local());
        if (nif == null) {
            throw new IOException(id() + ": local=" + IpAddress.of(spec.local()) + ": no interface of this host "
                    + "(network namespace) has that address");
        }
        int mtu;
        try {
            mtu = nif.getMTU();
        } catch (SocketException e) {
            mtu = -1;
        }
        return new Underlay(nif.getName(), nif.getIndex(), mtu);
    }

    /** srcport=LOW-HIGH, else the namespace's ip_local_port_range, as Linux's vxlan. */
    private int[] sourcePortRange() {
        if (spec.srcLow() > 0) {
            return new int[] {spec.srcLow(), spec.srcHigh()};
        }
        try {
            String[] words = Sysctl.words("net/ipv4/ip_local_port_range");
            return new int[] {Integer.parseInt(words[0]), Integer.parseInt(words[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32768, 60999};
        }
    }

    /**
     * The one instance for the VTEP at {@code address} (a static remote's, or the first seen), made on first
     * sight; null past {@value #MAX_REMOTES}.
     */
    private IpAddress remoteOf(IpAddress address) {
        for (int i = 0; i < remoteCount; i++) {
            if (remotes[i].equals(address)) {
                return remotes[i];
            }
        }
        return remember(address);
    }

    /** As {@link #remoteOf(IpAddress)} for the source of datagram {@code i} of a batch; allocates only on first sight. */
    private IpAddress remoteOf(DatagramBatch batch, int i) {
        for (int r = 0; r < remoteCount; r++) {
            if (batch.sourceIs(i, remotes[r])) {
                return remotes[r];
            }
        }
        return remember(batch.source(i));
    }

    private IpAddress remember(IpAddress address) {
        if (remoteCount == MAX_REMOTES) {
            remotesRefused.incrementAndGet();
            return null;
        }
        remotes[remoteCount++] = address;
        return address;
    }

    /** Our VNI. */
    int vni() {
        return spec.vni();
    }

    /**
     * A datagram of our VNI from the endpoint's reader: the frame of {@code frameLength} bytes at
     * {@code frameOffset}, datagram {@code i} of {@code batch} (whose source is the remote VTEP); a TCP
     * flow's segments of one batch may go on as one ({@link #deliverOfBatch}, until {@link #batchEnded}).
     */
    void received(ByteBuffer datagram, int frameOffset, int frameLength, DatagramBatch batch, int i) {
        if (learnt != null) {
            IpAddress from = remoteOf(batch, i);
            if (from != null) {
                learnt.learn(from, 0, MacAddress.read(datagram, frameOffset + 6));
            }
        }
        deliverOfBatch(datagram, frameOffset, frameLength);
    }

    /** The end of the reader's batch. */
    void batchEnded() {
        endBatch();
    }

    /** Whole: a large TCP segment is cut and sent with UDP GSO by {@link VxlanSender}. */
    @Override
    public boolean takesLargeSegments() {
        return true;
    }

    private void writeLoop() {
        FrameQueue.FrameHandler encapsulate = (ring, offset, length, segmentSize) -> {
            IpAddress to = learnt == null || length < 6 ? null : learnt.find(0, MacAddress.read(ring, offset));
            int lost = sender.send(ring, offset, length, segmentSize, to, floodList); // never throws
            for (int i = 0; i < lost; i++) {
                counters().countTxDrop(); // no route, refused by the peer's host, or uncuttable: lost, as on a wire
            }
        };
        try {
            while (queue.drainInPlace(encapsulate, queue.capacity(), 64, FrameQueue.FOREVER) >= 0) {
                // each batch handled in place
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        super.close();
        if (devWatch != null) {
            devWatch.close();
        }
        if (endpoint != null) {
            endpoint.leave(this);
        }
        if (!Shutdown.join(writer)) {
            Shutdown.leftRunning(id());
        } else if (sender != null) {
            sender.close();
        }
    }
}
