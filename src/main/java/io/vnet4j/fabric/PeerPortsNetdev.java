package io.vnet4j.fabric;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A netdev that makes a port for each peer that comes (a listener's connections, a VDE switch's plugs, a
 * vhost-user front-end): what its ports get now and later, the captures' taps, the 802.1Q membership and the
 * {@code set_link} state, is kept here. A subclass names the ports it has now ({@link #portsNow}) and gives
 * each new port {@link #adopt} after putting it among them, so a change racing a new port reaches it one way
 * or the other (a port's {@link Port#addTap} ignores a tap it has); changes and adoptions take one lock, so none
 * sees another half done.
 */
public abstract class PeerPortsNetdev extends NetdevBase {
    private final List<FrameTap> taps = new CopyOnWriteArrayList<>();
    private volatile VlanMembership vlans = VlanMembership.NONE;
    private volatile boolean linkDown;
    /** Taken by each change and by {@link #adopt}, so a new port gets the state as one change left it. */
    private final Object changes = new Object();

    protected PeerPortsNetdev(String id, String type, Hub hub) {
        super(id, type, hub);
    }

    /** The ports a change reaches now: those attached and those about to be. */
    protected abstract List<? extends Port> portsNow();

    @Override
    public final void addTap(FrameTap tap) {
        synchronized (changes) {
            taps.add(tap);
            portsNow().forEach(p -> p.addTap(tap));
        }
    }

    @Override
    public final void removeTap(FrameTap tap) {
        synchronized (changes) {
            taps.remove(tap);
            portsNow().forEach(p -> p.removeTap(tap));
        }
    }

    /** The membership later ports join (before the netdev starts, so no port has it yet). */
    @Override
    public final void joinVlans(VlanMembership membership) {
        vlans = membership;
    }

    @Override
    public final VlanMembership vlans() {
        return vlans;
    }

    @Override
    public final void setLinkDown(boolean down) {
        synchronized (changes) {
            linkDown = down;
            portsNow().forEach(p -> p.setLinkDown(down));
        }
    }

    @Override
    public final boolean linkDown() {
        return linkDown;
    }

    /** Gives a new port the taps, the membership and the link state; before the port is attached to its hub. */
    protected final void adopt(Port port) {
        synchronized (changes) {
            taps.forEach(port::addTap);
            port.joinVlans(vlans);
            port.setLinkDown(linkDown);
        }
    }
}
