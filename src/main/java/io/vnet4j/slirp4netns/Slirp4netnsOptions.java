package io.vnet4j.slirp4netns;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * slirp4netns 1.2's command line as main.c's {@code getopt_long} table declares it (short options
 * {@code ce:r:m:a:6hv}, the long ones, the two deprecated spellings), read into fields holding the text
 * given; {@link Settings#of} checks them. The parser is set up to read what getopt reads: options and
 * operands in any order, {@code --opt=V} and {@code --opt V}, {@code -m1500} and clustered {@code -c6},
 * unique prefixes of long options, the last of a repeated option winning, {@code --} ending the options,
 * and no {@code @file} expansion. The picocli model is built in code, not read from annotations, whose
 * proxy classes would cost the drop-in's start some tens of ms (cli.Specs says why).
 */
final class Slirp4netnsOptions {
    boolean configure;
    String exitFd;
    String readyFd;
    String mtu;
    String cidr;
    boolean disableHostLoopback;
    /** Deprecated by slirp4netns in favour of --disable-host-loopback; still accepted there with a warning. */
    boolean noHostLoopback;
    String netnsType;
    String usernsPath;
    String apiSocket;
    boolean enableIpv6;
    boolean enableSandbox;
    /** Deprecated by slirp4netns in favour of --enable-sandbox; still accepted there with a warning. */
    boolean createSandbox;
    boolean enableSeccomp;
    boolean help;
    boolean version;
    String outboundAddr;
    String outboundAddr6;
    boolean disableDns;
    String macAddress;
    String targetType;
    /** PID|PATH and TAPNAME (more are warned about and ignored, as slirp4netns does). */
    List<String> operands = List.of();

    /**
     * Reads {@code args}.
     *
     * @throws UsageException for an unknown option, a missing option argument, or an ambiguous abbreviation
     */
    static Slirp4netnsOptions parse(String... args) throws UsageException {
        CommandSpec spec = spec();
        CommandLine cli = new CommandLine(spec)
                .setOverwrittenOptionsAllowed(true)
                .setAllowOptionsAsOptionParameters(true) // getopt: "-a -c" is -a with the argument "-c"
                .setExpandAtFiles(false)
                .setTrimQuotes(false);
        String[] full = withLongNamesInFull(spec, args);
        ParseResult r;
        try {
            r = cli.parseArgs(full);
        } catch (CommandLine.UnmatchedArgumentException e) {
            throw new UsageException(e.getUnmatched().isEmpty() ? e.getMessage()
                    : getoptWords(spec, e.getUnmatched().get(0), e.getMessage()));
        } catch (CommandLine.MissingParameterException e) {
            throw new UsageException(getoptWords(spec, full[full.length - 1], e.getMessage()));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage());
        }
        Slirp4netnsOptions o = new Slirp4netnsOptions();
        o.configure = r.hasMatchedOption("--configure");
        o.exitFd = r.matchedOptionValue("--exit-fd", null);
        o.readyFd = r.matchedOptionValue("--ready-fd", null);
        o.mtu = r.matchedOptionValue("--mtu", null);
        o.cidr = r.matchedOptionValue("--cidr", null);
        o.disableHostLoopback = r.hasMatchedOption("--disable-host-loopback");
        o.noHostLoopback = r.hasMatchedOption("--no-host-loopback");
        o.netnsType = r.matchedOptionValue("--netns-type", null);
        o.usernsPath = r.matchedOptionValue("--userns-path", null);
        o.apiSocket = r.matchedOptionValue("--api-socket", null);
        o.enableIpv6 = r.hasMatchedOption("--enable-ipv6");
        o.enableSandbox = r.hasMatchedOption("--enable-sandbox");
        o.createSandbox = r.hasMatchedOption("--create-sandbox");
        o.enableSeccomp = r.hasMatchedOption("--enable-seccomp");
        o.help = r.hasMatchedOption("--help");
        o.version = r.hasMatchedOption("--version");
        o.outboundAddr = r.matchedOptionValue("--outbound-addr", null);
        o.outboundAddr6 = r.matchedOptionValue("--outbound-addr6", null);
        o.disableDns = r.hasMatchedOption("--disable-dns");
        o.macAddress = r.matchedOptionValue("--macaddress", null);
        o.targetType = r.matchedOptionValue("--target-type", null);
        o.operands = r.matchedPositionalValue(0, List.of());
        return o;
    }

    /**
     * {@code args} with each abbreviated long option written in full, as glibc's {@code getopt_long} reads
     * them (getopt(3)): a unique prefix of a long name stands for it, an exact name wins over the longer ones
     * it begins; an option's argument (the word after {@code --mtu}, after a cluster ending in {@code -m}) and
     * everything after {@code --} are left alone. picocli's own abbreviations match words between hyphens
     * ({@code --d-h} for {@code --disable-host-loopback}, which getopt refuses) and threw on an empty or
     * {@code -} operand (picocli 4.7.7), so they are off.
     *
     * @throws UsageException for a prefix of several long names, in getopt's words
     */
    static String[] withLongNamesInFull(CommandSpec spec, String... args) throws UsageException {
        String[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            String a = out[i];
            if (a.equals("--")) {
                break;
            }
            if (a.startsWith("--")) {
                String name = nameOf(a);
                OptionSpec option = longOption(spec, name);
                if (option != null) {
                    out[i] = option.longestName() + a.substring(name.length());
                    i += name.length() == a.length() && takesArgument(option) ? 1 : 0;
                }
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int j = 1; j < a.length(); j++) { // a cluster: its first option with an argument takes the rest
                    OptionSpec option = spec.findOption(a.charAt(j));
                    if (option != null && takesArgument(option)) {
                        i += j == a.length() - 1 ? 1 : 0;
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** The long option {@code name} (with its dashes) is, in full or as a unique prefix; null for none. */
    private static OptionSpec longOption(CommandSpec spec, String name) throws UsageException {
        List<OptionSpec> matches = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.longestName().equals(name)) {
                return o;
            }
            if (o.longestName().startsWith(name)) {
                matches.add(o);
            }
        }
        if (matches.size() > 1) {
            StringBuilder m = new StringBuilder("option '" + name + "' is ambiguous; possibilities:");
            matches.forEach(o -> m.append(" '").append(o.longestName()).append('\''));
            throw new UsageException(m.toString());
        }
        return matches.isEmpty() ? null : matches.get(0);
    }

    /**
     * What glibc's getopt says of {@code arg}, an unknown option or one whose argument is missing (only the last
     * word can lack one): "unrecognized option '--x'", "invalid option -- 'x'", "option '--mtu' requires an
     * argument", "option requires an argument -- 'm'"; {@code otherwise} for anything else.
     */
    private static String getoptWords(CommandSpec spec, String arg, String otherwise) {
        if (arg.startsWith("--") && arg.length() > 2) {
            OptionSpec known = spec.findOption(nameOf(arg));
            return known == null ? "unrecognized option '" + arg + "'"
                    : "option '" + known.longestName() + "' requires an argument";
        }
        if (arg.startsWith("-") && arg.length() > 1) {
            for (int i = 1; i < arg.length(); i++) {
                OptionSpec known = spec.findOption(arg.charAt(i));
                if (known == null) {
                    return "invalid option -- '" + arg.charAt(i) + "'";
                }
                if (takesArgument(known)) {
                    return "option requires an argument -- '" + arg.charAt(i) + "'";
                }
            }
        }
        return otherwise;
    }

    /** A long option's word without its {@code =ARGUMENT}: {@code --mtu} of {@code --mtu=1500}. */
    private static String nameOf(String longOption) {
        int eq = longOption.indexOf('=');
        return eq < 0 ? longOption : longOption.substring(0, eq);
    }

    private static boolean takesArgument(OptionSpec option) {
        return option.arity().max() > 0;
    }

    /** The options as main.c's table has them: a flag takes no argument, a value one; hidden, the deprecated spellings. */
    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("vnet4j-slirp4netns");
        flag(spec, false, "-c", "--configure");
        value(spec, "-e", "--exit-fd");
        value(spec, "-r", "--ready-fd");
        value(spec, "-m", "--mtu");
        value(spec, "--cidr");
        flag(spec, false, "--disable-host-loopback");
        flag(spec, true, "--no-host-loopback");
        value(spec, "--netns-type");
        value(spec, "--userns-path");
        value(spec, "-a", "--api-socket");
        flag(spec, false, "-6", "--enable-ipv6");
        flag(spec, false, "--enable-sandbox");
        flag(spec, true, "--create-sandbox");
        flag(spec, false, "--enable-seccomp");
        flag(spec, false, "-h", "--help");
        flag(spec, false, "-v", "--version");
        value(spec, "--outbound-addr");
        value(spec, "--outbound-addr6");
        flag(spec, false, "--disable-dns");
        value(spec, "--macaddress");
        value(spec, "--target-type");
        spec.addPositional(PositionalParamSpec.builder().index("0..*").arity("0..1").type(List.class).auxiliaryTypes(String.class)
                .paramLabel("PID|PATH TAPNAME").build());
        return spec;
    }

    private static void flag(CommandSpec spec, boolean hidden, String... names) {
        spec.addOption(OptionSpec.builder(names).arity("0").type(boolean.class).hidden(hidden).build());
    }

    private static void value(CommandSpec spec, String... names) {
        spec.addOption(OptionSpec.builder(names).arity("1").type(String.class).build());
    }
}
