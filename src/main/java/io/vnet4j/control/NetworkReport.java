package io.vnet4j.control;

import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.fabric.PortCounters;
import java.util.ArrayList;
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
        Map<Integer, Long> duplicateMacs = new TreeMap<>();
        for (Netdev n : netdevs) {
            duplicateMacs.put(n.hub().id(), n.hub().duplicateMacs());
            List<Object> ports = new ArrayList<>();
            for (Port p : n.ports()) {
                Map<String, Object> port = new LinkedHashMap<>();
                port.put("id", p.id());
                port.put("link", p.linkUp() ? "up" : "down");
                port.put("info", p.describe());
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
            hub.put("duplicate-macs", duplicateMacs.get(id));
            hub.put("netdevs", list);
            hubs.add(hub);
        });
        return hubs;
    }

    /** The HMP text, from the structured form (so a client can render what a server sent). */
    @SuppressWarnings("unchecked")
    public static String text(List<Object> hubs) {
        StringBuilder sb = new StringBuilder();
        for (Object h : hubs) {
            Map<String, Object> hub = (Map<String, Object>) h;
            sb.append("hub ").append(hub.get("hub"));
            if (hub.get("duplicate-macs") instanceof Number n && n.longValue() > 0) {
                sb.append(" (").append(n).append(" times a port sent from a MAC that another port sends from)");
            }
            sb.append('\n');
            for (Object n : (List<Object>) hub.get("netdevs")) {
                Map<String, Object> netdev = (Map<String, Object>) n;
                List<Object> ports = (List<Object>) netdev.get("ports");
                boolean single = ports.size() == 1 && netdev.get("id").equals(((Map<String, Object>) ports.getFirst()).get("id"));
                if (!single) {
                    sb.append(" \\ ").append(netdev.get("id")).append(": type=").append(netdev.get("type"))
                            .append(',').append(netdev.get("info")).append('\n');
                }
                for (Object p : ports) {
                    Map<String, Object> port = (Map<String, Object>) p;
                    sb.append(single ? " \\ " : "    \\ ").append(port.get("id")).append(": type=")
                            .append(netdev.get("type")).append(',').append(port.get("info"))
                            .append(",link=").append(port.get("link")).append('\n');
                    sb.append(single ? "     " : "        ")
                            .append("rx ").append(port.get("rx-frames")).append(" frames ").append(port.get("rx-bytes"))
                            .append(" bytes, tx ").append(port.get("tx-frames")).append(" frames ")
                            .append(port.get("tx-bytes")).append(" bytes, dropped ").append(port.get("tx-dropped"))
                            .append(", errors ").append(port.get("rx-errors")).append('\n');
                }
                if (netdev.get("details") instanceof List<?> details) {
                    for (Object line : details) {
                        sb.append("     ").append(line).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }
}
