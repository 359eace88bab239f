package io.vnet4j.usernet.dhcp;

/** Where the reply {@link DhcpServer#handle} wrote goes, and what it is; reused from call to call. */
public final class DhcpReply {
    private int destinationAddress;
    private long destinationMac;
    private int messageType;

    void set(int address, long mac, int type) {
        destinationAddress = address;
        destinationMac = mac;
        messageType = type;
    }

    /** The IPv4 destination: 255.255.255.255 or the client's address. */
    public int destinationAddress() {
        return destinationAddress;
    }

    /** The Ethernet destination: broadcast or the client's MAC. */
    public long destinationMac() {
        return destinationMac;
    }

    /** The reply's DHCP message type, or {@link DhcpMessageType#NONE} for a BOOTP reply. */
    public int messageType() {
        return messageType;
    }
}
