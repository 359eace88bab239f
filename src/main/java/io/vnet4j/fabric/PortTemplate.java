package io.vnet4j.fabric;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What every port of a netdev that makes ports as peers come (a listener's connections, a VDE switch's plugs,
 * a vhost-user front-end) gets, now and later: the captures' taps, the 802.1Q membership and the
 * {@code set_link} state. The netdev passes the ports it has now to each change, and gives each new port
 * {@link #applyTo} after putting it where those lists come from, so a change racing a new port reaches it
 * one way or the other (the port's {@link Port#addTap} ignores a tap it has).
 */
public final class PortTemplate {
    private final List<FrameTap> taps = new CopyOnWriteArrayList<>();
    private volatile VlanMembership vlans = VlanMembership.NONE;
    private volatile boolean linkDown;

    /** Adds a tap to {@code now} and to every later port. */
    public void addTap(FrameTap tap, List<? extends Port> now) {
        taps.add(tap);
        now.forEach(p -> p.addTap(tap));
    }

    /** Removes a tap {@link #addTap} added, from {@code now} and from later ports. */
    public void removeTap(FrameTap tap, List<? extends Port> now) {
        taps.remove(tap);
        now.forEach(p -> p.removeTap(tap));
    }

    /** The membership later ports join (before the netdev starts, so no port has it yet). */
    public void joinVlans(VlanMembership membership) {
        vlans = membership;
    }

    public VlanMembership vlans() {
        return vlans;
    }

    /** QEMU's {@code set_link}: {@code now} and every later port get {@link Port#setLinkDown}. */
    public void setLinkDown(boolean down, List<? extends Port> now) {
        linkDown = down;
        now.forEach(p -> p.setLinkDown(down));
    }

    public boolean linkDown() {
        return linkDown;
    }

    /** Gives a new port the taps, the membership and the link state; before the port is attached to its hub. */
    public void applyTo(Port port) {
        taps.forEach(port::addTap);
        port.joinVlans(vlans);
        port.setLinkDown(linkDown);
    }
}
