package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A QEMU guest boots over the network from vnet4j's user network, as from QEMU's own {@code -netdev
 * user,tftp=DIR,bootfile=NAME}: the NIC's firmware (QEMU's iPXE ROM, under SeaBIOS) takes a lease that names the
 * boot file (DHCP's file field and option 67; DHCPv6's boot file URL, option 59, RFC 5970), fetches that iPXE
 * script by TFTP with blksize and tsize (RFC 2348, 2349), and the script the kernel and initramfs, which boot to
 * the guest's shell. The kernel's command line comes from the script, so the guest's name proves it ran. A boot
 * file that is a URL (iPXE's HTTP boot) brings them by HTTP through the gateway's NAT instead.
 *
 * <p>iPXE configures IPv4 and IPv6 at once and waits for both: without an answer on one it waits out its
 * time-outs (about 13 s for router solicitations, 15 s for DHCPDISCOVER), with QEMU's user network too. The
 * IPv6-only boot pays the DHCPv4 wait.
 */
@Timeout(240)
class PxeBootIT {
    private Path dir;
    private Path tftp;
    private VnetProcess vnet;
    private QemuGuest guest;

    @BeforeEach
    void bootFiles() throws Exception {
        PeerTools.require("qemu-system-x86_64", "qemu-system-x86");
        assertThat(Path.of("/usr/lib/ipxe/qemu/efi-virtio.rom")).as("QEMU's iPXE ROM (apt-get install ipxe-qemu)")
                .exists();
        dir = Files.createTempDirectory("vnet4j-pxe-it");
        tftp = Files.createDirectory(dir.resolve("tftp"));
        GuestImage image = GuestImage.get();
        Files.copy(image.kernel(), tftp.resolve("vmlinuz"));
        Files.copy(image.initrd(), tftp.resolve("initramfs.cpio.gz"));
        // Relative names: iPXE fetches them from where the script came from, tftp://10.0.2.2/ or tftp://[fec0::2]/.
        Files.writeString(tftp.resolve("boot.ipxe"), """
                #!ipxe
                kernel vmlinuz console=ttyS0 quiet panic=-1 no_timer_check vnet.name=pxe
                initrd initramfs.cpio.gz
                boot
                """);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {guest, vnet}) {
            if (c != null) c.close();
        }
        PeerTools.deleteTree(dir);
    }

    @Test
    void aGuestBootsFromTheBootFileOverTftp() throws Exception {
        bootThrough("user,id=u,tftp=" + tftp + ",bootfile=boot.ipxe");
        guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
        assertThat(guest.runOk("ping -c 1 -W 5 10.0.2.2")).contains("1 packets received");
    }

    @Test
    void anIpv6OnlyGuestBootsFromTheBootFileUrlOverTftp() throws Exception {
        bootThrough("user,id=u,ipv4=off,tftp=" + tftp + ",bootfile=boot.ipxe");
    }

    /**
     * iPXE takes a URL as the boot file: the script, kernel and initramfs come by HTTP from a server on the host's
     * loopback, through the gateway's NAT (10.0.2.2 is the host), over iPXE's own small TCP.
     */
    @Test
    void aGuestBootsFromABootFileUrlOverHttpThroughTheNat() throws Exception {
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> served = new CopyOnWriteArrayList<>();
        server.createContext("/", SimpleFileServer.createFileHandler(tftp)).getFilters()
                .add(Filter.afterHandler("served", e -> served.add(e.getRequestURI() + " " + e.getResponseCode())));
        server.start();
        try {
            bootThrough("user,id=u,ipv6=off,bootfile=http://10.0.2.2:" + server.getAddress().getPort() + "/boot.ipxe",
                    "tcp connections");
        } finally {
            server.stop(0);
        }
        assertThat(served).containsExactly("/boot.ipxe 200", "/vmlinuz 200", "/initramfs.cpio.gz 200");
    }

    /** Boots the guest from vnet4j's user network with these options; checks its name and the three transfers. */
    private void bootThrough(String usernet) throws Exception {
        bootThrough(usernet, "tftp: completed 3, refused 0");
    }

    /** Boots the guest from vnet4j's user network with these options; checks its name and {@code info network}. */
    private void bootThrough(String usernet, String infoNetwork) throws Exception {
        Path vms = dir.resolve("vms.sock");
        String control = dir.resolve("control.sock").toString();
        vnet = VnetProcess.start("--control", control, "-netdev", usernet,
                "-netdev", "stream,id=vms,server=on,addr.type=unix,addr.path=" + vms);
        guest = QemuGuest.builder("pxe").netdev("stream,server=off,addr.type=unix,addr.path=" + vms)
                .bootFromNetwork().start();
        guest.awaitReady(Duration.ofSeconds(180));
        assertThat(guest.runOk("hostname")).as("the name on the script's kernel command line").isEqualTo("pxe\n");
        PeerTools.Exec info = VnetProcess.ctl(null, "--control", control, "info", "network");
        assertThat(info.output()).contains(infoNetwork);
    }
}
