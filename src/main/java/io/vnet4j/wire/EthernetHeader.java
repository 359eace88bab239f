package io.vnet4j.wire;

/** Value form of an Ethernet II header; {@code vlan} is null for an untagged frame. */
public record EthernetHeader(long destination, long source, VlanTag vlan, int etherType) {

    /** Reads a header from a view that passed {@link EthernetFrame#check()}. */
    public static EthernetHeader parse(EthernetFrame frame) {
        VlanTag vlan = frame.hasVlanTag() ? new VlanTag(frame.pcp(), frame.dei(), frame.vlanId()) : null;
        return new EthernetHeader(frame.destination(), frame.source(), vlan, frame.etherType());
    }

    /** Length of this header on the wire. */
    public int length() {
        return vlan == null ? EthernetFrame.HEADER_LENGTH : EthernetFrame.TAGGED_HEADER_LENGTH;
    }

    /** Writes every header field into the view, which must cover at least {@link #length()} bytes. */
    public void emit(EthernetFrame frame) {
        frame.setDestination(destination);
        frame.setSource(source);
        if (vlan == null) {
            frame.setUntagged(etherType);
        } else {
            frame.setTagged(vlan.pcp(), vlan.dei(), vlan.vlanId(), etherType);
        }
    }
}
