package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** QMP netdev_add arguments flattened to the -netdev option, as QEMU's keyval reads it. */
class NetdevArgumentsTest {
    @Test
    void nestedObjectsBecomeDottedKeysAndBooleansOnOff() {
        Object args = Json.parse("{\"type\":\"stream\",\"id\":\"b\",\"server\":true,"
                + "\"addr\":{\"type\":\"unix\",\"path\":\"/tmp/b.sock\"},\"reconnect\":5}");
        assertThat(NetdevArguments.toOption((Map<?, ?>) args))
                .isEqualTo("stream,id=b,server=on,addr.type=unix,addr.path=/tmp/b.sock,reconnect=5");
    }

    @Test
    void aListOfQapiStringsRepeatsTheKey() {
        Object args = Json.parse("{\"type\":\"user\",\"id\":\"u\",\"hostfwd\":[{\"str\":\"tcp::2222-:22\"},"
                + "{\"str\":\"udp::5353-:53\"}],\"dnssearch\":[\"example.org\"]}");
        assertThat(NetdevArguments.toOption((Map<?, ?>) args))
                .isEqualTo("user,id=u,hostfwd=tcp::2222-:22,hostfwd=udp::5353-:53,dnssearch=example.org");
    }

    @Test
    void aMissingTypeABadListElementOrACommaIsRefusedNamingTheParameter() {
        assertThatThrownBy(() -> NetdevArguments.toOption(Map.of("id", "b"))).hasMessage("Parameter 'type' is missing");
        assertThatThrownBy(() -> NetdevArguments.toOption(Map.of("type", "user", "hostfwd", List.of(1))))
                .hasMessageContaining("'hostfwd' expects a list of {\"str\": STRING} objects");
        assertThatThrownBy(() -> NetdevArguments.toOption(Map.of("type", "user", "hostfwd", List.of(Map.of("s", "x")))))
                .hasMessageContaining("'hostfwd'");
        assertThatThrownBy(() -> NetdevArguments.toOption(Map.of("type", "user", "id", "a,b")))
                .hasMessageContaining("'id'");
    }
}
