package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guestfwd=...-cmd:COMMAND}: the bridge between a guest connection (here a unix client) and a command. */
class CommandBridgeTest {
    @TempDir
    Path dir;

    @Test
    void aLineReachesTheCommandAndItsAnswerComesBackWhileTheConnectionStaysOpen() throws Exception {
        try (CommandBridge bridge = new CommandBridge("u", "cat");
                SocketChannel guest = SocketChannel.open(bridge.address())) {
            OutputStream out = Channels.newOutputStream(guest);
            InputStream in = Channels.newInputStream(guest);
            for (String line : new String[] {"ping\n", "second request\n"}) {
                out.write(line.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(readLine(in)).isEqualTo(line);
            }
        }
    }

    @Test
    void theCommandSeesTheEndOfInputWhenTheGuestHalfCloses() throws Exception {
        try (CommandBridge bridge = new CommandBridge("u", "wc -c");
                SocketChannel guest = SocketChannel.open(bridge.address())) {
            guest.write(java.nio.ByteBuffer.wrap("12345".getBytes(StandardCharsets.US_ASCII)));
            guest.shutdownOutput();
            byte[] answer = CompletableFuture.supplyAsync(() -> readAll(Channels.newInputStream(guest)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(new String(answer, StandardCharsets.US_ASCII).trim()).isEqualTo("5");
        }
    }

    /**
     * As libslirp's fork_exec: standard input, output and error are one TCP socket (smbd serves a connection only
     * on such a socket), and the command holds no other descriptor of the daemon's.
     */
    @Test
    void theCommandRunsOnATcpSocketAsItsStandardInputOutputAndErrorAndHoldsNothingElse() throws Exception {
        String command = "i=$(readlink /proc/$$/fd/0 | tr -dc 0-9); [ -n \"$i\" ] && grep -q \" $i \" /proc/net/tcp"
                + " && echo tcp; [ \"$(readlink /proc/$$/fd/1)\" = \"$(readlink /proc/$$/fd/0)\" ] && echo out;"
                + " echo err >&2; ls /proc/self/fd | tr '\\n' ' '";
        try (CommandBridge bridge = new CommandBridge("u", command);
                SocketChannel guest = SocketChannel.open(bridge.address())) {
            guest.shutdownOutput();
            byte[] answer = CompletableFuture.supplyAsync(() -> readAll(Channels.newInputStream(guest)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(new String(answer, StandardCharsets.US_ASCII)).as("ls's own directory is 3")
                    .isEqualTo("tcp\nout\nerr\n0 1 2 3 ");
        }
    }

    @Test
    void aSlowReaderGetsEveryByteAndHoldsTheCommandBack() throws Exception {
        Path done = dir.resolve("done");
        // about 15 MB, of which the guest first reads a quarter: the 11 MB left are far more than the sockets between
        // it and the command hold (about 1 MiB in the TCP pair, CommandBridge.PAIR_BUFFER_BYTES, and the unix socket's
        // 200 KiB); before those were fixed, the pair's receive buffer grew to tcp_rmem's 32 MiB here, and the
        // command sometimes finished
        int lines = 2_000_000;
        byte[] expected = seq(lines);
        try (CommandBridge bridge = new CommandBridge("u", "seq 1 " + lines + "; touch " + done);
                SocketChannel guest = SocketChannel.open(bridge.address())) {
            InputStream in = Channels.newInputStream(guest);
            byte[] quarter = in.readNBytes(expected.length / 4);
            Thread.sleep(200); // give a bridge that buffers without bound the chance to run ahead
            assertThat(done).as("the command finished while the guest had read only a quarter").doesNotExist();
            byte[] rest = CompletableFuture.supplyAsync(() -> readAll(in)).get(60, TimeUnit.SECONDS);
            ByteArrayOutputStream all = new ByteArrayOutputStream(expected.length);
            all.write(quarter);
            all.write(rest);
            assertThat(all.toByteArray()).isEqualTo(expected);
        }
    }

    private static String readLine(InputStream in) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                for (int b; (b = in.read()) >= 0; ) {
                    line.write(b);
                    if (b == '\n') {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return line.toString(StandardCharsets.US_ASCII);
        }).get(30, TimeUnit.SECONDS);
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] seq(int lines) {
        StringBuilder s = new StringBuilder(lines * 8);
        for (int i = 1; i <= lines; i++) {
            s.append(i).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
