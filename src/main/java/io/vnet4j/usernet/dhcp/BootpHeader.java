package io.vnet4j.usernet.dhcp;

/** Value form of the fixed BOOTP/DHCP fields other than the server name and boot file fields. */
public record BootpHeader(int op, int htype, int hlen, int hops, int xid, int secs, int flags,
                          int ciaddr, int yiaddr, int siaddr, int giaddr, long chaddr) {

    /** Reads the fields of a message that passed {@link DhcpMessage#check()}. */
    public static BootpHeader parse(DhcpMessage message) {
        return new BootpHeader(message.op(), message.htype(), message.hlen(), message.hops(), message.xid(),
                message.secs(), message.flags(), message.ciaddr(), message.yiaddr(), message.siaddr(),
                message.giaddr(), message.chaddr());
    }

    /**
     * Writes the first 240 bytes: every field as held, the hardware address padded with zeros, the
     * server name and boot file fields zeroed and the magic cookie.
     */
    public void emit(DhcpMessage message) {
        message.setOp(op);
        message.setHardware(htype, hlen);
        message.setHops(hops);
        message.setXid(xid);
        message.setSecs(secs);
        message.setFlags(flags);
        message.setCiaddr(ciaddr);
        message.setYiaddr(yiaddr);
        message.setSiaddr(siaddr);
        message.setGiaddr(giaddr);
        message.setChaddr(chaddr);
        message.clearSname();
        message.setFile("");
        message.setCookie(DhcpMessage.MAGIC_COOKIE);
    }
}
