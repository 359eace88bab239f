package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

    @Test
    void loopbackAndThisHostAddressesAreNeverForwarded() {
        for (String a : new String[] {"127.0.0.1", "127.255.0.9", "0.0.0.0", "0.1.2.3", "::1", "::"}) {
            assertThat(IpAddress.parse(a).isNeverForwarded()).as(a).isTrue();
        }
        for (String a : new String[] {"10.0.2.2", "128.0.0.1", "1.0.0.0", "::2", "fe80::1", "2001:db8::1"}) {
            assertThat(IpAddress.parse(a).isNeverForwarded()).as(a).isFalse();
        }
    }

    @Test
    void ipv4IsHeldMappedAndComesBackAsAnInt() {
        IpAddress a = IpAddress.ofIpv4(0x0a00_020f);
        assertThat(a.isIpv4()).isTrue();
        assertThat(a.ipv4()).isEqualTo(0x0a00_020f);
        assertThat(a.high()).isZero();
        assertThat(a.low()).isEqualTo(0x0000_ffff_0a00_020fL);
        assertThat(a).hasToString("10.0.2.15").isEqualTo(IpAddress.parse("10.0.2.15"));
        assertThat(IpAddress.parse("::ffff:10.0.2.15")).isEqualTo(a);
    }

    @Test
    void ipv6HasNoIpv4Value() {
        assertThatIllegalStateException().isThrownBy(() -> IpAddress.parse("fec0::2").ipv4());
    }

    @ParameterizedTest
    @CsvSource({
        "fec0::2, fec0::2",
        "FEC0:0:0:0:0:0:0:2, fec0::2",
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",   // RFC 5952 4.2.3: the first of equal runs
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // 4.2.2: one zero group is not shortened
        "2001:0db8::0001, 2001:db8::1",
        "fe80::5054:ff:fe12:3456, fe80::5054:ff:fe12:3456",
        "::0.0.0.1, ::1",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
    })
    void parsesRfc4291TextAndFormatsRfc5952(String text, String canonical) {
        assertThat(IpAddress.parse(text)).hasToString(canonical);
        assertThat(IpAddress.parse(canonical)).isEqualTo(IpAddress.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
        "12345::", "g::", ":1::", "1:", "::1:", "[::1]", "fe80::1%eth0", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5",
        "1:2:3:4:5:6:7:1.2.3.4", "::\u0663", "::/64", "", "10.0.2"})
    void rejectsMalformedText(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> IpAddress.parse(text));
    }

    @Test
    void readsAndWritesSixteenBytesInNetworkOrder() {
        ByteBuffer b = ByteBuffer.allocate(20);
        IpAddress a = IpAddress.parse("2001:db8::1:2");
        a.write(b, 2);
        assertThat(b.array()).containsExactly(0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0);
        assertThat(IpAddress.read(b, 2)).isEqualTo(a);
        assertThat(a.equalsAt(b, 2)).isTrue();
        assertThat(a.equalsAt(b, 0)).isFalse();
    }

    @Test
    void classifiesAddresses() throws Exception {
        assertThat(IpAddress.parse("127.0.0.1").isLoopback()).isTrue();
        assertThat(IpAddress.parse("::1").isLoopback()).isTrue();
        assertThat(IpAddress.parse("::").isUnspecified()).isTrue();
        assertThat(IpAddress.parse("0.0.0.0").isUnspecified()).isTrue();
        assertThat(IpAddress.parse("::").isIpv6()).isTrue();
        assertThat(IpAddress.parse("224.0.0.1").isMulticastOrBroadcast()).isTrue();
        assertThat(IpAddress.parse("255.255.255.255").isMulticastOrBroadcast()).isTrue();
        assertThat(IpAddress.parse("ff02::1").isMulticastOrBroadcast()).isTrue();
        assertThat(IpAddress.parse("fec0::2").isMulticastOrBroadcast()).isFalse();
        assertThat(IpAddress.parse("fe80::2").isLinkLocal()).isTrue();
        assertThat(IpAddress.parse("febf::2").isLinkLocal()).isTrue();
        assertThat(IpAddress.parse("fec0::2").isLinkLocal()).isFalse();
        assertThat(IpAddress.parse("fec0::2").toInetAddress()).isEqualTo(InetAddress.getByName("fec0::2"));
        assertThat(IpAddress.of(InetAddress.getByName("::1"))).isEqualTo(IpAddress.IPV6_LOOPBACK);
        assertThat(IpAddress.of(InetAddress.getByName("127.0.0.1"))).isEqualTo(IpAddress.IPV4_LOOPBACK);
        assertThat(IpAddress.parse("fec0::2").toUriString()).isEqualTo("[fec0::2]");
        assertThat(IpAddress.parse("10.0.2.2").toUriString()).isEqualTo("10.0.2.2");
    }

    @Test
    void prefixesCountBitsOfTheirOwnFamily() {
        IpAddress net4 = IpAddress.parse("10.0.2.0");
        assertThat(IpAddress.parse("10.0.2.200").inPrefix(net4, 24)).isTrue();
        assertThat(IpAddress.parse("10.0.3.1").inPrefix(net4, 24)).isFalse();
        assertThat(IpAddress.parse("1.2.3.4").inPrefix(net4, 0)).isTrue();
        IpAddress net6 = IpAddress.parse("fec0::");
        assertThat(IpAddress.parse("fec0::5054:ff:fe12:3456").inPrefix(net6, 64)).isTrue();
        assertThat(IpAddress.parse("fec0:0:0:1::1").inPrefix(net6, 64)).isFalse();
        assertThat(IpAddress.parse("fec0:0:0:1::1").inPrefix(net6, 48)).isTrue();
        assertThat(IpAddress.parse("10.0.2.1").inPrefix(net6, 0)).isFalse(); // never across families
        assertThat(IpAddress.parse("2001:db8::ff").masked(120)).isEqualTo(IpAddress.parse("2001:db8::"));
        assertThat(IpAddress.parse("2001:db8::ff").masked(128)).isEqualTo(IpAddress.parse("2001:db8::ff"));
        assertThat(IpAddress.parse("2001:db8::ff").masked(0)).isEqualTo(IpAddress.IPV6_ANY);
        assertThat(IpAddress.parse("10.1.2.3").masked(8)).isEqualTo(IpAddress.parse("10.0.0.0"));
        assertThatIllegalArgumentException().isThrownBy(() -> IpAddress.parse("10.1.2.3").masked(33));
    }

    @Test
    void formattedTextParsesBackToTheSameAddress() {
        Random random = new Random(6);
        for (int i = 0; i < 10_000; i++) {
            // zero groups often, so runs of them are tried at every place
            long high = random.nextLong() & random.nextLong() & random.nextLong();
            long low = random.nextLong() & random.nextLong() & random.nextLong();
            IpAddress a = IpAddress.ofIpv6(high, low);
            assertThat(IpAddress.parse(a.toString())).isEqualTo(a);
            assertThat(IpAddress.of(a.toInetAddress())).isEqualTo(a);
        }
    }
}
