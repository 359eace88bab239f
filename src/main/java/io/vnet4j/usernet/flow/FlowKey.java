package io.vnet4j.usernet.flow;

import io.vnet4j.wire.IpAddress;
import java.util.Objects;

/**
 * The key of a NAT flow, either family: the guest's address and port, and the address and port on the
 * other side (for UDP, a pinned flow's virtual address, or null and 0). The keys in a table are never
 * changed; a lookup reuses one probe ({@link #set}) so that finding the flow of a frame allocates nothing,
 * and only a new flow stores a {@link #copy()}.
 */
public final class FlowKey {
    private IpAddress guest;
    private int guestPort;
    private IpAddress remote;
    private int remotePort;

    /** A key to keep. */
    public static FlowKey of(IpAddress guest, int guestPort, IpAddress remote, int remotePort) {
        return new FlowKey().set(guest, guestPort, remote, remotePort);
    }

    /** Makes this probe key stand for another flow; never call it on a key held by a table. */
    public FlowKey set(IpAddress guest, int guestPort, IpAddress remote, int remotePort) {
        this.guest = guest;
        this.guestPort = guestPort;
        this.remote = remote;
        this.remotePort = remotePort;
        return this;
    }

    /** A key with the same fields, to store in a table. */
    public FlowKey copy() {
        return of(guest, guestPort, remote, remotePort);
    }

    public IpAddress guest() {
        return guest;
    }

    public int guestPort() {
        return guestPort;
    }

    /** The remote (or pinned virtual) address; null for an unpinned UDP flow. */
    public IpAddress remote() {
        return remote;
    }

    public int remotePort() {
        return remotePort;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.guestPort == guestPort && k.remotePort == remotePort
                && k.guest.equals(guest) && Objects.equals(k.remote, remote);
    }

    @Override
    public int hashCode() {
        return (guest.hashCode() * 31 + Objects.hashCode(remote)) * 31 + (guestPort << 16 ^ remotePort);
    }

    @Override
    public String toString() {
        return guest.toUriString() + ":" + guestPort + " -> " + (remote == null ? "*" : remote.toUriString()) + ":"
                + remotePort;
    }
}
