package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The resolvers DNS queries go to: {@code dns-upstream=} when given, else /etc/resolv.conf's nameservers of
 * either family (the guest's query goes to the first, whatever the guest's own family).
 */
final class DnsUpstreams {
    private DnsUpstreams() {}

    static List<InetSocketAddress> resolve(UserConfig config, Path resolvConf) {
        List<InetSocketAddress> list = new ArrayList<>();
        for (UserConfig.DnsUpstream u : config.dnsUpstreams()) {
            list.add(new InetSocketAddress(u.address(), u.port()));
        }
        if (!list.isEmpty()) {
            return list;
        }
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[0].equals("nameserver")) {
                    InetAddress address = nameserver(words[1]);
                    if (address != null) {
                        list.add(new InetSocketAddress(address, 53));
                    }
                }
            }
        } catch (IOException e) {
            // no resolv.conf: no upstream; queries are dropped and counted
        }
        return list;
    }

    /**
     * A nameserver line's address, IPv4 or IPv6 (a link-local one with its {@code %interface} scope, as
     * glibc reads it); null for anything else. Parsed as text, never looked up.
     */
    static InetAddress nameserver(String text) {
        int percent = text.indexOf('%');
        try {
            IpAddress address = IpAddress.parse(percent < 0 ? text : text.substring(0, percent));
            if (percent < 0 || address.isIpv4()) {
                return percent < 0 ? address.toInetAddress() : null;
            }
            NetworkInterface scope = NetworkInterface.getByName(text.substring(percent + 1));
            return scope == null ? null
                    : Inet6Address.getByAddress(null, address.toInetAddress().getAddress(), scope.getIndex());
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
    }
}
