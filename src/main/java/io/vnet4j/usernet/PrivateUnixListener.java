package io.vnet4j.usernet;

import io.vnet4j.base.Shutdown;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A unix socket that only this user can connect to: bound in a new 0700 directory under the temporary
 * directory, both removed at {@link #close}. The gateway's TCP proxy connects guests' connections to such a
 * socket where this process serves them itself ({@link CommandBridge}, {@link DnsOverTcpBridge}); a TCP
 * listener on loopback would serve any local user.
 */
final class PrivateUnixListener implements AutoCloseable {
    private final OwnedFile directory;
    private final OwnedFile socketFile;
    private final UnixDomainSocketAddress address;
    private final ServerSocketChannel channel;

    /** @param prefix the directory's name before the random part, e.g. {@code vnet4j-guestfwd} */
    PrivateUnixListener(String prefix) throws IOException {
        this.directory = OwnedFile.claim(Files.createTempDirectory(prefix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
        this.address = UnixDomainSocketAddress.of(directory.path().resolve("sock"));
        this.channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            this.socketFile = SocketFiles.bind(channel, address.getPath());
        } catch (IOException e) {
            channel.close();
            directory.delete();
            throw e;
        }
    }

    UnixDomainSocketAddress address() {
        return address;
    }

    /** The listening channel, blocking until its user makes it otherwise (the DNS-over-TCP bridge's loop does). */
    ServerSocketChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        Shutdown.closeQuietly(channel);
        socketFile.delete();
        directory.delete();
    }
}
