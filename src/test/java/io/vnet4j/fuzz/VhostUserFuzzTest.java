package io.vnet4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.port.vhostuser.VhostUserFuzzing;

/**
 * The vhost-user back-end, both of its untrusted inputs, chosen by the first byte's bit 0. (0) A front-end's
 * conversation: messages into the control plane ({@code VhostUserDevice.handle}), with memory the test hands out
 * for SET_MEM_TABLE's descriptors and writes of the front-end to that memory; after each message every running
 * ring is used (a frame taken from the transmit queue, one given to the receive queue). Only the protocol's own
 * error may leave, and it ends the conversation. (1) A guest's split ring ({@code SplitRing}) over memory whose
 * descriptor table, available ring and buffers are the input, driven by operations (take a sent frame, give a
 * frame, publish, move the available index, change a byte): nothing throws, every call ends, a frame taken fits
 * its buffer and returns one used element, a frame given takes 1 to {@code size} used elements (one without
 * mergeable buffers) and a refused one none. The checks live in {@link VhostUserFuzzing}, beside the
 * package-private classes.
 */
class VhostUserFuzzTest {
    @FuzzTest
    void messagesFailOnlyAsProtocolErrorsAndRingsStayWithinTheirBounds(byte[] input) {
        if (input.length == 0) {
            return;
        }
        if ((input[0] & 1) == 0) {
            VhostUserFuzzing.messages(input, 1);
        } else {
            VhostUserFuzzing.ring(input, 1);
        }
    }
}
