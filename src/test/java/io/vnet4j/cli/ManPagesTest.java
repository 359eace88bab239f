package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vnet4j.slirp4netns.Slirp4netnsMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * man/vnet4j.1 and man/vnet4j-slirp4netns.1: groff formats them without a warning (groff-base, as .ci/run installs
 * it), and each names every option its command takes.
 */
class ManPagesTest {
    private static final Path VNET4J = Path.of("man/vnet4j.1");
    private static final Path SLIRP4NETNS = Path.of("man/vnet4j-slirp4netns.1");

    @Test
    void groffFormatsThemWithoutWarnings() throws Exception {
        for (Path page : List.of(VNET4J, SLIRP4NETNS)) {
            assertThat(groff(page, "-z")).as(page + ", groff -man -ww -z").isEmpty();
            // as man shows it on an 80-column terminal
            assertThat(groff(page, "-Tutf8", "-rLL=80n", "-z")).as(page + " at 80 columns").isEmpty();
            String text = groff(page, "-Tutf8", "-P-cbou", "-rLL=80n");
            assertThat(text).contains("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "EXAMPLES", "SEE ALSO");
        }
        assertThat(groff(VNET4J, "-Tutf8", "-P-cbou", "-rLL=80n")).contains("COMMANDS", "FILES", "qemu-system(1)", "slirp4netns(1)");
    }

    @Test
    void vnet4jPageNamesEveryOptionAndCommand() throws IOException {
        String page = unescaped(VNET4J);
        CommandLine cli = new CommandLine(DaemonCommand.spec(new DaemonCommand()));
        List<String> names = new ArrayList<>();
        for (CommandLine c : List.of(cli, cli.getSubcommands().get("ctl"))) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                names.addAll(List.of(o.names()));
            }
        }
        assertThat(names).contains("-netdev", "--http", "--control");
        assertThat(page).contains(names).contains("ctl", "info network", "hostfwd_add", "netdev_add", "query-network",
                "control.sock", "qemu.sock");
    }

    @Test
    void slirp4netnsPageNamesEveryOptionOfItsHelp() throws IOException {
        String page = unescaped(SLIRP4NETNS);
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Slirp4netnsMain.run("--help")).isZero();
        } finally {
            System.setOut(saved);
        }
        String help = out.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^(-\\w, )?(--[\\w-]+)").matcher(help);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(2));
            if (m.group(1) != null) {
                names.add(m.group(1).substring(0, 2));
            }
        }
        assertThat(names).hasSizeGreaterThan(20);
        assertThat(page).contains(names);
    }

    /** The page's source with roff's escaped minus signs as plain hyphens. */
    private static String unescaped(Path page) throws IOException {
        return Files.readString(page).replace("\\-", "-");
    }

    /** groff's output (with {@code -z}: its warnings only), the man macros and every warning on. */
    private static String groff(Path page, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("groff", "-man", "-ww"));
        command.addAll(List.of(options));
        command.add(page.toString());
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("groff is not installed: install groff-base (apt-get install groff-base), as .ci/run does", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
