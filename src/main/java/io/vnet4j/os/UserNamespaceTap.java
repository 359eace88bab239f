package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TAP inside a network namespace that an unprivileged user owns through a user namespace of its own
 * ({@code unshare -rn}, rootlesskit, Podman), where this process may not {@code setns} into the network
 * namespace (that needs CAP_SYS_ADMIN in its owning user namespace), nor enter the user namespace first:
 * the kernel refuses {@code setns(CLONE_NEWUSER)} to a multi-threaded process, and a JVM always is one.
 *
 * <p>Theory of operation, as slirp4netns's forked child does it: {@code nsenter --user --net
 * --preserve-credentials} (util-linux) enters the owning user namespace (then the network namespace)
 * and starts {@link TapHelper} on this JVM's class path, which holds CAP_NET_ADMIN there, creates and
 * configures the TAP and hands its descriptor back over a unix datagram socket in a private directory
 * (SCM_RIGHTS, {@link DescriptorChannel}). The TAP is then read and written here as any other. The owning
 * user namespace is {@code --userns-path} when given, {@code /proc/PID/ns/user} for a
 * {@code /proc/PID/ns/net} target, else the one {@code ioctl(NS_GET_USERNS)} names for the namespace
 * file. The helper costs a JVM start (about half a second), on this path only; root keeps the direct one.
 */
public final class UserNamespaceTap {
    /** How long the helper may take (a JVM start), and how often its exit is looked for meanwhile. */
    private static final long ANSWER_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final int POLL_MILLIS = 100;
    private static final Pattern PROC_NET = Pattern.compile("/proc/(\\d+)/ns/net");
    /** linux/nsfs.h: _IO(0xb7, 0x1), the owning user namespace of a namespace descriptor. */
    private static final long NS_GET_USERNS = 0xb701;

    private UserNamespaceTap() {}

    /**
     * How the helper sets the interface up: {@code configure ADDRESS PREFIX GATEWAY MTU MAC}, {@code mtu N} or
     * {@code none} (see {@link TapHelper}).
     */
    public record Setup(List<String> words) {
        public static Setup configure(int address, int prefixLength, int gateway, int mtu, long mac) {
            return new Setup(List.of("configure", String.valueOf(address), String.valueOf(prefixLength),
                    String.valueOf(gateway), String.valueOf(mtu), String.valueOf(mac)));
        }

        public static Setup mtu(int mtu) {
            return new Setup(List.of("mtu", String.valueOf(mtu)));
        }

        public static Setup none() {
            return new Setup(List.of("none"));
        }
    }

    /**
     * Creates TAP {@code name} in the network namespace {@code netns} through its owning user namespace
     * ({@code userns}, or found as above when null) and sets it up.
     *
     * @throws IOException one line naming the namespace and what was refused
     */
    public static TapDevice open(String name, boolean vnetHeader, Path netns, Path userns, Setup setup) throws IOException {
        Path dir = Files.createTempDirectory("vnet4j-tap", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socket = dir.resolve("s");
        int usernsFd = -1;
        Path log = dir.resolve("helper.log");
        try (DescriptorChannel channel = DescriptorChannel.listen(socket, POLL_MILLIS)) {
            Path owner = userns;
            if (owner == null) {
                Matcher m = PROC_NET.matcher(netns.toString());
                if (m.matches()) {
                    owner = Path.of("/proc", m.group(1), "ns", "user");
                } else {
                    usernsFd = owningUserNamespace(netns);
                    owner = Path.of("/proc", String.valueOf(ProcessHandle.current().pid()), "fd", String.valueOf(usernsFd));
                }
            }
            List<String> command = new ArrayList<>(List.of("nsenter", "--user=" + owner, "--net=" + netns,
                    "--preserve-credentials", "--", ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    TapHelper.class.getName(), socket.toString(), name, vnetHeader ? "on" : "off"));
            command.addAll(setup.words());
            Process helper = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            DescriptorChannel.Received answer = awaitAnswer(channel, helper);
            if (answer == null || answer.descriptor() < 0 || !answer.message().startsWith("ok ")) {
                if (answer != null && answer.descriptor() >= 0) {
                    Libc.closeQuietly(answer.descriptor());
                }
                throw new IOException(refusal(netns, log, answer == null ? "the helper ended without an answer"
                        : answer.message().replaceFirst("^error ", "")));
            }
            return TapDevice.adopt(answer.descriptor(), answer.message().substring(3));
        } finally {
            if (usernsFd >= 0) {
                Libc.closeQuietly(usernsFd);
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(log);
            Files.deleteIfExists(dir);
        }
    }

    /** The helper's answer, or null when it ended without one; waits at most ANSWER_NANOS, then ends it. */
    private static DescriptorChannel.Received awaitAnswer(DescriptorChannel channel, Process helper) throws IOException {
        long deadline = System.nanoTime() + ANSWER_NANOS;
        try {
            while (System.nanoTime() - deadline < 0) {
                DescriptorChannel.Received answer = channel.receive();
                if (answer != null) {
                    return answer;
                }
                if (!helper.isAlive()) {
                    return channel.receive(); // an answer sent just before it ended
                }
            }
            throw new IOException("the helper did not answer within " + TimeUnit.NANOSECONDS.toSeconds(ANSWER_NANOS) + " s");
        } finally {
            try {
                if (!helper.waitFor(5, TimeUnit.SECONDS)) {
                    helper.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                helper.destroyForcibly();
            }
        }
    }

    /** One line: the namespace, what went wrong, what the helper said, and which namespaces can be entered. */
    private static String refusal(Path netns, Path log, String why) {
        String said = "";
        try {
            said = Files.readString(log, StandardCharsets.UTF_8).strip().replace('\n', ' ');
        } catch (IOException e) {
            // no output
        }
        return "cannot create the TAP in the network namespace " + netns + " through its user namespace: " + why
                + (said.isEmpty() ? "" : " (" + said + ")") + "; without root, the namespace must belong to a user "
                + "namespace of this user's own (unshare -rn, rootlesskit, Podman)";
    }

    /** A descriptor of the user namespace that owns the namespace file {@code netns} (ioctl NS_GET_USERNS). */
    private static int owningUserNamespace(Path netns) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            int fd = LinuxCalls.open(netns, LinuxCalls.O_RDONLY | LinuxCalls.O_CLOEXEC, call, errno);
            if (fd < 0) {
                throw new IOException("cannot open the network namespace " + netns + ": " + Libc.strerror(Libc.errno(errno)));
            }
            int userns = (int) Downcall.callVariadic(LinuxCalls.IOCTL.handle(), errno, fd, NS_GET_USERNS, 0);
            int e = Libc.errno(errno);
            Libc.closeQuietly(fd);
            if (userns < 0) {
                throw new IOException("cannot find the user namespace that owns " + netns + " (NS_GET_USERNS): "
                        + Libc.strerror(e) + "; give it with --userns-path");
            }
            return userns;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("NS_GET_USERNS " + netns + ": " + t, t);
        }
    }
}
