package io.vnet4j.http;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.MacTable;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.fabric.PortCounters;
import io.vnet4j.port.vxlan.VxlanNetdev;
import io.vnet4j.usernet.UsernetCounts;
import io.vnet4j.usernet.UsernetNetdev;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The network's numbers as Prometheus metrics, read at each scrape from the counters the ports, hubs and
 * user networks keep anyway (nothing is counted twice, nothing is added to the frame path). Names follow
 * Prometheus's conventions: {@code vnet4j_} prefix, {@code _total} on counters (the client's text writer
 * appends it), {@code _bytes} for byte counts; labels {@code hub} (QEMU's hub id), {@code netdev} and
 * {@code port} (a listening netdev has a port per connection, {@code qemu.1}). A user network's numbers are
 * read on its own loop, as {@code info usernet} reads them.
 */
final class NetworkCollector implements MultiCollector {
    private final Supplier<List<Netdev>> netdevs;

    NetworkCollector(Supplier<List<Netdev>> netdevs) {
        this.netdevs = netdevs;
    }

    /** One metric family being filled: its name, help, kind and data points. */
    private static final class Family {
        final String name;
        final String help;
        final boolean counter;
        final List<Object> points = new ArrayList<>();

        Family(String name, boolean counter, String help) {
            this.name = name;
            this.counter = counter;
            this.help = help;
        }

        void add(double value, Labels labels) {
            points.add(counter ? CounterDataPointSnapshot.builder().value(value).labels(labels).build()
                    : GaugeDataPointSnapshot.builder().value(value).labels(labels).build());
        }

        MetricSnapshot build() {
            if (counter) {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
                points.forEach(p -> b.dataPoint((CounterDataPointSnapshot) p));
                return b.build();
            }
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
            points.forEach(p -> b.dataPoint((GaugeDataPointSnapshot) p));
            return b.build();
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    private Family counter(String name, String help) {
        return families.computeIfAbsent(name, n -> new Family(n, true, help));
    }

    private Family gauge(String name, String help) {
        return families.computeIfAbsent(name, n -> new Family(n, false, help));
    }

    @Override
    public synchronized MetricSnapshots collect() {
        families.clear();
        Family rxFrames = counter("vnet4j_port_rx_frames", "Frames a port took in from its peer and gave its hub.");
        Family rxBytes = counter("vnet4j_port_rx_bytes", "Bytes of the frames a port took in from its peer.");
        Family txFrames = counter("vnet4j_port_tx_frames", "Frames a port sent to its peer.");
        Family txBytes = counter("vnet4j_port_tx_bytes", "Bytes of the frames a port sent to its peer.");
        Family dropped = counter("vnet4j_port_dropped_frames", "Frames lost at a port: direction=tx, to its peer "
                + "(its send queue full, or the peer refused); direction=rx, from its peer (malformed, or of a VLAN "
                + "the port does not carry).");
        Family queued = gauge("vnet4j_port_queue_bytes", "Bytes waiting in a port's send queue.");
        Family up = gauge("vnet4j_port_up", "1 when a port's link is up (its peer connected and ready), else 0.");
        Map<Hub, List<Port>> hubs = new IdentityHashMap<>();
        Set<String> udpPortsSeen = new HashSet<>();
        for (Netdev n : netdevs.get()) {
            String hub = Integer.toString(n.hub().id());
            hubs.computeIfAbsent(n.hub(), h -> new ArrayList<>());
            for (Port p : n.ports()) {
                hubs.get(n.hub()).add(p);
                Labels labels = Labels.of("hub", hub, "netdev", n.id(), "port", p.id());
                PortCounters.Snapshot c = p.counters().snapshot();
                rxFrames.add(c.rxFrames(), labels);
                rxBytes.add(c.rxBytes(), labels);
                txFrames.add(c.txFrames(), labels);
                txBytes.add(c.txBytes(), labels);
                dropped.add(c.txDropped(), labels.add("direction", "tx"));
                dropped.add(c.rxErrors(), labels.add("direction", "rx"));
                queued.add(p.queuedBytes(), labels);
                up.add(p.linkUp() ? 1 : 0, labels);
            }
            if (n instanceof UsernetNetdev user) {
                usernet(user, Labels.of("hub", hub, "netdev", n.id()));
            }
            if (n instanceof VxlanNetdev vxlan) {
                vxlan(vxlan, Labels.of("hub", hub, "netdev", n.id()), udpPortsSeen);
            }
        }
        hubs.forEach(this::hub);
        return new MetricSnapshots(families.values().stream().map(Family::build).toList());
    }

    private void hub(Hub hub, List<Port> ports) {
        Labels labels = Labels.of("hub", Integer.toString(hub.id()));
        gauge("vnet4j_hub_ports", "Ports on a hub now.").add(ports.size(), labels);
        counter("vnet4j_hub_duplicate_mac_frames", "Frames a port sent from a MAC address that another port of the "
                + "hub sends from (two VMs with one MAC).").add(hub.duplicateMacs(), labels);
        MacTable<Port> table = hub.macTable();
        if (table == null) {
            return;
        }
        Labels sw = labels.add("switch", hub.switchId());
        MacTable.Counters c = table.counters();
        gauge("vnet4j_switch_macs", "MAC addresses a learning switch knows now.").add(table.entries().size(), sw);
        counter("vnet4j_switch_learned_macs", "MAC addresses a switch learnt.").add(c.learned(), sw);
        counter("vnet4j_switch_moved_macs", "Times a known MAC address showed up on another port.").add(c.moved(), sw);
        counter("vnet4j_switch_aged_macs", "MAC addresses forgotten after the aging time.").add(c.aged(), sw);
        Family refused = counter("vnet4j_switch_refused_macs", "New MAC addresses not learnt: reason=table_full "
                + "(max-macs) or port_full (max-macs-per-port).");
        refused.add(c.refusedTableFull(), sw.add("reason", "table_full"));
        refused.add(c.refusedPortFull(), sw.add("reason", "port_full"));
        counter("vnet4j_switch_filtered_frames", "Unicast frames dropped because their MAC is behind the port they "
                + "came from.").add(hub.filtered(), sw);
        counter("vnet4j_switch_invalid_source_frames", "Frames dropped because their source MAC was a group or the zero "
                + "address.").add(hub.invalidSources(), sw);
        counter("vnet4j_switch_reserved_destination_frames", "Frames not relayed because they went to a reserved group "
                + "address, 01:80:C2:00:00:01 to :0F (pause, LACP, 802.1X, LLDP).").add(hub.reservedDestinations(), sw);
    }

    /** A vxlan netdev's counters; those of its UDP port once per port and family (several VNIs share one). */
    private void vxlan(VxlanNetdev vxlan, Labels labels, Set<String> udpPortsSeen) {
        VxlanNetdev.Counts c = vxlan.counts();
        counter("vnet4j_vxlan_joined_segments", "TCP segments a vxlan netdev received and joined to the one before "
                + "(software GRO).").add(c.segmentsJoined(), labels);
        if (c.learntMacs() >= 0) {
            gauge("vnet4j_vxlan_learnt_macs", "Inner MAC addresses a vxlan netdev with several remotes or a group has "
                    + "learnt behind a remote VTEP.").add(c.learntMacs(), labels);
            counter("vnet4j_vxlan_refused_vteps", "Remote VTEPs not learnt: over the netdev's limit.").add(c.remotesRefused(),
                    labels);
        }
        String family = c.ipv6() ? "ipv6" : "ipv4";
        if (udpPortsSeen.add(c.dstport() + " " + family)) {
            Labels port = Labels.of("dstport", Integer.toString(c.dstport()), "family", family);
            Family dropped = counter("vnet4j_vxlan_dropped_datagrams", "VXLAN datagrams dropped on a UDP port (shared "
                    + "by its vxlan netdevs): reason=other_vni (no vxlan netdev serves the VNI), malformed (no I flag, "
                    + "too short), kernel (the socket's receive queue full, or a bad UDP checksum).");
            dropped.add(c.otherVni(), port.add("reason", "other_vni"));
            dropped.add(c.malformed(), port.add("reason", "malformed"));
            dropped.add(c.kernelDrops(), port.add("reason", "kernel"));
        }
    }

    private void usernet(UsernetNetdev user, Labels labels) {
        UsernetCounts c = user.counts();
        if (c == null) {
            return;
        }
        Family flows = gauge("vnet4j_usernet_nat_flows", "NAT'd flows of a user network now: protocol=tcp "
                + "(connections), udp (one per guest address and port).");
        flows.add(c.tcpConnections(), labels.add("protocol", "tcp"));
        flows.add(c.udpFlows(), labels.add("protocol", "udp"));
        Family resent = counter("vnet4j_usernet_tcp_resent_segments", "TCP segments a user network sent to its guests "
                + "again to repair a loss: after=ack (duplicate or partial ACKs: one round trip lost), timeout (an RTO: "
                + "200 ms or more lost).");
        resent.add(c.tcpResent() - c.tcpResentAtTimeout(), labels.add("after", "ack"));
        resent.add(c.tcpResentAtTimeout(), labels.add("after", "timeout"));
        gauge("vnet4j_usernet_leases", "DHCP leases of a user network not expired.").add(c.leases(), labels);
        Family dns = counter("vnet4j_usernet_dns_queries", "DNS queries to a user network's resolver address: "
                + "outcome=forwarded (to the host's resolver), answered (here: the guests' names), refused (REFUSED, "
                + "SERVFAIL or dropped).");
        dns.add(c.dnsForwarded(), labels.add("outcome", "forwarded"));
        dns.add(c.dnsAnswered(), labels.add("outcome", "answered"));
        dns.add(c.dnsRefused(), labels.add("outcome", "refused"));
        counter("vnet4j_usernet_dns_upstream_changes", "Times a user network's DNS queries moved on to its next "
                + "upstream resolver, the one in use having refused a query or left one unanswered for 2 s.")
                .add(c.dnsUpstreamChanges(), labels);
        Family tftp = counter("vnet4j_usernet_tftp_transfers", "TFTP transfers: outcome=completed, or failed "
                + "(refused, expired, aborted).");
        tftp.add(c.tftpCompleted(), labels.add("outcome", "completed"));
        tftp.add(c.tftpFailed(), labels.add("outcome", "failed"));
        if (c.leaseFileWrites() >= 0) {
            Family writes = counter("vnet4j_usernet_leasefile_writes", "Writes of a user network's lease file "
                    + "(leasefile=): outcome=written, or failed (the bindings kept in memory, the write tried again at "
                    + "the next change).");
            writes.add(c.leaseFileWrites(), labels.add("outcome", "written"));
            writes.add(c.leaseFileWriteFailures(), labels.add("outcome", "failed"));
        }
        Family bad = counter("vnet4j_usernet_dropped_frames", "Frames and datagrams a user network did not handle, "
                + "by cause (see info network).");
        c.dropped().forEach((cause, n) -> bad.add(n, labels.add("cause", cause)));
    }
}
