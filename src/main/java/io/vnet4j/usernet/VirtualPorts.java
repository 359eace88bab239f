package io.vnet4j.usernet;

import java.util.function.IntPredicate;

/**
 * Source ports the gateway uses on its host address for forwarded connections, handed out round-robin
 * from {@value #FIRST} to {@value #LAST}, skipping those in use.
 */
final class VirtualPorts {
    static final int FIRST = 49152;
    static final int LAST = 65535;

    private int next = FIRST;

    /** The next port for which {@code inUse} is false (after a full round, the next one regardless). */
    int allocate(IntPredicate inUse) {
        for (int i = 0; i <= LAST - FIRST; i++) {
            int port = next;
            next = next == LAST ? FIRST : next + 1;
            if (!inUse.test(port)) {
                return port;
            }
        }
        int port = next;
        next = next == LAST ? FIRST : next + 1;
        return port;
    }
}
