package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * TAP devices in namespaces the test creates: two namespaces joined by a vnet4j hub through TAPs (one
 * with offloads, one with vnet_hdr=off, so 64 KiB TSO segments are cut to the other's MTU in software) ping each other
 * and run iperf3; a third, with {@code netns=...,configure=on,vnet_hdr=on} on a user-network hub (the
 * way a rootless container is attached; its 64 KiB TSO segments go to the gateway whole), reaches servers
 * on the host's loopback through the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class TapIT {
    private NetNamespace left;
    private NetNamespace right;
    private NetNamespace container;
    private VnetProcess vnet;
    private HttpServer http;
    private final List<Process> servers = new ArrayList<>();
    private int iperfPort;

    @BeforeAll
    void start() throws Exception {
        PeerTools.require("iperf3", "iperf3");
        long pid = ProcessHandle.current().pid();
        left = NetNamespace.create("vnet4j-it-left-" + pid);
        right = NetNamespace.create("vnet4j-it-right-" + pid);
        container = NetNamespace.create("vnet4j-it-ctr-" + pid);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            byte[] body = "hello from the host\n".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        iperfPort = PeerTools.freePort();
        servers.add(new ProcessBuilder("iperf3", "-s", "-B", "127.0.0.1", "-p", String.valueOf(iperfPort))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        vnet = VnetProcess.start(
                "-netdev", "tap,id=l,ifname=vnleft,script=no,downscript=no,vnet_hdr=on,netns=/run/netns/" + left.name(),
                "-netdev", "tap,id=r,ifname=vnright,script=no,downscript=no,vnet_hdr=off,netns=/run/netns/" + right.name(),
                "-netdev", "user,id=u,hubid=1",
                "-netdev", "tap,id=c,hubid=1,ifname=tap0,script=no,downscript=no,configure=on,vnet_hdr=on,netns=/run/netns/"
                        + container.name());
        left.execOk("ip", "addr", "add", "10.99.0.1/24", "dev", "vnleft");
        left.execOk("ip", "link", "set", "vnleft", "up");
        right.execOk("ip", "addr", "add", "10.99.0.2/24", "dev", "vnright");
        right.execOk("ip", "link", "set", "vnright", "up");
        right.execOk("ip", "link", "set", "lo", "up");
        servers.add(right.start("iperf3", "-s", "-B", "10.99.0.2", "-p", "5201"));
        PeerTools.awaitListening(iperfPort, Duration.ofSeconds(10));
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {vnet}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
        servers.forEach(Process::destroyForcibly);
        if (http != null) http.stop(0);
        for (NetNamespace ns : new NetNamespace[] {left, right, container}) {
            if (ns != null) ns.close();
        }
    }

    @Test
    void twoNamespacesPingEachOtherThroughTheHub() {
        assertThat(left.execOk("busybox", "ping", "-c", "3", "-W", "5", "10.99.0.2")).contains("3 packets received");
    }

    @Test
    void twoNamespacesRunIperf3ThroughTheHub() throws InterruptedException {
        Thread.sleep(500); // the iperf3 server in the namespace binds asynchronously
        String out = left.execOk("iperf3", "-c", "10.99.0.2", "-p", "5201", "-t", "2", "-f", "m");
        assertThat(out).contains("receiver");
        String back = left.execOk("iperf3", "-c", "10.99.0.2", "-p", "5201", "-t", "2", "-f", "m", "-R");
        assertThat(back).contains("receiver");
    }

    @Test
    void configuredNamespaceHasQemuStyleAddressAndRoute() {
        assertThat(container.execOk("ip", "-4", "addr", "show", "tap0")).contains("inet 10.0.2.100/24");
        assertThat(container.execOk("ip", "route")).contains("default via 10.0.2.2 dev tap0");
    }

    @Test
    void configuredNamespaceReachesHostServersThroughTheGateway() {
        assertThat(container.execOk("busybox", "wget", "-q", "-O", "-", "http://10.0.2.2:" + http.getAddress().getPort() + "/"))
                .contains("hello from the host");
        assertThat(container.execOk("iperf3", "-c", "10.0.2.2", "-p", String.valueOf(iperfPort), "-t", "2", "-f", "m"))
                .contains("receiver");
        assertThat(container.execOk("iperf3", "-c", "10.0.2.2", "-p", String.valueOf(iperfPort), "-t", "2", "-f", "m", "-R"))
                .contains("receiver");
    }
}
