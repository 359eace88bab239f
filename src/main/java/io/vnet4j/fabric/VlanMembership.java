package io.vnet4j.fabric;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.Collection;

/**
 * A port's IEEE 802.1Q membership: which VLAN a frame entering through it belongs to, and which VLANs'
 * frames leave through it, tagged or not.
 *
 * <ul>
 * <li>{@link #NONE}, every port's default: VLAN-unaware, as QEMU's hub ports. Its frames are in "VLAN 0",
 *     the unaware ports' own domain, with any tag they carry passed as it is; frames of real VLANs never
 *     reach it.
 * <li>{@link #access}: frames on the wire are untagged and belong to the port's VLAN (its PVID); a
 *     priority-tagged frame entering (VID 0, IEEE 802.1Q-2018 6.9.1) belongs to it too and leaves other access
 *     ports untagged, trunks tagged with the VLAN's VID and its priority kept; a frame tagged with a VID is
 *     dropped.
 * <li>{@link #trunk}: frames on the wire carry an 802.1Q tag (TPID 0x8100) whose VID is one of the
 *     trunk's VLANs; an untagged frame, or one of another VLAN, entering is dropped.
 * </ul>
 * Immutable.
 */
public final class VlanMembership {
    /** The 802.1Q tag's protocol identifier (an EtherType): IEEE 802.1Q-2018 9.5. */
    public static final int TPID = 0x8100;
    /** What {@link #classify} returns for a frame the port does not admit. */
    public static final int DROP = -1;

    public static final VlanMembership NONE = new VlanMembership(0, null);

    private final int access;
    private final BitSet trunk;

    private VlanMembership(int access, BitSet trunk) {
        this.access = access;
        this.trunk = trunk;
    }

    /** An access port of VLAN {@code vid} (1 to 4094). */
    public static VlanMembership access(int vid) {
        return new VlanMembership(checked(vid), null);
    }

    /** A trunk of the VLANs {@code vids} (each 1 to 4094, at least one). */
    public static VlanMembership trunk(Collection<Integer> vids) {
        if (vids.isEmpty()) {
            throw new IllegalArgumentException("a trunk needs at least one VLAN");
        }
        BitSet set = new BitSet(4096);
        vids.forEach(v -> set.set(checked(v)));
        return new VlanMembership(0, set);
    }

    private static int checked(int vid) {
        if (vid < 1 || vid > 4094) {
            throw new IllegalArgumentException("VLAN id must be 1 to 4094: " + vid);
        }
        return vid;
    }

    /** The access VLAN ({@code vlan=N}), 0 for a trunk or a VLAN-unaware port. */
    public int access() {
        return access;
    }

    /** Whether frames leave this port tagged (a trunk). */
    public boolean tagged() {
        return trunk != null;
    }

    /**
     * The VLAN a frame entering this port belongs to: 0 for an unaware port, the access VLAN, or the
     * tag's VID on a trunk; {@link #DROP} when the port does not admit it.
     */
    public int classify(ByteBuffer frame, int offset, int length) {
        if (this == NONE) {
            return 0;
        }
        boolean hasTag = hasTag(frame, offset, length);
        if (trunk == null) {
            return hasTag && vid(frame, offset) != 0 ? DROP : access;
        }
        if (!hasTag) {
            return DROP;
        }
        int vid = vid(frame, offset);
        return trunk.get(vid) ? vid : DROP;
    }

    /**
     * Whether a frame {@link #classify} admitted carries an 802.1Q tag as the hub forwards it: always from a
     * trunk, from an access port when priority-tagged; never from an unaware port, whose tags are payload.
     */
    public boolean arrivesTagged(ByteBuffer frame, int offset, int length) {
        return trunk != null || this != NONE && hasTag(frame, offset, length);
    }

    private static boolean hasTag(ByteBuffer frame, int offset, int length) {
        return length >= 18 && (frame.getShort(offset + 12) & 0xFFFF) == TPID;
    }

    /** The VID of a tagged frame's 802.1Q tag (its TCI's low 12 bits). */
    static int vid(ByteBuffer frame, int offset) {
        return frame.getShort(offset + 14) & 0x0FFF;
    }

    /** {@code vlan=N} or {@code trunk=N,trunk=M-P} (the -netdev options), empty for {@link #NONE}. */
    public String describe() {
        if (this == NONE) {
            return "";
        }
        if (trunk == null) {
            return "vlan=" + access;
        }
        StringBuilder sb = new StringBuilder();
        for (int from = trunk.nextSetBit(0); from >= 0; ) {
            int to = trunk.nextClearBit(from) - 1;
            sb.append(sb.isEmpty() ? "trunk=" : ",trunk=").append(from).append(to > from ? "-" + to : "");
            from = trunk.nextSetBit(to + 1);
        }
        return sb.toString();
    }

    /** Whether frames of VLAN {@code vlan} (0: the unaware ports' domain) leave through this port. */
    public boolean carries(int vlan) {
        if (this == NONE) {
            return vlan == 0;
        }
        return trunk == null ? vlan == access : vlan > 0 && trunk.get(vlan);
    }
}
