package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * QEMU's built-in SMB server, {@code -netdev user,smb=DIR[,smbserver=ADDR]}: a guest (here Samba's smbclient in
 * a namespace behind a {@code configure=on} TAP) reads and writes DIR as {@code \\ADDR\qemu}, served by smbd run
 * per connection on a TCP socket as its standard input, with QEMU's private configuration.
 */
@Timeout(120)
class SmbIT {
    private Path dir;
    private NetNamespace ns;
    private VnetProcess vnet;

    @BeforeEach
    void start() throws Exception {
        PeerTools.require("smbd", "samba");
        PeerTools.require("smbclient", "smbclient");
        dir = Files.createTempDirectory("vnet4j-smb-it");
        ns = NetNamespace.create("vnet4j-it-smb-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void stop() throws Exception {
        if (vnet != null) vnet.close();
        if (ns != null) ns.close();
        PeerTools.deleteTree(dir);
    }

    @Test
    void aGuestReadsAndWritesTheSharedDirectory() throws Exception {
        Path share = Files.createDirectory(dir.resolve("share"));
        Files.writeString(share.resolve("from-host.txt"), "hello from the host\n");
        Path local = Files.createDirectory(dir.resolve("client"));
        Files.writeString(local.resolve("from-guest.txt"), "hello from the guest\n");
        vnet = VnetProcess.start("--control", "none", "-netdev", "user,id=u,ipv6=off,smb=" + share,
                "-netdev", "tap,id=t,ifname=tap0,configure=on,netns=/run/netns/" + ns.name());
        assertThat(vnet.log()).contains("u: guests' connections to tcp 10.0.2.4:445 go to smbd, sharing " + share
                + " as \\\\10.0.2.4\\qemu (smb=)");
        String listing = ns.execOk("sh", "-c", "cd " + local + " && smbclient //10.0.2.4/qemu -N"
                + " -c 'get from-host.txt got.txt; put from-guest.txt from-guest.txt; ls'");
        assertThat(listing).contains("from-host.txt", "from-guest.txt");
        assertThat(Files.readString(local.resolve("got.txt"))).isEqualTo("hello from the host\n");
        assertThat(Files.readString(share.resolve("from-guest.txt"))).isEqualTo("hello from the guest\n");
        assertThat(vnet.process().isAlive()).as("smbd must not take the daemon with it").isTrue();
    }

    /**
     * Also connections that come back to back, each one's smbd starting while the last one's ends: with QEMU's
     * smb.conf as it is, about one in twenty such tree connects failed (NT_STATUS_NO_MEMORY, "No notify daemon
     * around": see {@code SmbShare.configuration}).
     */
    @Test
    void smbserverMovesTheShareAndPort139ServesItToo() throws Exception {
        Path share = Files.createDirectory(dir.resolve("share"));
        Files.writeString(share.resolve("a.txt"), "a\n");
        vnet = VnetProcess.start("--control", "none", "-netdev", "user,id=u,ipv6=off,smb=" + share
                + ",smbserver=10.0.2.77", "-netdev", "tap,id=t,ifname=tap0,configure=on,netns=/run/netns/" + ns.name());
        for (int round = 0; round < 15; round++) {
            for (String port : new String[] {"445", "139"}) {
                assertThat(ns.execOk("smbclient", "//10.0.2.77/qemu", "-N", "-p", port, "-c", "ls"))
                        .as("round %d, port %s", round, port).contains("a.txt");
            }
        }
        assertThat(vnet.process().isAlive()).isTrue();
    }
}
