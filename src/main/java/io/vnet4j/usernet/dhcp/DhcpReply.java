package io.vnet4j.usernet.dhcp;

/** Where the reply {@link DhcpServer#handle} wrote goes, and what it is; reused from call to call. */
public final class DhcpReply {
    private int destinationAddress;
    private long destinationMac;
    private int clientAddress;
    private long clientMac;
    private int messageType;
    private boolean clientStarting;
    private long nameTakenFrom = -1;

    void set(int address, long mac, int type, boolean starting, int client, long chaddr) {
        destinationAddress = address;
        destinationMac = mac;
        clientAddress = client;
        clientMac = chaddr;
        messageType = type;
        clientStarting = starting;
        nameTakenFrom = -1;
    }

    void nameTakenFrom(long mac) {
        nameTakenFrom = mac;
    }

    /**
     * For an ACK or BOOTP reply whose lease took its client's host name (option 12) from another MAC's lease,
     * which answered for that name in DNS until now: that MAC (48 bits); else -1.
     */
    public long nameTakenFrom() {
        return nameTakenFrom;
    }

    /** The IPv4 destination: 255.255.255.255 or the client's address. */
    public int destinationAddress() {
        return destinationAddress;
    }

    /** The Ethernet destination: broadcast or the client's MAC. */
    public long destinationMac() {
        return destinationMac;
    }

    /**
     * The address the client holds from this reply on (an ACK's or BOOTP reply's yiaddr, or ciaddr when the client
     * has one), 0 for an OFFER, a NAK or an INFORM's ack to a client without an address: with {@link #clientMac()},
     * a neighbour the gateway learns, also when the reply is broadcast. libslirp's bootp.c adds an OFFER's address
     * to its ARP table too, for its one guest; on a hub the client may take another server's offer, or be a probe
     * with a made-up chaddr (nmap's broadcast-dhcp-discover), and that entry sent the address's frames to a MAC that
     * did not hold it, and kept the address from every other client, until the MAC left the hub. dnsmasq's dhcp.c
     * writes a kernel ARP entry for yiaddr only to unicast a reply to a client without an address, which vnet4j never
     * does.
     */
    public int clientAddress() {
        return clientAddress;
    }

    /** The client's MAC (chaddr), whatever the reply's Ethernet destination. */
    public long clientMac() {
        return clientMac;
    }

    /** The reply's DHCP message type, or {@link DhcpMessageType#NONE} for a BOOTP reply. */
    public int messageType() {
        return messageType;
    }

    /**
     * True for an ACK to a client that had no address (a DHCPREQUEST with ciaddr 0: SELECTING after an
     * offer, or INIT-REBOOT, RFC 2131 section 4.3.2), i.e. a client starting or restarting; false for a
     * renewal or rebinding (ciaddr set) and for other replies.
     */
    public boolean clientStarting() {
        return clientStarting;
    }
}
