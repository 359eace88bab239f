package io.vnet4j.bench;

import io.vnet4j.fabric.Hub;
import io.vnet4j.port.stream.StreamServerNetdev;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End to end over loopback: a client writes QEMU-framed frames as fast as it can into one connection of
 * a vnet4j stream listener, a second client reads what the hub forwards to it. Prints frames/s and Gbit/s
 * received, and the frames the hub dropped because the receiving port's queue was full.
 *
 * <p>Run: {@code bench/stream-loopback.sh} (frame sizes 64 and 1500, 5 s each).
 */
public final class StreamLoopbackBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        for (int size : new int[] {64, 1500}) {
            run(size, seconds);
        }
    }

    private static void run(int frameSize, int seconds) throws Exception {
        Hub hub = new Hub(0);
        StreamServerNetdev server = new StreamServerNetdev("bench", "socket", "listen=127.0.0.1:0",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), hub);
        server.start();
        SocketAddress address = server.boundAddress();
        try (SocketChannel tx = SocketChannel.open(address); SocketChannel rx = SocketChannel.open(address)) {
            tx.setOption(StandardSocketOptions.TCP_NODELAY, true);
            while (hub.ports().size() < 2) {
                Thread.sleep(10);
            }
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong receivedBytes = new AtomicLong();
            Thread reader = Thread.ofPlatform().start(() -> read(rx, running, receivedBytes));
            Thread writer = Thread.ofPlatform().start(() -> write(tx, frameSize, running));
            Thread.sleep(1000); // warm-up
            long startBytes = receivedBytes.get();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long bytes = receivedBytes.get() - startBytes;
            double elapsed = (System.nanoTime() - start) / 1e9;
            running.set(false);
            long dropped = hub.ports().stream().mapToLong(p -> p.counters().snapshot().txDropped()).sum();
            double frames = bytes / (double) (frameSize + 4) / elapsed;
            System.out.printf("stream loopback, %4d-byte frames: %,12.0f frames/s  %6.2f Gbit/s  (dropped at the full queue: %,d)%n",
                    frameSize, frames, frames * frameSize * 8 / 1e9, dropped);
            tx.close();
            rx.close();
            writer.join();
            reader.join();
        } finally {
            server.close();
        }
    }

    private static void write(SocketChannel tx, int frameSize, AtomicBoolean running) {
        ByteBuffer batch = ByteBuffer.allocateDirect(256 * 1024);
        while (batch.remaining() >= frameSize + 4) {
            batch.putInt(frameSize);
            for (int i = 0; i < frameSize; i++) {
                batch.put((byte) (i == 0 ? 0xff : i));
            }
        }
        batch.flip();
        try {
            while (running.get()) {
                batch.rewind();
                while (batch.hasRemaining()) {
                    tx.write(batch);
                }
            }
        } catch (IOException e) {
            // closed at the end of the run
        }
    }

    private static void read(SocketChannel rx, AtomicBoolean running, AtomicLong received) {
        ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
        try {
            while (running.get()) {
                in.clear();
                int n = rx.read(in);
                if (n < 0) {
                    return;
                }
                received.addAndGet(n);
            }
        } catch (IOException e) {
            // closed at the end of the run
        }
    }
}
