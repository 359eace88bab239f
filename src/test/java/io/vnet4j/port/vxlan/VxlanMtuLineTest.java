package io.vnet4j.port.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.base.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The inner MTU a vxlan netdev's start-up line tells guests to take (on the loopback, MTU 65536, IPv4: 50 bytes
 * less): a trunk's frames carry an 802.1Q tag inside each datagram, so its guests' VLAN interfaces get 4 bytes
 * less again, as a VLAN over a Linux vxlan device does. The line said 65486 for a trunk too: VLAN interfaces
 * given that MTU sent frames of 4 bytes more than the underlay carries whole, which left fragmented.
 */
class VxlanMtuLineTest {
    private static String startLineOf(String options) throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Log.toStandardError(Log.Format.TEXT);
        try (Network network = new Network()) {
            network.addNetdev("vxlan,id=x,vni=42,local=127.0.0.1,remote=127.0.0.1,dstport=" + port + options);
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("x: VXLAN VNI 42")).findFirst().orElseThrow();
    }

    @Test
    void aTrunksInnerMtuLeavesRoomForTheTag() throws Exception {
        assertThat(startLineOf(",trunk=10")).contains("underlay lo MTU 65536: inner MTU 65482 for the trunk's VLAN interfaces");
    }

    @Test
    void anAccessPortsFramesAreUntaggedAndGetTheWholeInnerMtu() throws Exception {
        assertThat(startLineOf(",vlan=10")).contains("underlay lo MTU 65536: inner MTU 65486 (guests");
        assertThat(startLineOf("")).contains("underlay lo MTU 65536: inner MTU 65486 (guests");
    }
}
