package io.vnet4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionStringTest {

    @Test
    void splitsTheImpliedTypeAndKeyValuePairs() throws ConfigException {
        OptionString o = OptionString.parse("-netdev", "socket,id=a,listen=:8010");
        assertThat(o.option()).isEqualTo("-netdev");
        assertThat(o.implied()).isEqualTo("socket");
        assertThat(o.has("id")).isTrue();
        assertThat(o.take("id")).isEqualTo("a");
        assertThat(o.has("id")).isFalse();
        assertThat(o.take("id")).isNull();
        assertThat(o.take("listen")).isEqualTo(":8010");
        o.finish(Set.of());
    }

    @Test
    void hasNoImpliedValueWhenTheFirstPartIsAPair() throws ConfigException {
        OptionString o = OptionString.parse("-netdev", "type=socket,id=a");
        assertThat(o.implied()).isNull();
        assertThat(o.take("type")).isEqualTo("socket");
    }

    @Test
    void aDoubledCommaIsALiteralComma() throws ConfigException {
        OptionString o = OptionString.parse("-netdev", "stream,addr.path=/tmp/a,,b,id=x");
        assertThat(o.take("addr.path")).isEqualTo("/tmp/a,b");
        assertThat(o.take("id")).isEqualTo("x");
        assertThat(OptionString.parse("-netdev", "t,p=a,,,,b").take("p")).isEqualTo("a,,b");
        assertThat(OptionString.parse("-netdev", "t,p=end,,").take("p")).isEqualTo("end,");
    }

    @Test
    void aValueMayContainEqualsSignsAndBeEmpty() throws ConfigException {
        OptionString o = OptionString.parse("-object", "x,a=b=c,e=");
        assertThat(o.take("a")).isEqualTo("b=c");
        assertThat(o.take("e")).isEmpty();
    }

    @Test
    void rejectsAKeyGivenTwice() {
        assertThatThrownBy(() -> OptionString.parse("-netdev", "socket,id=a,id=b").take("id"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("-netdev socket,id=a,id=b: id is given twice");
    }

    @Test
    void rejectsABareValueAfterTheFirst() {
        assertThatThrownBy(() -> OptionString.parse("-netdev", "socket,id=a,oops"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("-netdev socket,id=a,oops")
                .hasMessageContaining("expected key=value, got 'oops'");
    }

    /** helper-104: QEMU 7.2 takes "restrict" for restrict=on (deprecated); vnet4j says what to write instead. */
    @Test
    void aShortFormBooleanIsRefusedSayingWhatToWrite() {
        assertThatThrownBy(() -> OptionString.parse("-netdev", "user,id=u,restrict"))
                .hasMessage("-netdev user,id=u,restrict: expected key=value, got 'restrict' (QEMU reads it as "
                        + "restrict=on, a short form it deprecated: write restrict=on)");
        assertThatThrownBy(() -> OptionString.parse("-netdev", "user,id=u,norestrict"))
                .hasMessageEndingWith("(QEMU reads it as restrict=off, a short form it deprecated: write restrict=off)");
    }

    @Test
    void rejectsEmptyPartsAndEmptyKeys() {
        assertThatThrownBy(() -> OptionString.parse("-netdev", "")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected key=value");
        assertThatThrownBy(() -> OptionString.parse("-netdev", ",id=a")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected key=value, got ''");
        assertThatThrownBy(() -> OptionString.parse("-netdev", "socket,=x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("empty option name in '=x'");
    }

    @Test
    void oneTrailingCommaEndsTheListAsInQemu() throws ConfigException {
        // QEMU's QemuOpts and keyval parsers skip the comma after the last pair: a script that appends
        // "hostfwd=...," per port (qemus/qemu#817's network.sh) starts QEMU, and must start vnet4j too
        OptionString o = OptionString.parse("-netdev", "user,id=u,hostfwd=tcp::2222-:22,hostfwd=tcp::8080-:80,");
        assertThat(o.takeAll("hostfwd")).containsExactly("tcp::2222-:22", "tcp::8080-:80");
        assertThat(o.take("id")).isEqualTo("u");
        o.finish(Set.of());
        assertThat(OptionString.parse("-netdev", "socket,").implied()).isEqualTo("socket");
        assertThat(OptionString.parse("-netdev", "t,p=end,,,").take("p")).isEqualTo("end,");
    }

    @Test
    void requireRejectsAMissingOrEmptyValue() throws ConfigException {
        OptionString o = OptionString.parse("-netdev", "socket,id=");
        assertThatThrownBy(() -> o.require("id", "the netdev's name"))
                .hasMessage("-netdev socket,id=: id: expected the netdev's name, got an empty value");
        assertThatThrownBy(() -> o.require("listen", "where"))
                .hasMessageContaining("listen= is required (where)");
    }

    @Test
    void readsBooleansAndRejectsOthers() throws ConfigException {
        OptionString o = OptionString.parse("-netdev", "s,a=on,b=off,c=yes,d=no,e=true,f=false,g=maybe");
        assertThat(o.takeBoolean("a", false)).isTrue();
        assertThat(o.takeBoolean("b", true)).isFalse();
        assertThat(o.takeBoolean("c", false)).isTrue();
        assertThat(o.takeBoolean("d", true)).isFalse();
        assertThat(o.takeBoolean("e", false)).isTrue();
        assertThat(o.takeBoolean("f", true)).isFalse();
        assertThat(o.takeBoolean("absent", true)).isTrue();
        assertThatThrownBy(() -> o.takeBoolean("g", false)).hasMessageContaining("g: expected on or off, got 'maybe'");
    }

    @Test
    void readsQemusYAndNBooleans() throws ConfigException {
        // QEMU's qapi_bool_parse takes y and n too, as old command lines write restrict=y ("-net user,restrict=y"
        // in the Arch wiki, "-nic user,restrict=y,guestfwd=..." in NixOS configurations); case matters, as there
        OptionString o = OptionString.parse("-netdev", "user,restrict=y,ipv6=n,ipv4=Y");
        assertThat(o.takeBoolean("restrict", false)).isTrue();
        assertThat(o.takeBoolean("ipv6", true)).isFalse();
        assertThatThrownBy(() -> o.takeBoolean("ipv4", false)).hasMessageContaining("ipv4: expected on or off, got 'Y'");
    }

    @Test
    void readsBoundedNumbers() throws ConfigException {
        OptionString o = OptionString.parse("-netdev", "s,n=7,big=11,neg=-1,word=x");
        assertThat(o.takeLong("n", 0, 0, 10)).isEqualTo(7);
        assertThat(o.takeLong("absent", 42, 0, 10)).isEqualTo(42);
        assertThatThrownBy(() -> o.takeLong("big", 0, 0, 10)).hasMessageContaining("big: expected a whole number from 0 to 10, got '11'");
        assertThatThrownBy(() -> o.takeLong("neg", 0, 0, 10)).hasMessageContaining("got '-1'");
        assertThatThrownBy(() -> o.takeLong("word", 0, 0, 10)).hasMessageContaining("got 'x'");
    }

    @Test
    void readsNumbersAsQemuDoesWithBaseZero() throws ConfigException {
        // QEMU 7.2's QemuOpts and input visitors read numbers with strtol's base 0: hubport's hubid=010 is hub 8
        OptionString o = OptionString.parse("-netdev", "s,oct=010,hex=0x10,plus=+5,zero=0,bad=08,hexbad=0x");
        assertThat(o.takeLong("oct", 0, 0, 100)).isEqualTo(8);
        assertThat(o.takeLong("hex", 0, 0, 100)).isEqualTo(16);
        assertThat(o.takeLong("plus", 0, 0, 100)).isEqualTo(5);
        assertThat(o.takeLong("zero", 1, 0, 100)).isEqualTo(0);
        assertThatThrownBy(() -> o.takeLong("bad", 0, 0, 100))
                .hasMessageContaining("bad: expected a whole number from 0 to 100, got '08' (a leading 0 makes it octal");
        assertThatThrownBy(() -> o.takeLong("hexbad", 0, 0, 100)).hasMessageContaining("got '0x'");
        assertThat(OptionString.cInteger("-0x1f")).isEqualTo(-31);
        assertThatThrownBy(() -> OptionString.cInteger("+-1")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> OptionString.cInteger("0x-1")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> OptionString.cInteger("")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void cNumberIsANumberInItsRangeOrMinusOne() {
        // vde's mode= (strtoul), hostfwd's ports (qemu_strtoi) and trunk='s VLANs read through this one method
        assertThat(OptionString.cNumber("0700", 0, 0777)).isEqualTo(0700);
        assertThat(OptionString.cNumber("0x16", 1, 65535)).isEqualTo(22);
        assertThat(OptionString.cNumber("0", 0, 65535)).isZero();
        assertThat(OptionString.cNumber("0", 1, 65535)).isEqualTo(-1);
        assertThat(OptionString.cNumber("65536", 0, 65535)).isEqualTo(-1);
        assertThat(OptionString.cNumber("-1", 0, 65535)).isEqualTo(-1);
        assertThat(OptionString.cNumber("08", 0, 65535)).isEqualTo(-1);
        assertThat(OptionString.cNumber("99999999999999999999", 0, Integer.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void finishNamesALeftOverKeyAndWhatIsKnown() throws ConfigException {
        OptionString o = OptionString.parse("-netdev", "socket,id=a,bogus=1");
        o.take("id");
        assertThatThrownBy(() -> o.finish(Set.of("id", "listen")))
                .hasMessage("-netdev socket,id=a,bogus=1: unknown option 'bogus' (expected one of: id, listen)");
    }
}
