package io.vnet4j.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Anonymous memory of mmap(2) whose pages become resident only when first written (an arena's allocation
 * zeroes, and so touches, all of it): for buffers sized for the largest datagram that mostly carry small ones.
 * A page once written stays resident until the memory is unmapped.
 */
final class LazyMemory {
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final Downcall MMAP = Downcall.uncaptured("mmap");
    private static final Downcall MUNMAP = Downcall.uncaptured("munmap");

    private LazyMemory() {}

    /**
     * {@code bytes} of zeroed memory, unmapped when {@code arena} closes.
     *
     * @throws OutOfMemoryError when the kernel refuses the mapping
     */
    static MemorySegment map(long bytes, Arena arena) {
        long address;
        try {
            address = Downcall.call(MMAP.handle(), 0, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0);
        } catch (Throwable t) {
            throw new OutOfMemoryError("mmap of " + bytes + " bytes: " + t);
        }
        if (address == -1L) {
            throw new OutOfMemoryError("mmap of " + bytes + " bytes refused");
        }
        MethodHandle munmap = MUNMAP.handle();
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena, ignored -> {
            try {
                Downcall.call(munmap, address, bytes);
            } catch (Throwable t) {
                // the process keeps the pages; nothing else can be done
            }
        });
    }
}
