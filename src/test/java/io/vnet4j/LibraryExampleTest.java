package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.config.ConfigException;
import io.vnet4j.port.nic.VirtualNic;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.StandardProtocolFamily;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library example ("As a library"), taken from README.md and run as written (with a temporary socket
 * path), and its calls with a VM on the socket.
 */
class LibraryExampleTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void theReadmesExampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("\n## As a library\n");
        assertThat(section).isNotNegative();
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String example = readme.substring(start, readme.indexOf("```\n", start));
        assertThat(example).contains("import io.vnet4j.Network;", "import io.vnet4j.port.nic.VirtualNic;", "/tmp/vms.sock");
        Path source = Files.writeString(Files.createDirectories(dir.resolve("src")).resolve("Example.java"),
                example.replace("/tmp/vms.sock", dir.resolve("vms.sock").toString()));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "-cp", System.getProperty("java.class.path"), "-d",
                classes.toString(), source.toString());
        assertThat(status).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("Example").getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("nothing came" + System.lineSeparator());
        assertThat(dir.resolve("vms.sock")).doesNotExist(); // closed with the network
    }

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
                Arrays.fill(frame, 0, 6, (byte) 0xff);
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
                    .isInstanceOf(ConfigException.class).hasMessageContaining("Duplicate ID");
        }
    }
}
