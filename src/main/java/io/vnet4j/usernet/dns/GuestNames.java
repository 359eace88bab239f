package io.vnet4j.usernet.dns;

import io.vnet4j.wire.IpAddress;
import java.util.List;

/** What {@link LocalResolver} knows of the guests: their addresses by name, and names by address. */
public interface GuestNames {
    /**
     * The addresses of the guest whose host label is {@code host} (lower case), either family, or null
     * when no guest has that name. A known guest with no address of the asked family gets NODATA.
     */
    List<IpAddress> addresses(String host);

    /** The host label of the guest at {@code address}, or null when none is known there. */
    String name(IpAddress address);

    /**
     * True when {@code address} lies in the virtual network itself (its IPv4 network, its IPv6 prefix, link-local
     * IPv6), whose reverse names no upstream resolver can know.
     */
    boolean inVirtualNetwork(IpAddress address);
}
