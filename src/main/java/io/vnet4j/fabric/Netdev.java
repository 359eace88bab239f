package io.vnet4j.fabric;

import java.io.IOException;
import java.util.List;

/**
 * One configured backend ({@code -netdev TYPE,id=ID,...}): it owns the ports it attaches to its hub. Most
 * netdevs are one port; a listener owns one port per accepted connection.
 */
public interface Netdev extends AutoCloseable {
    String id();

    String type();

    /** The hub this netdev's ports are on. */
    Hub hub();

    /**
     * Settings and peer in the style of QEMU's {@code info network}.
     *
     * @return e.g. {@code listen=:8010}
     */
    String describe();

    /**
     * The netdev's own state for {@code query-network}, as JSON-ready values (maps with string keys, lists,
     * strings, numbers, booleans): a user network's leases, forwards and flows. Empty by default.
     */
    default java.util.Map<String, Object> state() {
        return java.util.Map.of();
    }

    /** Extra lines for {@code info network} (leases, flows...); none by default. */
    default List<String> details() {
        return List.of();
    }

    /**
     * The ports this netdev has on its hub right now.
     *
     * @return the ports, possibly none
     */
    List<Port> ports();

    /** Adds a tap that sees every frame of every port of this netdev, now and later, both directions. */
    void addTap(FrameTap tap);

    /** Removes a tap {@link #addTap} added, from every port now and later; frames in flight may still reach it once. */
    void removeTap(FrameTap tap);

    /** Gives every port of this netdev, now and later, this 802.1Q membership; before {@link #start}. */
    void joinVlans(VlanMembership membership);

    /** The 802.1Q membership {@link #joinVlans} gave, {@link VlanMembership#NONE} without one. */
    VlanMembership vlans();

    /**
     * QEMU's {@code set_link ID on|off} ({@code NetClientState.link_down}): with {@code true} every port of this
     * netdev, now and later, neither sends nor receives until {@code false} gives the backends' own link state
     * back.
     */
    void setLinkDown(boolean down);

    /** Whether {@link #setLinkDown} holds the link down. */
    boolean linkDown();

    /**
     * Opens sockets and starts threads.
     *
     * @throws IOException when the netdev cannot start (address in use, refused)
     */
    void start() throws IOException;

    @Override
    void close();
}
