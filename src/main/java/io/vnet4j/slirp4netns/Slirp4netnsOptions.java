package io.vnet4j.slirp4netns;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * slirp4netns 1.2's command line as main.c's {@code getopt_long} table declares it (short options
 * {@code ce:r:m:a:6hv}, the long ones, the two deprecated spellings), as picocli fields holding the text
 * given; {@link Settings#of} checks them. The parser is set up to read what getopt reads: options and
 * operands in any order, {@code --opt=V} and {@code --opt V}, {@code -m1500} and clustered {@code -c6},
 * unique prefixes of long options, the last of a repeated option winning, {@code --} ending the options,
 * and no {@code @file} expansion.
 */
@Command(name = "vnet4j-slirp4netns")
final class Slirp4netnsOptions {
    @Option(names = {"-c", "--configure"})
    boolean configure;

    @Option(names = {"-e", "--exit-fd"})
    String exitFd;

    @Option(names = {"-r", "--ready-fd"})
    String readyFd;

    @Option(names = {"-m", "--mtu"})
    String mtu;

    @Option(names = "--cidr")
    String cidr;

    @Option(names = "--disable-host-loopback")
    boolean disableHostLoopback;

    /** Deprecated by slirp4netns in favour of --disable-host-loopback; still accepted there with a warning. */
    @Option(names = "--no-host-loopback", hidden = true)
    boolean noHostLoopback;

    @Option(names = "--netns-type")
    String netnsType;

    @Option(names = "--userns-path")
    String usernsPath;

    @Option(names = {"-a", "--api-socket"})
    String apiSocket;

    @Option(names = {"-6", "--enable-ipv6"})
    boolean enableIpv6;

    @Option(names = "--enable-sandbox")
    boolean enableSandbox;

    /** Deprecated by slirp4netns in favour of --enable-sandbox; still accepted there with a warning. */
    @Option(names = "--create-sandbox", hidden = true)
    boolean createSandbox;

    @Option(names = "--enable-seccomp")
    boolean enableSeccomp;

    @Option(names = {"-h", "--help"})
    boolean help;

    @Option(names = {"-v", "--version"})
    boolean version;

    @Option(names = "--outbound-addr")
    String outboundAddr;

    @Option(names = "--outbound-addr6")
    String outboundAddr6;

    @Option(names = "--disable-dns")
    boolean disableDns;

    @Option(names = "--macaddress")
    String macAddress;

    @Option(names = "--target-type")
    String targetType;

    /** PID|PATH and TAPNAME (more are warned about and ignored, as slirp4netns does). */
    @Parameters
    List<String> operands = new ArrayList<>();

    /**
     * Reads {@code args}.
     *
     * @throws UsageException for an unknown option, a missing option argument, or an ambiguous abbreviation
     */
    static Slirp4netnsOptions parse(String... args) throws UsageException {
        Slirp4netnsOptions options = new Slirp4netnsOptions();
        CommandLine cli = new CommandLine(options)
                .setAbbreviatedOptionsAllowed(true)
                .setOverwrittenOptionsAllowed(true)
                .setExpandAtFiles(false)
                .setTrimQuotes(false);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage());
        }
        return options;
    }
}
