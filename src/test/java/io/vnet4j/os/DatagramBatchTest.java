package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** recvmmsg through {@link DatagramBatch}: queued datagrams in one call, each with its length and source. */
class DatagramBatchTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    @Test
    void takesTheQueuedDatagramsInOneCallEachWithItsLengthBytesAndSource() throws Exception {
        NativeDatagramSocket receiver = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(LOOPBACK, 0), false);
        NativeDatagramSocket sender = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(LOOPBACK, 0), false);
        try {
            int to = sender.prepareDestination(new DatagramEndpoint.Inet(LOOPBACK, receiver.localPort()));
            int[] lengths = {1, 1500, 9000, 65507, 60};
            for (int i = 0; i < lengths.length; i++) {
                sender.sendBuffer().fill((byte) (i + 1));
                assertThat(sender.send(lengths[i], to)).isZero();
            }
            DatagramBatch batch = receiver.batch();
            assertThat(batch.receive()).isEqualTo(lengths.length);
            assertThat(batch.count()).isEqualTo(lengths.length);
            IpAddress loopback = IpAddress.of(LOOPBACK);
            for (int i = 0; i < lengths.length; i++) {
                assertThat(batch.length(i)).isEqualTo(lengths[i]);
                assertThat(batch.buffer().get(batch.offset(i))).isEqualTo((byte) (i + 1));
                assertThat(batch.buffer().get(batch.offset(i) + lengths[i] - 1)).isEqualTo((byte) (i + 1));
                assertThat(batch.sourceIs(i, loopback)).isTrue();
                assertThat(batch.source(i)).isEqualTo(loopback);
                assertThat(batch.sourcePort(i)).isEqualTo(sender.localPort());
            }
        } finally {
            sender.release();
            receiver.release();
        }
    }

    @Test
    void takesAtMostItsSlotsAndTheRestNextTime() throws Exception {
        NativeDatagramSocket receiver = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(LOOPBACK, 0), false);
        NativeDatagramSocket sender = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(LOOPBACK, 0), false);
        try {
            int to = sender.prepareDestination(new DatagramEndpoint.Inet(LOOPBACK, receiver.localPort()));
            int sent = DatagramBatch.SLOTS + 3;
            for (int i = 0; i < sent; i++) {
                assertThat(sender.send(100 + i, to)).isZero();
            }
            DatagramBatch batch = receiver.batch();
            assertThat(batch.receive()).isEqualTo(DatagramBatch.SLOTS);
            assertThat(batch.length(DatagramBatch.SLOTS - 1)).isEqualTo(100 + DatagramBatch.SLOTS - 1);
            assertThat(batch.receive()).isEqualTo(3);
            assertThat(batch.length(2)).isEqualTo(100 + sent - 1);
        } finally {
            sender.release();
            receiver.release();
        }
    }

    @Test
    void aUnixDatagramHasNoSourceAddressOrPort() throws Exception {
        NativeDatagramSocket receiver = NativeDatagramSocket.bound(new DatagramEndpoint.Unix(dir.resolve("r").toString()), false);
        NativeDatagramSocket sender = NativeDatagramSocket.bound(new DatagramEndpoint.Unix(dir.resolve("s").toString()), false);
        try {
            // a unix datagram socket queues net.unix.max_dgram_qlen (10) datagrams before the sender waits
            int to = sender.prepareDestination(new DatagramEndpoint.Unix(dir.resolve("r").toString()));
            assertThat(sender.send(60, to)).isZero();
            assertThat(sender.send(70, to)).isZero();
            DatagramBatch batch = receiver.batch();
            assertThat(batch.receive()).isEqualTo(2);
            assertThat(batch.length(1)).isEqualTo(70);
            assertThat(batch.sourcePort(0)).isEqualTo(-1);
            assertThat(batch.source(0)).isNull();
        } finally {
            sender.release();
            receiver.release();
        }
    }

    @Test
    void closeWakesAWaitingReceiveWithMinusOne() throws Exception {
        NativeDatagramSocket socket = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(LOOPBACK, 0), false);
        DatagramBatch batch = socket.batch();
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            try {
                return batch.receive();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(read).isNotDone();
        socket.close();
        assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(batch.count()).isZero();
        socket.release();
    }
}
