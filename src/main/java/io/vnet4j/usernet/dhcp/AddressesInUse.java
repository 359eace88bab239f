package io.vnet4j.usernet.dhcp;

/**
 * Whether another station than the asking client uses an IPv4 address that no binding holds: a guest
 * given its address by hand, or a {@code configure=on} TAP's namespace. The server offers such an address
 * to no one and refuses it to a client that asks for it: RFC 2131 §2.2's check of an address before it is
 * allocated ("the allocating server SHOULD probe the reused address before allocating the address"), made
 * from what the gateway has seen and been told rather than by a probe. libslirp makes no such check; with
 * one VM per network it has no need to.
 */
public interface AddressesInUse {
    /** No address is in use but by the bindings. */
    AddressesInUse NONE = new AddressesInUse() {
        @Override
        public boolean usedByAnother(int address, long mac) {
            return false;
        }

        @Override
        public void givenUp(int address, long mac) {
        }
    };

    /**
     * @param address the IPv4 address, in an int in network order (as {@link Lease#address})
     * @param mac the asking client's MAC, in the low 48 bits
     * @return true when a station with another MAC holds {@code address}
     */
    boolean usedByAnother(int address, long mac);

    /**
     * Whether {@code address}, which no running binding holds and no other station was seen using, is still being
     * checked before it is offered to {@code mac}: RFC 2131 section 4.4.1's probe ("the server SHOULD probe the
     * address before allocating"), for a station the gateway has not heard from, such as a guest that kept its lease
     * across a restart of the server. True leaves the DISCOVER unanswered for now (the caller hands it in again when
     * the check is done: a station that answered is then {@link #usedByAnother}); false lets it be offered.
     *
     * @param nowMillis the caller's clock, as the server's
     */
    default boolean checking(int address, long mac, long nowMillis) {
        return false;
    }

    /**
     * The client gave its binding of the address up (DHCPRELEASE, RFC 2131 §4.4.6, or DHCPDECLINE, §4.3.3): what
     * was seen of it there is over (the gateway's own unicast OFFER and ACK, too), or the address would stay taken
     * by a station that gave it up.
     *
     * @param address the IPv4 address, in an int in network order
     * @param mac the client's MAC, in the low 48 bits
     */
    void givenUp(int address, long mac);
}
