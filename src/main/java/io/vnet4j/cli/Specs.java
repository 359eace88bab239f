package io.vnet4j.cli;

import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Helpers for the commands' picocli models, which {@link DaemonCommand#spec} and {@link CtlCommand#spec}
 * build in code rather than from annotations: reading an annotation makes the JDK generate a proxy class
 * for its type, some 10 ms each at start-up while the JIT is cold, and the JDK 25 AOT cache keeps no
 * dynamic proxies (docs/benchmarks.md, twenty-second pass).
 */
final class Specs {
    private Specs() {}

    /**
     * {@code option} with its value read from {@code get} and written to {@code set} (a command's field), and
     * the field's value now as its initial value, which picocli restores before a parse: as picocli's
     * annotations take a field's initializer.
     */
    static <V> OptionSpec.Builder bound(OptionSpec.Builder option, Supplier<V> get, Consumer<V> set) {
        Field<V> field = new Field<>(get, set);
        return option.getter(field).setter(field).initialValue(get.get());
    }

    /** {@code parameter} bound as {@link #bound(OptionSpec.Builder, Supplier, Consumer)} binds an option. */
    static <V> PositionalParamSpec.Builder bound(PositionalParamSpec.Builder parameter, Supplier<V> get, Consumer<V> set) {
        Field<V> field = new Field<>(get, set);
        return parameter.getter(field).setter(field).initialValue(get.get());
    }

    /** picocli's standard -h/--help and -V/--version, as its {@code mixinStandardHelpOptions} adds them. */
    static void addHelpOptions(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
    }

    /** A command's field as picocli's getter and setter (whose methods are generic, so no lambdas). */
    private record Field<V>(Supplier<V> reader, Consumer<V> writer) implements IGetter, ISetter {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) reader.get();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            T old = (T) reader.get();
            writer.accept((V) value);
            return old;
        }
    }
}
