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
}
