package io.vnet4j.os;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;

/**
 * A descriptor this process was started with, by number: slirp4netns's {@code --ready-fd} and
 * {@code --exit-fd} (a pipe the parent made, passed as fd 3 or 4). The JDK opens no descriptor by number,
 * but {@code sun.nio.ch.IOUtil.newFD(int)} wraps one, and {@code sun.nio.ch} is exported to this code by the
 * jar's manifest ({@code bin/vnet4j} runs {@code java -jar}) and by the tests' command line; then the stream
 * over it reads, writes and closes that very descriptor, as main.c does. Without the export, the descriptor
 * is reopened through {@code /proc/self/fd/N} (a pipe reopens fine): that reads and writes the same pipe,
 * but closing the reopened one leaves descriptor N itself open.
 */
public final class InheritedDescriptor {
    private static final MethodHandle NEW_FD = find();

    private InheritedDescriptor() {}

    private static MethodHandle find() {
        try {
            return MethodHandles.lookup().findStatic(Class.forName("sun.nio.ch.IOUtil"), "newFD",
                    MethodType.methodType(FileDescriptor.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // not exported to us
        }
    }

    /**
     * Writes "1" to descriptor {@code fd} and closes it: main.c's ready signal, given once the network is up.
     *
     * @throws IOException when the descriptor is not open for writing
     */
    public static void signalReady(int fd) throws IOException {
        try (OutputStream out = NEW_FD == null ? new FileOutputStream(procPath(fd)) : new FileOutputStream(wrap(fd))) {
            out.write("1".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * Blocks until descriptor {@code fd} ends: end of file (every writer of the pipe closed it), or an error
     * such as a descriptor that is not open (slirp4netns's poll reports those too). Data read is ignored; the
     * descriptor is closed before this returns.
     */
    public static void awaitEnd(int fd) {
        byte[] sink = new byte[256];
        try (InputStream in = NEW_FD == null ? new FileInputStream(procPath(fd)) : new FileInputStream(wrap(fd))) {
            while (in.read(sink) >= 0) {
                // slirp4netns waits for the hang-up only; what is written is not a command
            }
        } catch (IOException e) {
            // an error ends the wait as the end of file does
        }
    }

    private static String procPath(int fd) {
        return "/proc/self/fd/" + fd;
    }

    private static FileDescriptor wrap(int fd) throws IOException {
        try {
            return (FileDescriptor) NEW_FD.invokeExact(fd);
        } catch (Throwable t) {
            throw new IOException("descriptor " + fd + ": " + t, t);
        }
    }
}
