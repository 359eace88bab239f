package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.config.CaptureConfig;
import io.vnet4j.config.Config;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.OptionString;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Command-line options as the daemon takes them: UTF-8 lines, each a {@code -netdev} (first character
 * {@code n}), {@code -net} ({@code N}) or {@code -object} ({@code o}) argument after that character,
 * all built into one {@link Config}. Bad options give a one-line {@link ConfigException}, never any other
 * exception (the user option parser included, through {@code -netdev user}); a built config has unique,
 * well-formed ids and its captures name netdevs that exist. Host names are not looked up (see
 * {@link NoLookupResolver}): a fuzzed name must not become a DNS query.
 */
class ConfigFuzzTest {
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    @BeforeAll
    static void refuseLookups() {
        NoLookupResolver.refuseLookups(true);
    }

    @AfterAll
    static void allowLookups() {
        NoLookupResolver.refuseLookups(false);
    }

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
        }
        for (CaptureConfig c : config.captures()) {
            assertThat(c.netdev() == null || ids.contains(c.netdev())).isTrue();
        }
    }
}
