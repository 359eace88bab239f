package io.vnet4j.control;

import io.vnet4j.base.Log;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.MacTable;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.fabric.PortCounters;
import io.vnet4j.fabric.VlanMembership;
import io.vnet4j.wire.MacAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code query-network} returns and {@code info network} prints: the hubs, the netdevs on each and
 * their ports with peers and counters. The text follows QEMU's HMP layout ({@code hub 0}, then one
 * {@code  \ NAME: ...} line per netdev or connection).
 */
public final class NetworkReport {
    private NetworkReport() {}

    /** The structured form: a list of hubs, each with its netdevs and their ports. */
    public static List<Object> query(List<Netdev> netdevs) {
        Map<Integer, List<Object>> byHub = new TreeMap<>();
        Map<Integer, Hub> hubsById = new TreeMap<>();
        for (Netdev n : netdevs) {
            hubsById.put(n.hub().id(), n.hub());
            List<Object> ports = new ArrayList<>();
            for (Port p : n.ports()) {
                Map<String, Object> port = new LinkedHashMap<>();
                port.put("id", p.id());
                port.put("link", p.linkUp() ? "up" : "down");
                port.put("link-down", p.linkDown());
                port.put("info", p.describe());
                if (p.vlans() != VlanMembership.NONE) {
                    port.put("vlan", p.vlans().describe());
                }
                PortCounters.Snapshot c = p.counters().snapshot();
                port.put("rx-frames", c.rxFrames());
                port.put("rx-bytes", c.rxBytes());
                port.put("tx-frames", c.txFrames());
                port.put("tx-bytes", c.txBytes());
                port.put("tx-dropped", c.txDropped());
                port.put("rx-errors", c.rxErrors());
                ports.add(port);
            }
            Map<String, Object> netdev = new LinkedHashMap<>();
            netdev.put("id", n.id());
            netdev.put("type", n.type());
            netdev.put("info", n.describe());
            if (n.vlans() != VlanMembership.NONE) { // also before any port comes: a listener's, a switch's
                netdev.put("vlan", n.vlans().describe());
            }
            netdev.put("link-down", n.linkDown());
            netdev.put("ports", ports);
            List<String> details = n.details();
            if (!details.isEmpty()) {
                netdev.put("details", details);
            }
            Map<String, Object> state = n.state();
            if (!state.isEmpty()) {
                netdev.put("state", state);
            }
            byHub.computeIfAbsent(n.hub().id(), k -> new ArrayList<>()).add(netdev);
        }
        List<Object> hubs = new ArrayList<>();
        byHub.forEach((id, list) -> {
            Map<String, Object> hub = new LinkedHashMap<>();
            hub.put("hub", id);
            hub.put("duplicate-macs", hubsById.get(id).duplicateMacs());
            Map<String, Object> learning = switchState(hubsById.get(id));
            if (learning != null) {
                hub.put("switch", learning);
            }
            hub.put("netdevs", list);
            hubs.add(hub);
        });
        return hubs;
    }

    /** A switch's settings, counters and table; null for a hub. */
    private static Map<String, Object> switchState(Hub hub) {
        MacTable<Port> table = hub.macTable();
        if (table == null) {
            return null;
        }
        List<MacTable.Entry<Port>> entries = new ArrayList<>(table.entries());
        entries.sort(Comparator.comparing((MacTable.Entry<Port> e) -> e.port().id()).thenComparingInt(MacTable.Entry<Port>::vlan)
                .thenComparingLong(MacTable.Entry<Port>::mac));
        List<Object> macs = new ArrayList<>();
        for (MacTable.Entry<Port> e : entries) {
            Map<String, Object> mac = new LinkedHashMap<>();
            mac.put("mac", MacAddress.format(e.mac()));
            mac.put("port", e.port().id());
            mac.put("age-ms", e.ageNanos() / 1_000_000);
            if (e.vlan() != 0) {
                mac.put("vlan", e.vlan());
            }
            macs.add(mac);
        }
        MacTable.Counters c = table.counters();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("id", hub.switchId());
        state.put("aging", table.agingSeconds());
        state.put("max-macs", table.maxMacs());
        state.put("max-macs-per-port", table.maxMacsPerPort());
        state.put("learned", c.learned());
        state.put("moved", c.moved());
        state.put("aged", c.aged());
        state.put("refused-table-full", c.refusedTableFull());
        state.put("refused-port-full", c.refusedPortFull());
        state.put("filtered", hub.filtered());
        state.put("invalid-source", hub.invalidSources());
        state.put("reserved-destination", hub.reservedDestinations());
        state.put("mac-table", macs);
        return state;
    }

    /**
     * {@code info mac-table}: per switch, its settings and counters, then one line per learnt MAC (port,
     * seconds since it was last seen), from the structured form.
     */
    @SuppressWarnings("unchecked")
    public static String macTableText(List<Object> hubs) {
        StringBuilder sb = new StringBuilder();
        for (Object h : hubs) {
            Map<String, Object> hub = (Map<String, Object>) h;
            if (!(hub.get("switch") instanceof Map<?, ?> sw)) {
                sb.append("hub ").append(hub.get("hub")).append(": a hub (every frame to every port), no table\n");
                continue;
            }
            List<Object> macs = (List<Object>) sw.get("mac-table");
            sb.append("hub ").append(hub.get("hub")).append(": switch ").append(sw.get("id")).append(", ")
                    .append(macs(macs.size())).append(" of at most ").append(sw.get("max-macs")).append(" (")
                    .append(sw.get("max-macs-per-port")).append(" per port), aging ").append(sw.get("aging"))
                    .append(" s\n    learnt ").append(sw.get("learned")).append(", moved ").append(sw.get("moved"))
                    .append(", aged ").append(sw.get("aged")).append(", not learnt: table full ")
                    .append(sw.get("refused-table-full")).append(", port full ").append(sw.get("refused-port-full"))
                    .append("; dropped as sent back to their own port ").append(sw.get("filtered"))
                    .append(", from no station's MAC ").append(sw.get("invalid-source"))
                    .append(", to 802.1D reserved addresses ").append(sw.get("reserved-destination")).append('\n');
            for (Object m : macs) {
                Map<String, Object> mac = (Map<String, Object>) m;
                sb.append(String.format("  %s  port %-16s age %d s%s%n", mac.get("mac"), mac.get("port"),
                        ((Number) mac.get("age-ms")).longValue() / 1000, mac.get("vlan") == null ? "" : "  vlan " + mac.get("vlan")));
            }
        }
        return sb.toString();
    }

    private static String macs(int n) {
        return n == 1 ? "1 MAC" : n + " MACs";
    }

    /**
     * The HMP text, from the structured form (so a client can render what a server sent). The settings and
     * detail lines carry what guests and peers chose (a DHCP hostname, a peer's socket path): each goes
     * through {@link Log#printable}, so none can end its line early or reach the operator's terminal as a
     * control sequence.
     */
    @SuppressWarnings("unchecked")
    public static String text(List<Object> hubs) {
        StringBuilder sb = new StringBuilder();
        for (Object h : hubs) {
            Map<String, Object> hub = (Map<String, Object>) h;
            sb.append("hub ").append(hub.get("hub"));
            if (hub.get("switch") instanceof Map<?, ?> sw) {
                sb.append(" (switch ").append(sw.get("id")).append(": ")
                        .append(macs(((List<?>) sw.get("mac-table")).size())).append(" learnt; info mac-table)");
            }
            if (hub.get("duplicate-macs") instanceof Number n && n.longValue() > 0) {
                sb.append(" (a port sent from a MAC that another port sends from: ").append(n).append(n.longValue() == 1 ? " time)" : " times)");
            }
            sb.append('\n');
            for (Object n : (List<Object>) hub.get("netdevs")) {
                Map<String, Object> netdev = (Map<String, Object>) n;
                List<Object> ports = (List<Object>) netdev.get("ports");
                boolean single = ports.size() == 1 && netdev.get("id").equals(((Map<String, Object>) ports.getFirst()).get("id"));
                if (!single) {
                    sb.append(" \\ ").append(netdev.get("id")).append(": type=").append(netdev.get("type"))
                            .append(',').append(Log.printable((String) netdev.get("info")))
                            .append(netdev.get("vlan") == null ? "" : ", " + netdev.get("vlan"))
                            .append(Boolean.TRUE.equals(netdev.get("link-down")) ? " (set_link off)" : "").append('\n');
                }
                for (Object p : ports) {
                    Map<String, Object> port = (Map<String, Object>) p;
                    sb.append(single ? " \\ " : "    \\ ").append(port.get("id")).append(": type=")
                            .append(netdev.get("type")).append(',').append(Log.printable((String) port.get("info")))
                            .append(port.get("vlan") == null ? "" : "," + port.get("vlan")).append(",link=").append(port.get("link"))
                            .append(Boolean.TRUE.equals(port.get("link-down")) ? " (set_link off)" : "").append('\n');
                    sb.append(single ? "     " : "        ")
                            .append("rx ").append(port.get("rx-frames")).append(" frames ").append(port.get("rx-bytes"))
                            .append(" bytes, tx ").append(port.get("tx-frames")).append(" frames ")
                            .append(port.get("tx-bytes")).append(" bytes, dropped ").append(port.get("tx-dropped"))
                            .append(", errors ").append(port.get("rx-errors")).append('\n');
                }
                if (netdev.get("details") instanceof List<?> details) {
                    for (Object line : details) {
                        sb.append("     ").append(Log.printable((String) line)).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }
}
