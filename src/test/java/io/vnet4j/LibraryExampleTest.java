package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.config.ConfigException;
import io.vnet4j.port.nic.VirtualNic;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's library example, run as written (with a temporary socket path). */
class LibraryExampleTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void nicAndQemuStyleNetdevShareAHub() throws Exception {
        Path socket = dir.resolve("vms.sock");
        try (Network network = new Network()) {
            VirtualNic nic = network.attachNic("java0", 0);
            network.addNetdev("stream,id=vms,server=on,addr.type=unix,addr.path=" + socket);
            try (SocketChannel vm = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                vm.connect(UnixDomainSocketAddress.of(socket));
                while (network.netdev("vms").ports().isEmpty()) {
                    Thread.sleep(10);
                }
                byte[] frame = new byte[60];
                frame[0] = (byte) 0xff;
                nic.send(frame);
                ByteBuffer got = ByteBuffer.allocate(64);
                while (got.position() < 64) {
                    vm.read(got);
                }
                assertThat(got.getInt(0)).isEqualTo(60);

                ByteBuffer back = ByteBuffer.allocate(64).putInt(60).put(frame).flip();
                vm.write(back);
                assertThat(nic.receive(5, TimeUnit.SECONDS)).isEqualTo(frame);
            }
        }
    }

    @Test
    void refusesASecondNetdevWithTheSameId() throws Exception {
        try (Network network = new Network()) {
            network.attachNic("a", 0);
            assertThatThrownBy(() -> network.addNetdev("stream,id=a,server=on,addr.type=unix,addr.path=" + dir.resolve("s")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("already in use");
        }
    }
}
