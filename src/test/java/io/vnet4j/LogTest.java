package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTest {
    @Test
    void controlCharactersInAMessageAreEscapedSoItStaysOneLine() {
        assertThat(Log.printable("listen=127.0.0.1:80\n10")).isEqualTo("listen=127.0.0.1:80\\n10");
        assertThat(Log.printable("a\tb\rc\u0001d\u007fe")).isEqualTo("a\\tb\\rc\\x01d\\x7fe");
    }

    @Test
    void aPrintableMessageIsReturnedAsItIs() {
        String text = "tap0: 10.0.2.100/24 é";
        assertThat(Log.printable(text)).isSameAs(text);
    }
}
