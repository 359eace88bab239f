package io.vnet4j.port.vde;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.OnePortNetdev;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.FileAccess;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.port.dgram.DatagramNetdev;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

/**
 * QEMU's {@code -netdev vde,sock=DIR[,port=N][,group=G][,mode=M]}: a plug into a running VDE switch, as
 * libvdeplug's vde module makes one. Our data socket (AF_UNIX, SOCK_DGRAM) is bound in a private temporary
 * directory, given {@code mode} (and {@code group}) as libvdeplug gives its own, and named in a version 3
 * request on the switch's {@code DIR/ctl}; the switch connects to it and replies with its data socket's
 * address; we connect to that, remove our socket's name, and frames flow one per datagram. The port is the
 * frames' {@link DatagramNetdev}; it lives while the control connection is open, and its link goes down when the
 * switch closes that connection (as QEMU's and vde_plug's, the plug does not join a restarted switch by itself).
 *
 * <p>Differences from libvdeplug: the data socket is not in the switch's directory but in our own (mode
 * 0711: the switch can reach the socket, nobody can list the directory); {@code sock} is required (no
 * fallback to /var/run/vde.ctl); a port number is always asked for on {@code DIR/ctl}, never on a
 * port-group socket.
 */
public final class VdePlugNetdev extends OnePortNetdev<DatagramNetdev> {
    private static final long HANDSHAKE_MILLIS = 5000;

    private final String settings;
    private final Path dir;
    private final int portNumber;
    private final String group;
    private final int mode;
    private volatile java.nio.channels.SocketChannel control;
    private volatile OwnedFile privateDir;
    private volatile OwnedFile ownSocket;
    private volatile String switchSocket;
    private volatile boolean closed;
    private Thread watcher;

    public VdePlugNetdev(String id, String settings, Path dir, int portNumber, String group, int mode, Hub hub) {
        super(id, "vde", hub, new DatagramNetdev(id, "vde", settings, new DatagramNetdev.Spec(null, null, null), hub));
        this.settings = settings;
        this.dir = dir;
        this.portNumber = portNumber;
        this.group = group;
        this.mode = mode;
    }

    @Override
    public String describe() {
        String s = switchSocket;
        return s == null ? settings : settings + " (switch data socket " + s + ")";
    }

    /** Connects {@link #control} to the switch's {@code DIR/ctl}; a failure says what is there instead. */
    private void connectControl() throws IOException {
        Path ctl = dir.resolve("ctl");
        try {
            control.connect(java.net.UnixDomainSocketAddress.of(ctl));
        } catch (IOException e) {
            String notASocket = io.vnet4j.os.SocketFiles.notASocket(ctl);
            if (notASocket != null) {
                throw new IOException(ctl + " is " + notASocket + ", not a socket", e);
            }
            if (!Files.exists(ctl, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("no " + ctl + " (no switch runs there: vde_switch -s " + dir
                        + ", or a netdev vde with server=on)", e);
            }
            throw e;
        }
    }

    @Override
    public void start() throws IOException {
        NativeDatagramSocket socket = null;
        try {
            privateDir = OwnedFile.claim(Files.createTempDirectory("vnet4j-vde-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x"))));
            Path own = privateDir.path().resolve("data");
            socket = NativeDatagramSocket.bound(new DatagramEndpoint.Unix(own.toString()), false);
            ownSocket = OwnedFile.claim(own);
            int effectiveMode = grantAccess(own);
            Files.setPosixFilePermissions(own, FileAccess.permissions(effectiveMode));
            control = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            connectControl();
            String remote = handshake(control, own.toString());
            socket.connect(new DatagramEndpoint.Unix(remote));
            ownSocket.delete();
            switchSocket = remote;
            NativeDatagramSocket owned = socket;
            socket = null; // the port owns it now, and releases it even when it fails to start
            port.start(owned, null);
        } catch (IOException | RuntimeException e) {
            if (socket != null) {
                socket.release();
            }
            cleanUp();
            throw new IOException(id() + ": cannot join the VDE switch at " + dir + ": " + e.getMessage(), e);
        }
        Log.info(id() + ": joined the VDE switch at " + dir + " (its data socket " + switchSocket + ")");
        watcher = Thread.ofVirtual().name("vnet4j-" + id() + "-vdectl").start(this::watchControl);
    }

    /** Sends the request and reads the switch's data socket address, within {@value #HANDSHAKE_MILLIS} ms. */
    private String handshake(java.nio.channels.SocketChannel ctl, String ownPath) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(VdeRequest.MAX_LENGTH);
        VdeRequest.newControl(portNumber, ownPath, "vnet4j " + id()).emit(request);
        request.flip();
        Thread deadline = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(HANDSHAKE_MILLIS);
                ctl.close();
            } catch (InterruptedException | IOException e) {
                // handshake finished in time
            }
        });
        try {
            while (request.hasRemaining()) {
                ctl.write(request);
            }
            ByteBuffer reply = ByteBuffer.allocate(VdeRequest.SOCKADDR_UN_LENGTH);
            while (reply.hasRemaining()) {
                if (ctl.read(reply) < 0) {
                    throw new IOException("the switch closed the connection without a reply (port "
                            + (portNumber == 0 ? "" : portNumber + " ") + "refused?)");
                }
            }
            String remote = VdeRequest.parseAddress(reply, 0, reply.capacity());
            if (remote == null) {
                throw new IOException("the switch's reply is not a unix socket address");
            }
            return remote;
        } catch (java.nio.channels.AsynchronousCloseException e) {
            throw new IOException("no reply from the switch within " + HANDSHAKE_MILLIS + " ms", e);
        } finally {
            deadline.interrupt();
        }
    }

    /**
     * As libvdeplug: with a group, the socket gets that group; without one, when the mode grants nothing
     * to others and the switch belongs to another user than root or us, the socket gets the switch's group
     * (mode |= 070) or, failing that, is opened to all (mode |= 077). Returns the mode to set.
     */
    private int grantAccess(Path own) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(own, PosixFileAttributeView.class);
        if (group != null) {
            GroupPrincipal g = FileAccess.group(own, group);
            view.setGroup(g);
            return mode;
        }
        if ((mode & 077) != 0) {
            return mode;
        }
        try {
            UserPrincipal owner = Files.getOwner(dir.resolve("ctl"));
            String me = System.getProperty("user.name");
            if (owner.getName().equals("root") || owner.getName().equals(me)) {
                return mode;
            }
            try {
                view.setGroup(Files.readAttributes(dir.resolve("ctl"),
                        java.nio.file.attribute.PosixFileAttributes.class).group());
                return mode | 070;
            } catch (IOException e) {
                return mode | 077;
            }
        } catch (IOException e) {
            return mode; // no ctl to look at: connecting will say so
        }
    }

    /** The port lives while the switch keeps the control connection; it says so when the switch goes away. */
    private void watchControl() {
        ByteBuffer sink = ByteBuffer.allocate(256);
        try {
            while (control.read(sink) >= 0) {
                sink.clear();
            }
        } catch (IOException e) {
            // closed
        }
        if (!closed) {
            port.peerGone();
            Log.warn(id() + ": the VDE switch at " + dir + " closed our control connection (it stopped or restarted):"
                    + " the link is down; netdev_del " + id() + " and netdev_add it again to join the switch again");
        }
    }

    @Override
    public void close() {
        closed = true;
        port.close();
        cleanUp();
        Shutdown.join(watcher);
    }

    private void cleanUp() {
        Shutdown.closeQuietly(control);
        if (ownSocket != null) {
            ownSocket.delete();
        }
        if (privateDir != null) {
            privateDir.delete();
        }
    }
}
