package io.vnet4j.slirp4netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@link Slirp4netnsOptions#parse} reads each option of {@link Slirp4netnsOptions#spec} into a field by the
 * option's name, written twice (in the model and in the reading): every option, by each of its names, must
 * reach exactly one field.
 */
class Slirp4netnsOptionsTest {
    @Test
    void everyNameOfEveryOptionSetsOneField() throws Exception {
        Slirp4netnsOptions none = Slirp4netnsOptions.parse("1", "tap0");
        List<String> fieldsSet = new ArrayList<>();
        for (OptionSpec option : Slirp4netnsOptions.spec().options()) {
            String setBy = null;
            for (String name : option.names()) {
                Slirp4netnsOptions given = option.arity().max() > 0
                        ? Slirp4netnsOptions.parse(name, "given", "1", "tap0")
                        : Slirp4netnsOptions.parse(name, "1", "tap0");
                List<String> changed = changedFields(none, given);
                assertThat(changed).as(name).hasSize(1);
                assertThat(setBy == null || setBy.equals(changed.get(0))).as(name + " sets what its other name sets").isTrue();
                setBy = changed.get(0);
            }
            fieldsSet.add(setBy);
        }
        assertThat(fieldsSet).doesNotHaveDuplicates();
    }

    private static List<String> changedFields(Slirp4netnsOptions a, Slirp4netnsOptions b) throws IllegalAccessException {
        List<String> changed = new ArrayList<>();
        for (Field f : Slirp4netnsOptions.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !Objects.equals(f.get(a), f.get(b))) {
                changed.add(f.getName());
            }
        }
        return changed;
    }
}
