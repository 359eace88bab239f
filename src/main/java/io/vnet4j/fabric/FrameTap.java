package io.vnet4j.fabric;

import java.nio.ByteBuffer;

/** Sees frames as they pass a port or a hub (capture, tracing). It must copy what it keeps. */
@FunctionalInterface
public interface FrameTap {
    void frame(ByteBuffer frame, int offset, int length);
}
