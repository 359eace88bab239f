package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A file another process shares with this one, mapped read-write with mmap(2) MAP_SHARED: a vhost-user
 * front-end's guest memory (a memfd, or a file of hugetlbfs or /dev/shm), whose descriptor came with
 * VHOST_USER_SET_MEM_TABLE. MAP_NORESERVE, as passt and libvhost-user map it: only the pages this process
 * touches count, and the guest's memory was reserved by its owner.
 */
public final class SharedMapping {
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_SHARED = 0x01;
    private static final int MAP_NORESERVE = 0x4000;
    private static final Downcall MMAP = Downcall.captured("mmap");
    private static final Downcall MUNMAP = Downcall.uncaptured("munmap");

    private SharedMapping() {}

    /**
     * The first {@code bytes} of the file open at {@code fd}, unmapped when {@code arena} closes; the descriptor
     * is closed here either way (the mapping keeps the file).
     *
     * @throws IOException when the kernel refuses the mapping (the message holds errno's text)
     */
    public static MemorySegment map(int fd, long bytes, Arena arena) throws IOException {
        long address;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            address = Downcall.call(MMAP.handle(), errno, 0, bytes, PROT_READ_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
            if (address == -1L) {
                throw NativeDatagramSocket.failure("mmap of " + bytes + " bytes", Libc.errno(errno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mmap: " + t, t);
        } finally {
            Libc.closeQuietly(fd);
        }
        MethodHandle munmap = MUNMAP.handle();
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena, ignored -> {
            try {
                Downcall.call(munmap, address, bytes);
            } catch (Throwable t) {
                // the mapping stays until the process ends; nothing else can be done
            }
        });
    }
}
