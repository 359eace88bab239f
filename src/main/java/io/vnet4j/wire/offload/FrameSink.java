package io.vnet4j.wire.offload;

import java.nio.ByteBuffer;

/**
 * Receives the frames an offload step produces, as {@code (buffer, absolute offset, length)}. The
 * buffer is the producer's and is overwritten by the next frame: use or copy the bytes before returning, and do not write to them (a producer may keep headers there between frames).
 */
@FunctionalInterface
public interface FrameSink {
    void accept(ByteBuffer frame, int offset, int length);
}
