package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Hands one descriptor and a short text from one process to another over a unix datagram socket
 * (unix(7) SCM_RIGHTS), as slirp4netns's child hands its TAP back to the parent. The receiver
 * {@link #listen}s on a path in a directory only it can enter; the sender {@link #send}s to it once.
 */
public final class DescriptorChannel implements AutoCloseable {
    private static final int MESSAGE_MAX = 4096;
    private static final int CMSG_HEADER = MessageHeader.CMSG_HEADER;
    /** CMSG_SPACE(sizeof(int)): the header and one descriptor, padded to 8 bytes. */
    private static final int CMSG_SPACE_ONE_FD = 24;

    private final int fd;

    private DescriptorChannel(int fd) {
        this.fd = fd;
    }

    /** What arrived: a descriptor now owned by the caller (-1 when none came) and the text. */
    public record Received(int descriptor, String message) {}

    /**
     * Binds a unix datagram socket at {@code path} that waits at most {@code timeoutMillis} ms per
     * {@link #receive}.
     */
    public static DescriptorChannel listen(Path path, int timeoutMillis) throws IOException {
        int fd = socket();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            MemorySegment timeval = call.allocate(16, 8);
            timeval.set(ValueLayout.JAVA_LONG, 0, timeoutMillis / 1000);
            timeval.set(ValueLayout.JAVA_LONG, 8, (timeoutMillis % 1000) * 1000L);
            MemorySegment address = call.allocate(SockaddrCodec.SOCKADDR_MAX, 8);
            int length = SockaddrCodec.encode(new DatagramEndpoint.Unix(path.toString()), address);
            if ((int) Downcall.call(Libc.SETSOCKOPT.handle(), errno, fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO,
                    timeval.address(), 16) != 0
                    || (int) Downcall.call(Libc.BIND.handle(), errno, fd, address.address(), length) != 0) {
                int e = Libc.errno(errno);
                Libc.closeQuietly(fd);
                throw NativeDatagramSocket.failure("bind " + path, e);
            }
            return new DescriptorChannel(fd);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            Libc.closeQuietly(fd);
            throw new IOException("descriptor channel: " + t, t);
        }
    }

    /**
     * Waits for one message, at most the time-out given to {@link #listen}; the descriptor in it, if any, is
     * now the caller's (close-on-exec).
     *
     * @return the message, or null when none came in time
     */
    public Received receive() throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            MemorySegment data = call.allocate(MESSAGE_MAX);
            MemorySegment control = call.allocate(64, 8);
            MessageHeader message = new MessageHeader(call);
            MemorySegment header = message.set(MemorySegment.NULL, 0, data, MESSAGE_MAX, control, 64);
            long n = Downcall.call(Libc.RECVMSG.handle(), errno, fd, header.address(), Libc.MSG_CMSG_CLOEXEC);
            if (n < 0) {
                int e = Libc.errno(errno);
                if (e == Libc.EAGAIN || e == Libc.EINTR) {
                    return null;
                }
                throw NativeDatagramSocket.failure("recvmsg", e);
            }
            long controlLength = message.controlLength();
            int received = -1;
            if (controlLength >= CMSG_HEADER + 4 && control.get(ValueLayout.JAVA_INT, 8) == Libc.SOL_SOCKET
                    && control.get(ValueLayout.JAVA_INT, 12) == Libc.SCM_RIGHTS) {
                received = control.get(ValueLayout.JAVA_INT, CMSG_HEADER);
            }
            byte[] text = data.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            return new Received(received, new String(text, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("recvmsg: " + t, t);
        }
    }

    /** Sends {@code message} with a copy of {@code descriptor} (none when negative) to the socket at {@code path}. */
    public static void send(Path path, int descriptor, String message) throws IOException {
        int fd = socket();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            MemorySegment address = call.allocate(SockaddrCodec.SOCKADDR_MAX, 8);
            int addressLength = SockaddrCodec.encode(new DatagramEndpoint.Unix(path.toString()), address);
            byte[] text = message.getBytes(StandardCharsets.UTF_8);
            MemorySegment data = call.allocateFrom(ValueLayout.JAVA_BYTE, text);
            MemorySegment control = MemorySegment.NULL;
            int controlLength = 0;
            if (descriptor >= 0) {
                control = call.allocate(CMSG_SPACE_ONE_FD, 8);
                control.set(ValueLayout.JAVA_LONG, 0, CMSG_HEADER + 4);
                control.set(ValueLayout.JAVA_INT, 8, Libc.SOL_SOCKET);
                control.set(ValueLayout.JAVA_INT, 12, Libc.SCM_RIGHTS);
                control.set(ValueLayout.JAVA_INT, CMSG_HEADER, descriptor);
                controlLength = CMSG_SPACE_ONE_FD;
            }
            MemorySegment header = new MessageHeader(call).set(address, addressLength, data, text.length, control,
                    controlLength);
            if (Downcall.call(Libc.SENDMSG.handle(), errno, fd, header.address(), 0) < 0) {
                throw NativeDatagramSocket.failure("sendmsg to " + path, Libc.errno(errno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("sendmsg: " + t, t);
        } finally {
            Libc.closeQuietly(fd);
        }
    }

    private static int socket() throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            int fd = (int) Downcall.call(Libc.SOCKET.handle(), errno, Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw NativeDatagramSocket.failure("socket(AF_UNIX)", Libc.errno(errno));
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("socket: " + t, t);
        }
    }

    @Override
    public void close() {
        Libc.closeQuietly(fd);
    }
}
