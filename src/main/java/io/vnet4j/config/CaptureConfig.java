package io.vnet4j.config;

import java.nio.file.Path;

/**
 * A pcap capture: of one netdev, both directions ({@code -object filter-dump}), or of everything that
 * enters a hub ({@code -net dump,vlan=N}); exactly one of {@code netdev} and {@code hub} is set.
 */
public record CaptureConfig(String id, String netdev, Integer hub, Path file, int snapLength) {
    public static final int DEFAULT_SNAP_LENGTH = 65536;
}
