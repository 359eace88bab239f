package io.vnet4j.config;

import io.vnet4j.wire.VxlanHeader;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code -netdev vxlan,id=ID,vni=N[,local=ADDR](,remote=ADDR)...[,dstport=4789][,srcport=LO-HI]} (unicast
 * peers; several {@code remote=} make a static flood list) or {@code ...,group=MADDR[,dev=IF]} (multicast
 * flood-and-learn), with the names of Linux's {@code ip link add TYPE vxlan} (ip-link(8)). IPv4 underlay.
 */
final class VxlanOptionParser {
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "trunk", "vni", "local", "remote", "group", "dev",
            "dstport", "srcport");

    private VxlanOptionParser() {}

    static NetdevConfig.Vxlan parse(OptionString o, String id, int hub) throws ConfigException {
        int vni = (int) o.takeLong("vni", -1, 0, VxlanHeader.MAX_VNI);
        if (vni < 0) {
            throw o.error("vni= is required (the VXLAN network identifier, 0 to " + VxlanHeader.MAX_VNI + ")");
        }
        String localText = o.take("local");
        Inet4Address local = localText == null ? null : Addresses.ipv4(o, "local", localText);
        List<Inet4Address> remotes = new ArrayList<>();
        for (String r : o.takeAll("remote")) {
            Inet4Address remote = Addresses.ipv4(o, "remote", r);
            if (remote.isMulticastAddress() || remote.isAnyLocalAddress()) {
                throw o.error("remote: expected a unicast IPv4 address, got '" + r + "' (a multicast group goes in group=)");
            }
            if (remotes.contains(remote)) {
                throw o.error("remote=" + r + " is given twice");
            }
            remotes.add(remote);
        }
        String groupText = o.take("group");
        Inet4Address group = groupText == null ? null : Addresses.ipv4(o, "group", groupText);
        if (group != null && !group.isMulticastAddress()) {
            throw o.error("group: expected an IPv4 multicast address (224.0.0.0/4), got '" + groupText + "'");
        }
        if (group == null && remotes.isEmpty()) {
            throw o.error("remote=ADDR (a peer VTEP; repeatable) or group=MADDR (multicast) is required");
        }
        if (group != null && !remotes.isEmpty()) {
            throw o.error("remote= and group= exclude each other (as in Linux's vxlan)");
        }
        String dev = o.take("dev");
        if (dev != null && !dev.matches("[A-Za-z0-9_.:@-]{1,15}")) {
            throw o.error("dev: expected an interface name, got '" + dev + "'");
        }
        int dstport = (int) o.takeLong("dstport", VxlanHeader.IANA_PORT, 1, 65535);
        int srcLow = 0;
        int srcHigh = 0;
        String srcport = o.take("srcport");
        if (srcport != null) {
            String[] range = srcport.split("-", 2);
            if (range.length != 2) {
                throw o.error("srcport: expected LOW-HIGH, got '" + srcport + "'");
            }
            srcLow = Addresses.port(o, "srcport", range[0], 1);
            srcHigh = Addresses.port(o, "srcport", range[1], 1);
            if (srcHigh < srcLow) {
                throw o.error("srcport: expected LOW-HIGH with LOW <= HIGH, got '" + srcport + "'");
            }
        }
        o.finish(KEYS);
        StringBuilder settings = new StringBuilder("vni=" + vni);
        if (local != null) {
            settings.append(",local=").append(local.getHostAddress());
        }
        remotes.forEach(r -> settings.append(",remote=").append(r.getHostAddress()));
        if (group != null) {
            settings.append(",group=").append(group.getHostAddress());
        }
        if (dev != null) {
            settings.append(",dev=").append(dev);
        }
        settings.append(",dstport=").append(dstport);
        if (srcport != null) {
            settings.append(",srcport=").append(srcLow).append('-').append(srcHigh);
        }
        return new NetdevConfig.Vxlan(id, "vxlan", hub, settings.toString(), vni, local, remotes, group, dev, dstport,
                srcLow, srcHigh);
    }
}
