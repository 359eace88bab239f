package io.vnet4j.port.vhostuser;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A guest's memory as VHOST_USER_SET_MEM_TABLE describes it: up to eight regions, each a range of guest
 * physical addresses (what descriptors hold) and of the front-end's own virtual addresses (what
 * VHOST_USER_SET_VRING_ADDR gives), mapped here. Translations check that the whole range lies in one region;
 * anything else is the guest's fault, answered with {@link #NONE}.
 */
final class GuestMemory implements AutoCloseable {
    /** {@link #region}'s answer for a range outside every region. */
    static final int NONE = -1;

    /** One region: its guest physical start, size in bytes, the front-end's virtual start, and our mapping. */
    record Region(long guestPhysical, long size, long frontEndVirtual, MemorySegment mapped) {}

    static final GuestMemory EMPTY = new GuestMemory(new Region[0], null);

    private final Region[] regions;
    private final Arena arena;

    GuestMemory(Region[] regions, Arena arena) {
        this.regions = regions;
        this.arena = arena;
    }

    int regionCount() {
        return regions.length;
    }

    /**
     * The region that holds guest physical addresses {@code [address, address + length)} whole.
     *
     * @return its index, or {@link #NONE}
     */
    int region(long address, long length) {
        for (int i = 0; i < regions.length; i++) {
            Region r = regions[i];
            long offset = address - r.guestPhysical;
            if (Long.compareUnsigned(offset, r.size) < 0 && Long.compareUnsigned(length, r.size - offset) <= 0) {
                return i;
            }
        }
        return NONE;
    }

    /** Region {@code i}'s mapping (from {@link #region}). */
    MemorySegment segment(int i) {
        return regions[i].mapped;
    }

    /** The offset of guest physical {@code address} in region {@code i}'s mapping. */
    long offset(int i, long address) {
        return address - regions[i].guestPhysical;
    }

    /**
     * {@code length} bytes at the front-end's virtual address {@code address} (a ring's), or null when they lie
     * outside every region.
     */
    MemorySegment frontEnd(long address, long length) {
        for (Region r : regions) {
            long offset = address - r.frontEndVirtual;
            if (Long.compareUnsigned(offset, r.size) < 0 && Long.compareUnsigned(length, r.size - offset) <= 0) {
                return r.mapped.asSlice(offset, length);
            }
        }
        return null;
    }

    /** Unmaps the regions; no thread may use them afterwards. */
    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
