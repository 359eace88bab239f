package io.vnet4j.fabric;

import java.util.List;

/**
 * A netdev that is not itself a port but has exactly one, made with it (a connecting stream, a VDE plug):
 * the captures' taps, the 802.1Q membership and {@code set_link} go to that port.
 */
public abstract class OnePortNetdev<P extends Port> extends NetdevBase {
    protected final P port;

    protected OnePortNetdev(String id, String type, Hub hub, P port) {
        super(id, type, hub);
        this.port = port;
    }

    @Override
    public final List<Port> ports() {
        return List.of(port);
    }

    @Override
    public final void addTap(FrameTap tap) {
        port.addTap(tap);
    }

    @Override
    public final void removeTap(FrameTap tap) {
        port.removeTap(tap);
    }

    @Override
    public final void joinVlans(VlanMembership membership) {
        port.joinVlans(membership);
    }

    @Override
    public final VlanMembership vlans() {
        return port.vlans();
    }

    @Override
    public final void setLinkDown(boolean down) {
        port.setLinkDown(down);
    }

    @Override
    public final boolean linkDown() {
        return port.linkDown();
    }
}
