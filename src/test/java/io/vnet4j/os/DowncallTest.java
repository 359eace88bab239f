package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Downcall}: every libc function this package names exists and binds in its shape, and the shapes
 * read an {@code int} result, a pointer result and a variadic argument as C passes them.
 */
class DowncallTest {
    private static final int EBADF = 9;
    private static final int F_GETFD = 1;
    private static final int FD_CLOEXEC = 1;

    @Test
    void everyFunctionThePackageNamesBinds() throws Exception {
        List<String> bound = new ArrayList<>();
        for (Class<?> type : packageClasses()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == Downcall.class) {
                    field.setAccessible(true);
                    ((Downcall) field.get(null)).handle(); // UnsatisfiedLinkError for a name libc lacks
                    bound.add(type.getSimpleName() + "." + field.getName());
                }
            }
        }
        assertThat(bound).contains("Libc.CLOSE", "LinuxCalls.IOCTL", "LazyMemory.MMAP").hasSizeGreaterThan(30);
    }

    @Test
    void anIntResultIsTheLow32BitsAndErrnoIsCaptured() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            assertThat((int) Downcall.call(Libc.CLOSE.handle(), errno, -1)).isEqualTo(-1);
            assertThat(Libc.errno(errno)).isEqualTo(EBADF);
        }
    }

    @Test
    void aPointerResultIsItsAddress() {
        // strerror's text, in whatever language the locale gives; "errno 9" is Libc's text when the call failed
        assertThat(Libc.strerror(EBADF)).isNotBlank().isNotEqualTo("errno " + EBADF);
    }

    @Test
    void aVariadicFunctionTakesItsNamedAndVariadicArguments() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            int fd = (int) Downcall.call(LinuxCalls.EVENTFD.handle(), errno, 0, LinuxCalls.EFD_CLOEXEC);
            assertThat(fd).isNotNegative();
            try {
                assertThat((int) Downcall.callVariadic(LinuxCalls.FCNTL.handle(), errno, fd, F_GETFD, 0))
                        .isEqualTo(FD_CLOEXEC);
            } finally {
                Libc.closeQuietly(fd);
            }
        }
    }

    private static List<Class<?>> packageClasses() throws URISyntaxException, Exception {
        Path directory = Path.of(Downcall.class.getResource("Downcall.class").toURI()).getParent();
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("Test")) {
                    classes.add(Class.forName(Downcall.class.getPackageName() + "." + name.replace(".class", "")));
                }
            }
        }
        return classes;
    }
}
