package io.vnet4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.Network;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * helper-113: {@code netdev_add socket,id=vms.3,...} beside stream server {@code vms} was taken, and {@code set_link
 * vms.3} then reached that netdev, never the server's port of the same name. Such ids are refused, in either order,
 * on the command line and at run time.
 */
class PortIdsTest {
    @Test
    void anIdOfTheFormIdDotNumberOfAnotherNetdevClashesEitherWay() {
        assertThat(PortIds.clash("vms.3", List.of("u", "vms"))).isEqualTo("vms");
        assertThat(PortIds.clash("vms", List.of("vms.12"))).isEqualTo("vms.12");
        assertThat(PortIds.clash("vms.3a", List.of("vms"))).isNull();
        assertThat(PortIds.clash("vms.", List.of("vms"))).isNull();
        assertThat(PortIds.clash("vmsx.3", List.of("vms"))).isNull();
        assertThat(PortIds.clash("vms.3", List.of("vms.3.1"))).isEqualTo("vms.3.1");
        assertThat(PortIds.refusal("vms.3", "vms")).isEqualTo("ID 'vms.3' is how netdev 'vms' names its ports (ID.N): pick another");
    }

    @Test
    void theCommandLineRefusesThePairInEitherOrder() {
        assertThatThrownBy(() -> parse("stream,id=vms,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=0",
                "user,id=vms.0"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ID 'vms.0' is how netdev 'vms' names its ports (ID.N): pick another");
        assertThatThrownBy(() -> parse("user,id=vms.0",
                "stream,id=vms,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=0"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ID 'vms' would name its ports as netdev 'vms.0' is named (ID.N): pick another");
    }

    private static void parse(String... netdevs) throws ConfigException {
        ConfigParser parser = new ConfigParser();
        for (String netdev : netdevs) {
            parser.netdev(netdev);
        }
        parser.build();
    }

    @Test
    void netdevAddRefusesAnIdThatARunningNetdevsPortsWouldTake() throws Exception {
        try (Network network = new Network()) {
            network.addNetdev("stream,id=vms,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=0");
            assertThatThrownBy(() -> network.addNetdev("user,id=vms.3")).isInstanceOf(ConfigException.class)
                    .hasMessage("-netdev user,id=vms.3: ID 'vms.3' is how netdev 'vms' names its ports (ID.N): pick another");
            assertThat(network.netdev("vms.3")).isNull();
        }
    }
}
