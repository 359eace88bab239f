package io.vnet4j.usernet;

import io.vnet4j.base.HostText;
import io.vnet4j.base.Log;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.config.UserConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The resolvers DNS queries go to: {@code dns-upstream=} when given, else /etc/resolv.conf's nameservers of
 * either family (the guest's query goes to the first, whatever the guest's own family).
 *
 * <p>resolv.conf changes under a running network (a laptop joins another Wi-Fi, a VPN comes up and
 * NetworkManager or systemd-resolved rewrites it), so it is followed as libslirp follows it
 * ({@code get_dns_addr_cached}, slirp.c): at most once a {@value #RECHECK_MILLIS} ms, when a query asks, the
 * file's identity, size and modification time are looked at, and when they changed it is read again. Read
 * once, a daemon kept sending every guest's lookups to a resolver that had gone (a replay of
 * gvisor-tap-vsock's PR #696 review: every lookup failed until a restart). The loop's thread only.
 */
final class DnsUpstreams {
    static final long RECHECK_MILLIS = 1000;

    private final String logName;
    private final Path resolvConf;
    private final LongSupplier clock;
    /** The upstreams now: {@code dns-upstream=}'s for good, or resolv.conf's as last read. */
    private List<InetSocketAddress> current;
    /** resolv.conf's identity, size and modification time when last read; null when given or never there. */
    private List<Object> seen;
    private long checkedAt;

    /**
     * @param logName the network's id, for the line that says the upstreams changed
     * @param clock System.nanoTime() or a test's
     */
    DnsUpstreams(String logName, UserConfig config, Path resolvConf, LongSupplier clock) {
        this.logName = logName;
        this.clock = clock;
        List<InetSocketAddress> given = new ArrayList<>();
        for (UserConfig.DnsUpstream u : config.dnsUpstreams()) {
            given.add(new InetSocketAddress(u.address(), u.port()));
        }
        this.resolvConf = given.isEmpty() ? resolvConf : null;
        this.current = given.isEmpty() ? List.of() : List.copyOf(given);
        if (this.resolvConf != null) {
            seen = stamp();
            current = read();
            checkedAt = clock.getAsLong();
        }
    }

    /** The upstreams now, first first; resolv.conf looked at again when a second has passed. */
    List<InetSocketAddress> current() {
        if (resolvConf != null && clock.getAsLong() - checkedAt >= TimeUnit.MILLISECONDS.toNanos(RECHECK_MILLIS)) {
            checkedAt = clock.getAsLong();
            List<Object> now = stamp();
            if (!Objects.equals(now, seen)) {
                seen = now;
                List<InetSocketAddress> read = read();
                if (!read.equals(current)) {
                    current = read;
                    Log.info(logName + ": " + resolvConf + " changed: DNS queries go to "
                            + (read.isEmpty() ? "nobody (no nameserver in it)" : SocketAddresses.format(read.getFirst())));
                }
            }
        }
        return current;
    }

    /** resolv.conf's identity (device and inode), size and modification time; null when it is not there. */
    private List<Object> stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(resolvConf, BasicFileAttributes.class);
            return java.util.Arrays.asList(a.fileKey(), a.size(), a.lastModifiedTime());
        } catch (IOException e) {
            return null;
        }
    }

    private List<InetSocketAddress> read() {
        List<InetSocketAddress> list = new ArrayList<>();
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
            // no resolv.conf: no upstream; queries are answered SERVFAIL and counted
        }
        return List.copyOf(list);
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
