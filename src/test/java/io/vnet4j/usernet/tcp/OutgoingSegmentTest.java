package io.vnet4j.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSynOptions;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class OutgoingSegmentTest {
    @Test
    void aNewHeaderForgetsTheLastSegmentsOptionsSackAndPayload() {
        ByteQueue queue = new ByteQueue(4096, BufferPool.NONE);
        queue.append(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}), 0, 5);
        TcpSackBlocks sack = new TcpSackBlocks();
        sack.add(10, 20);
        OutgoingSegment segment = new OutgoingSegment();
        segment.header(TcpFlags.SYN, 1, 0, 100).synOptions(new TcpSynOptions(1460, 7, true)).sack(sack)
                .payload(queue, 0, 5, 2);
        assertThat(segment.isLarge()).isTrue();

        segment.header(TcpFlags.ACK, 2, 3, 4);

        assertThat(segment.synOptions()).isNull();
        assertThat(segment.sack()).isNull();
        assertThat(segment.payloadLength()).isZero();
        assertThat(segment.segmentSize()).isZero();
        assertThat(segment.isLarge()).isFalse();
    }

    @Test
    void copiesItsPayloadFromTheQueueWhereTheFrameWantsIt() {
        ByteQueue queue = new ByteQueue(4096, BufferPool.NONE);
        queue.append(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}), 0, 5);
        OutgoingSegment segment = new OutgoingSegment().header(TcpFlags.ACK, 0, 0, 0).payload(queue, 1, 3, 1460);
        ByteBuffer frame = ByteBuffer.allocate(8);

        segment.copyPayload(frame, 4);

        assertThat(frame.array()).containsExactly(0, 0, 0, 0, 2, 3, 4, 0);
        assertThat(frame.position()).isZero();
        assertThat(segment.isLarge()).isFalse();
    }
}
