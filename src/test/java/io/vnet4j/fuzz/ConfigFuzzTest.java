package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.config.CaptureConfig;
import io.vnet4j.config.Config;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.OptionString;
import io.vnet4j.config.UserConfig;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Command-line options as the daemon takes them: UTF-8 lines, each a {@code -netdev} (first character
 * {@code n}), {@code -net} ({@code N}) or {@code -object} ({@code o}) argument after that character,
 * all built into one {@link Config}. Bad options give a one-line {@link ConfigException}, never any other
 * exception (the user option parser included, through {@code -netdev user}); a built config has unique,
 * well-formed ids, its captures name netdevs that exist, and its user networks' IPv6 settings and host
 * forwards fit their families and prefix. Host names are not looked up (see
 * {@link NoLookupResolver}): a fuzzed name must not become a DNS query.
 */
@ExtendWith(NoLookupResolver.Refusing.class)
class ConfigFuzzTest {
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    @FuzzTest
    void optionsBuildOrGiveAConfigException(byte[] input) {
        ConfigParser parser = new ConfigParser();
        try {
            for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.isEmpty()) {
                    continue;
                }
                String text = line.substring(1);
                readAllKeys(text);
                switch (line.charAt(0)) {
                    case 'N' -> parser.net(text);
                    case 'o' -> parser.object(text);
                    default -> parser.netdev(text);
                }
            }
            checkBuilt(parser.build());
        } catch (ConfigException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    /** The option string itself: split, every key taken, nothing left over. */
    private static void readAllKeys(String text) throws ConfigException {
        OptionString o = OptionString.parse("-netdev", text);
        Set<String> keys = new HashSet<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                keys.add(pair.substring(0, eq));
            }
        }
        keys.forEach(o::takeAll);
        o.implied();
    }

    private static void checkBuilt(Config config) {
        Set<String> ids = new HashSet<>();
        for (NetdevConfig n : config.netdevs()) {
            assertThat(ID.matcher(n.id()).matches()).isTrue();
            assertThat(ids.add(n.id())).isTrue();
            if (n instanceof NetdevConfig.User user) {
                checkUser(user.user());
            }
        }
        for (CaptureConfig c : config.captures()) {
            assertThat(c.netdev() == null || ids.contains(c.netdev())).isTrue();
        }
    }

    /**
     * A user network has a family on; its IPv6 host in the prefix, its IPv6 DNS there too when restricted;
     * every host forward aims at a family that is on, an IPv6 guest in the prefix or the learned address.
     */
    private static void checkUser(UserConfig u) {
        assertThat(u.ipv4() || u.ipv6().isPresent()).isTrue();
        u.ipv6().ifPresent(v6 -> {
            assertThat(v6.inNetwork(v6.host())).isTrue();
            assertThat(v6.dns()).isNotEqualTo(v6.host());
            assertThat(!u.reach().restricted() || v6.inNetwork(v6.dns())).isTrue();
        });
        for (UserConfig.HostForward f : u.hostForwards()) {
            if (f.guestAddress().isIpv4()) {
                assertThat(u.ipv4()).isTrue();
                assertThat(f.guestAddress().isUnspecified()).isFalse();
            } else {
                assertThat(f.guestLearned() || u.inIpv6Network(f.guestAddress())).isTrue();
                assertThat(f.guestLearned()).isEqualTo(f.guestDefaulted());
            }
        }
    }
}
