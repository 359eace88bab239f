package io.vnet4j.config;

import java.nio.file.Path;

/**
 * A pcap capture: of one netdev, both directions ({@code -object filter-dump}), or of everything that
 * enters a hub ({@code -net dump,vlan=N}); exactly one of {@code netdev} and {@code hub} is set.
 *
 * @param id the capture's id ({@code id=}, or {@code name=} of {@code -net dump})
 * @param netdev the id of the netdev captured, or null for a hub's capture
 * @param hub the number of the hub captured, or null for a netdev's capture
 * @param file the pcap file written
 * @param snapLength bytes kept of each frame at most ({@code maxlen=}, {@code len=})
 */
public record CaptureConfig(String id, String netdev, Integer hub, Path file, int snapLength) {
    /** The snap length without {@code maxlen=} or {@code len=}: whole frames. */
    public static final int DEFAULT_SNAP_LENGTH = 65536;

    /**
     * The file written, however it is spelled (through symbolic links in the path and its directory): what the
     * start's and the control socket's checks compare so that two captures share no file.
     */
    public Path fileIdentity() {
        return Claims.fileIdentity(file);
    }
}
