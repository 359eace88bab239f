package io.vnet4j.slirp4netns;

import io.vnet4j.config.ConfigException;

/**
 * {@code vnet4j-slirp4netns [OPTION]... PID|PATH TAPNAME}: slirp4netns 1.2's command line on vnet4j's engine
 * (see {@link EngineOptions} for what the options become, {@link DropIn} for the lifetime). Exit status as
 * slirp4netns's: 0 after {@code --help}, {@code --version} or a clean stop, 1 for any option it cannot run
 * with (one line on standard error) or a network that does not start.
 */
public final class Slirp4netnsMain {
    private Slirp4netnsMain() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line until the network stops; returns the exit status. */
    public static int run(String... args) {
        Slirp4netnsOptions options;
        try {
            options = Slirp4netnsOptions.parse(args);
        } catch (UsageException e) {
            Messages.error(e.getMessage() + " (see " + Messages.NAME + " --help)");
            return 1;
        }
        if (options.help) {
            System.out.print(HelpText.usage(Messages.NAME));
            return 0;
        }
        if (options.version) {
            System.out.print(HelpText.version(vnet4jVersion()));
            return 0;
        }
        Settings settings;
        try {
            settings = Settings.of(options);
        } catch (UsageException e) {
            Messages.error(e.getMessage());
            return 1;
        }
        settings.notices().forEach(System.out::println);
        settings.notApplied().forEach(Messages::warn);
        return new DropIn(settings).run();
    }

    /**
     * For the AOT cache's training run (cli.AotTraining), which cannot start a drop-in (that takes a network
     * namespace): reads and checks rootlesskit's and Podman's command lines (FACTS.md; this process's own
     * namespace as the target) and builds their networks' configurations, so that the cache holds the
     * classes a drop-in's start loads before its network's.
     *
     * @throws IllegalStateException if this build rejects either command line
     */
    public static void train() {
        String pid = Long.toString(ProcessHandle.current().pid());
        String[][] lines = {
            {"--mtu", "65520", "-r", "3", "--disable-host-loopback", "--api-socket", "/nonexistent/.s4nn.sock",
                "--enable-sandbox", "--enable-seccomp", pid, "tap0"},
            {"--disable-host-loopback", "--mtu=65520", "--enable-sandbox", "--enable-seccomp", "--enable-ipv6", "-c",
                "-e", "3", "-r", "4", "--netns-type=path", "/proc/" + pid + "/ns/net", "tap0"},
        };
        for (String[] line : lines) {
            try {
                EngineOptions.config(Settings.of(Slirp4netnsOptions.parse(line)));
            } catch (UsageException | ConfigException e) {
                throw new IllegalStateException("the drop-in refuses " + String.join(" ", line) + ": " + e.getMessage(), e);
            }
        }
    }

    /** vnet4j's version from the jar's manifest ("dev" when run from classes). */
    static String vnet4jVersion() {
        String v = Slirp4netnsMain.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
