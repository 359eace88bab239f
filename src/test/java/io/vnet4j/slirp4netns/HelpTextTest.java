package io.vnet4j.slirp4netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** --help, --version and bad options as peers see them: what is printed where, and the exit status. */
class HelpTextTest {
    /** The option names slirp4netns 1.2's usage() prints; rootlesskit and Podman look for them. */
    private static final List<String> SLIRP4NETNS_OPTIONS = List.of("-c, --configure", "-e, --exit-fd=FD",
            "-r, --ready-fd=FD", "-m, --mtu=MTU", "-6, --enable-ipv6", "-a, --api-socket=PATH", "--cidr=CIDR",
            "--disable-host-loopback", "--netns-type=TYPE", "--userns-path=PATH", "--enable-sandbox",
            "--enable-seccomp", "--outbound-addr=IPv4", "--outbound-addr6=IPv6", "--disable-dns", "--macaddress=MAC",
            "--target-type=TYPE", "-h, --help", "-v, --version");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    @Test
    void helpNamesEveryOptionAsSlirp4netnsPrintsItAndExitsZero() {
        assertThat(Slirp4netnsMain.run("--help")).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help).startsWith("Usage: vnet4j-slirp4netns [OPTION]... PID|PATH TAPNAME\n");
        for (String option : SLIRP4NETNS_OPTIONS) {
            assertThat(help).as(option).contains("\n" + option);
        }
        assertThat(help).contains("--netns-type=TYPE \t specify network namespace type ([path|pid], default=pid)");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(Slirp4netnsMain.run("-h")).isZero();
    }

    @Test
    void everyOptionTheParserTakesIsInTheHelp() {
        String help = HelpText.usage("x");
        CommandLine.Model.CommandSpec spec = Slirp4netnsOptions.spec();
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            if (!o.hidden()) {
                Arrays.stream(o.names()).forEach(name -> assertThat(help).contains(name));
            }
        }
    }

    @Test
    void versionIsInSlirp4netnssShapeAndNamesVnet4j() {
        assertThat(Slirp4netnsMain.run("--version")).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines[0]).matches("slirp4netns version 1\\.2\\.0\\+vnet4j\\.[0-9A-Za-z.-]+");
        assertThat(lines[1]).startsWith("vnet4j: ").contains("in place of slirp4netns");
        assertThat(Slirp4netnsMain.run("-v")).isZero();
    }

    @Test
    void aBadOptionIsOneLineOnStandardErrorAndExitStatusOne() {
        assertThat(Slirp4netnsMain.run("--bogus", "1", "tap0")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("vnet4j-slirp4netns: ").contains("--bogus")
                .endsWith(" (see vnet4j-slirp4netns --help)" + System.lineSeparator()).hasLineCount(1);
        err.reset();
        assertThat(Slirp4netnsMain.run("--mtu=0", "1", "tap0")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("vnet4j-slirp4netns: MTU must be a positive integer (< 65522)" + System.lineSeparator());
    }
}
