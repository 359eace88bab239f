package io.vnet4j.usernet;

import io.vnet4j.base.HostText;
import io.vnet4j.config.UserConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
        try {
            return text.startsWith("[") ? null : HostText.literal(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
