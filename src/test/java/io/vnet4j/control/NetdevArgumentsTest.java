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
    void aMissingTypeAListOrACommaIsRefusedNamingTheParameter() {
        assertThatThrownBy(() -> NetdevArguments.toOption(Map.of("id", "b"))).hasMessage("Parameter 'type' is missing");
        assertThatThrownBy(() -> NetdevArguments.toOption(Map.of("type", "user", "hostfwd", List.of("x"))))
                .hasMessageContaining("'hostfwd'");
        assertThatThrownBy(() -> NetdevArguments.toOption(Map.of("type", "user", "id", "a,b")))
                .hasMessageContaining("'id'");
    }
}
