package io.vnet4j.config;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.VxlanHeader;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code -netdev vxlan,id=ID,vni=N[,local=ADDR](,remote=ADDR)...[,dstport=4789][,srcport=LO-HI][,udp6zerocsumrx=on]} (unicast
 * peers; several {@code remote=} make a static flood list) or {@code ...,group=MADDR[,dev=IF]} (multicast
 * flood-and-learn), with the names of Linux's {@code ip link add TYPE vxlan} (ip-link(8)). An IPv4 or IPv6
 * underlay: every address of one netdev of one family.
 */
final class VxlanOptionParser {
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "trunk", "vni", "local", "remote", "group", "dev",
            "dstport", "srcport", "udp6zerocsumrx");

    private VxlanOptionParser() {}

    static NetdevConfig.Vxlan parse(OptionString o, String id, int hub) throws ConfigException {
        int vni = (int) o.takeLong("vni", -1, 0, VxlanHeader.MAX_VNI);
        if (vni < 0) {
            throw o.error("vni= is required (the VXLAN network identifier, 0 to " + VxlanHeader.MAX_VNI + ")");
        }
        String localText = o.take("local");
        InetAddress local = localText == null ? null : Addresses.address(o, "local", localText);
        List<InetAddress> remotes = new ArrayList<>();
        for (String r : o.takeAll("remote")) {
            InetAddress remote = Addresses.peer(o, "remote", Addresses.address(o, "remote", r));
            if (remote.isMulticastAddress() || remote.isAnyLocalAddress()) {
                throw o.error("remote: expected a unicast address, got '" + r + "'"
                        + (remote.isMulticastAddress() ? " (a multicast group goes in group=)" : ""));
            }
            if (remotes.contains(remote)) {
                throw o.error("remote=" + r + " is given twice");
            }
            remotes.add(remote);
        }
        String groupText = o.take("group");
        InetAddress group = groupText == null ? null : Addresses.address(o, "group", groupText);
        if (group != null && !group.isMulticastAddress()) {
            throw o.error("group: expected a multicast address (224.0.0.0/4 or ff00::/8), got '" + groupText + "'");
        }
        if (group == null && remotes.isEmpty()) {
            throw o.error("remote=ADDR (a peer VTEP; repeatable) or group=MADDR (multicast) is required");
        }
        if (group != null && !remotes.isEmpty()) {
            throw o.error("remote= and group= exclude each other (as in Linux's vxlan)");
        }
        InetAddress first = group != null ? group : remotes.get(0);
        String family = first instanceof Inet6Address ? "IPv6" : "IPv4";
        List<InetAddress> all = new ArrayList<>(remotes);
        if (local != null) {
            all.add(local);
        }
        for (InetAddress a : all) {
            if (a instanceof Inet6Address != first instanceof Inet6Address) {
                throw o.error("the underlay is one IP family: " + text(first) + " is " + family + ", "
                        + text(a) + " is not (give local=, remote= and group= of one family)");
            }
            if (a instanceof Inet6Address && a.isLinkLocalAddress()) {
                throw o.error("IPv6 link-local " + text(a) + " needs an interface scope, which is not supported here: "
                        + "give a global or unique local address (fd00::/8)");
            }
        }
        for (InetAddress remote : remotes) {
            Addresses.reachableFrom(o, "local", local, "remote", remote, "or leave local= out");
        }
        String dev = o.take("dev");
        if (dev != null && !dev.matches("[A-Za-z0-9_.:@-]{1,15}")) {
            throw o.error("dev: expected an interface name, got '" + dev + "'");
        }
        if (group != null && dev == null) { // iproute2: "vxlan: 'group' requires 'dev' to be specified"
            throw o.error("group= requires dev=IF, the interface the group is joined and flooded on (as Linux's vxlan)");
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
            srcLow = Addresses.cPort(o, "srcport", range[0], 1);
            srcHigh = Addresses.cPort(o, "srcport", range[1], 1);
            if (srcHigh < srcLow) {
                throw o.error("srcport: expected LOW-HIGH with LOW <= HIGH, got '" + srcport + "'");
            }
        }
        boolean zeroChecksumRx = o.takeBoolean("udp6zerocsumrx", false);
        if (zeroChecksumRx && family.equals("IPv4")) {
            throw o.error("udp6zerocsumrx=on is for an IPv6 underlay (an IPv4 UDP checksum of zero means none, always taken)");
        }
        o.finish(KEYS);
        StringBuilder settings = new StringBuilder("vni=" + vni);
        if (local != null) {
            settings.append(",local=").append(text(local));
        }
        remotes.forEach(r -> settings.append(",remote=").append(text(r)));
        if (group != null) {
            settings.append(",group=").append(text(group));
        }
        if (dev != null) {
            settings.append(",dev=").append(dev);
        }
        settings.append(",dstport=").append(dstport);
        if (srcport != null) {
            settings.append(",srcport=").append(srcLow).append('-').append(srcHigh);
        }
        if (zeroChecksumRx) {
            settings.append(",udp6zerocsumrx=on");
        }
        return new NetdevConfig.Vxlan(id, "vxlan", hub, settings.toString(), vni, local, remotes, group, dev, dstport,
                srcLow, srcHigh, zeroChecksumRx);
    }

    /** Dotted quad, or RFC 5952 text for IPv6 ({@code 2001:db8::1}, not the JDK's long form). */
    private static String text(InetAddress a) {
        return IpAddress.of(a).toString();
    }
}
