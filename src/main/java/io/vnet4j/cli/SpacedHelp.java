package io.vnet4j.cli;

import java.util.List;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Help.Ansi.IStyle;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.IHelpFactory;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The help of {@code vnet4j} and {@code vnet4j ctl}, which shows an option's value after a space
 * ({@code -netdev TYPE,...}, {@code --http [ADDR:]PORT}), as QEMU's help and this project's docs write
 * it. The parser's separator stays picocli's {@code =}, so that {@code --http=8080} (getopt_long's form)
 * parses as {@code --http 8080} does; picocli would otherwise print {@code --http=[ADDR:]PORT} and
 * {@code -netdev=TYPE,...}, a form QEMU does not take.
 */
final class SpacedHelp implements IHelpFactory {
    @Override
    public Help create(CommandSpec spec, ColorScheme colors) {
        return new Help(spec, colors) {
            private final Help.IParamLabelRenderer labels = new SpacedLabels(super.parameterLabelRenderer());

            @Override
            public Help.IParamLabelRenderer parameterLabelRenderer() {
                return labels;
            }
        };
    }

    /** picocli's labels with the separator in front of an option's value ("=PATH") made a space. */
    private record SpacedLabels(Help.IParamLabelRenderer picocli) implements Help.IParamLabelRenderer {
        @Override
        public Text renderParameterLabel(ArgSpec arg, Ansi ansi, List<IStyle> styles) {
            Text label = picocli.renderParameterLabel(arg, ansi, styles);
            String separator = picocli.separator();
            return arg.isOption() && label.plainString().startsWith(separator)
                    ? ansi.new Text(" ").concat(label.substring(separator.length()))
                    : label;
        }

        @Override
        public String separator() {
            return " ";
        }
    }
}
