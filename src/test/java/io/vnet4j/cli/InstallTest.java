package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/install on a copy of the checkout (a stand-in jar and completion script, as the build leaves them): every
 * file lands under the prefix, the unit names the prefix's launcher, the installed launcher runs the installed jar
 * with its AOT cache in the user's cache directory, and --uninstall removes them all, the cache too.
 */
class InstallTest {
    private static final List<String> INSTALLED = List.of("bin/vnet4j", "bin/vnet4j-slirp4netns", "share/vnet4j/vnet4j.jar",
            "share/man/man1/vnet4j.1", "share/man/man1/vnet4j-slirp4netns.1", "share/bash-completion/completions/vnet4j",
            "share/systemd/user/vnet4j.service", "share/doc/vnet4j/README.md", "share/doc/vnet4j/LICENSE");

    @Test
    void installsUnderThePrefixAndTheInstalledLauncherRunsTheInstalledJar(@TempDir Path dir) throws Exception {
        Path checkout = Files.createDirectories(dir.resolve("checkout"));
        for (String f : List.of("bin/install", "bin/vnet4j", "bin/vnet4j-slirp4netns", "man/vnet4j.1", "man/vnet4j-slirp4netns.1",
                "contrib/vnet4j.service", "README.md", "LICENSE")) {
            Files.createDirectories(checkout.resolve(f).getParent());
            Files.copy(Path.of(f), checkout.resolve(f));
        }
        Path jar = Files.writeString(Files.createDirectories(checkout.resolve("target")).resolve("vnet4j.jar"), "jar");
        Files.writeString(Files.createDirectories(checkout.resolve("target/completion")).resolve("vnet4j"), "complete");
        Path prefix = dir.resolve("my prefix");

        Run install = run(List.of("bash", checkout.resolve("bin/install").toString(), "--prefix", prefix.toString()), Map.of());
        assertThat(install.status).as(install.output).isZero();
        for (String f : INSTALLED) {
            assertThat(prefix.resolve(f)).as(install.output).isRegularFile();
        }
        assertThat(Files.isExecutable(prefix.resolve("bin/vnet4j"))).isTrue();
        assertThat(prefix.resolve("share/vnet4j/vnet4j.jar")).hasSameTextualContentAs(jar);
        String unit = Files.readString(prefix.resolve("share/systemd/user/vnet4j.service"));
        assertThat(unit).contains("\nExecStart=\"" + prefix.toRealPath() + "/bin/vnet4j\"\n", "\nRuntimeDirectory=vnet4j\n")
                .doesNotContain("ExecStart=%h");

        // the installed launcher, with a stand-in JDK that prints its arguments
        Path home = Files.createDirectories(dir.resolve("jdk/bin"));
        Files.writeString(dir.resolve("jdk/release"), "JAVA_VERSION=\"99\"\n");
        Files.writeString(home.resolve("java"), "#!/bin/sh\necho \"$@\"\n");
        Files.setPosixFilePermissions(home.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("JAVA_HOME", dir.resolve("jdk").toString(), "VNET4J_AOT_TRAINING", "off",
                "XDG_CACHE_HOME", dir.resolve("cache").toString());
        Path installedJar = prefix.resolve("share/vnet4j/vnet4j.jar").toRealPath();
        Run launch = run(List.of(prefix.resolve("bin/vnet4j").toString(), "--version"), env);
        assertThat(launch.output).contains("-jar " + installedJar + " --version").doesNotContain("AOTCache", "building");
        Path aot = Files.writeString(Files.createDirectories(dir.resolve("cache/vnet4j")).resolve("vnet4j.aot"), "");
        Files.setLastModifiedTime(aot, Files.getLastModifiedTime(installedJar)); // recorded from this jar
        Path upto = Files.writeString(aot.resolveSibling("vnet4j.aot.upto"), "");
        Files.setLastModifiedTime(upto, FileTime.from(Files.getLastModifiedTime(installedJar).toInstant().plusSeconds(2)));
        launch = run(List.of(prefix.resolve("bin/vnet4j-slirp4netns").toString(), "--version"), env);
        assertThat(launch.output).contains("-XX:AOTCache=" + aot, "-jar " + installedJar + " slirp4netns --version");
        // no home (cron, a service without User=): no cache, and nothing made at /nonexistent
        boolean existed = Files.exists(Path.of("/nonexistent"));
        launch = run(List.of("env", "-u", "HOME", "-u", "XDG_CACHE_HOME", "JAVA_HOME=" + dir.resolve("jdk"),
                prefix.resolve("bin/vnet4j").toString(), "--version"), Map.of());
        assertThat(launch.output).contains("-jar " + installedJar + " --version").doesNotContain("AOTCache");
        assertThat(existed || !Files.exists(Path.of("/nonexistent"))).as("/nonexistent made").isTrue();
        // a relative XDG_CACHE_HOME is ignored, as the XDG specification says: it made a cache per working directory
        launch = run(List.of("env", "-C", dir.toString(), "-u", "HOME", "XDG_CACHE_HOME=cache", "JAVA_HOME=" + dir.resolve("jdk"),
                prefix.resolve("bin/vnet4j").toString(), "--version"), Map.of());
        assertThat(launch.output).contains("-jar " + installedJar + " --version").doesNotContain("AOTCache");

        Run staged = run(List.of("bash", checkout.resolve("bin/install").toString(), "--prefix=" + prefix, "--uninstall"),
                Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString(), "DESTDIR", dir.resolve("stage").toString()));
        assertThat(staged.status).as(staged.output).isZero();
        assertThat(aot).as("a packager's staged uninstall leaves the user's cache").exists();
        Run uninstall = run(List.of("bash", checkout.resolve("bin/install").toString(), "--prefix=" + prefix, "--uninstall"),
                Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString()));
        assertThat(uninstall.status).as(uninstall.output).isZero();
        for (String f : INSTALLED) {
            assertThat(prefix.resolve(f)).doesNotExist();
        }
        assertThat(dir.resolve("cache/vnet4j")).as(uninstall.output).doesNotExist(); // the AOT cache goes too
    }

    @Test
    void refusesAnUnknownOption() throws Exception {
        Run run = run(List.of("bash", "bin/install", "--prefx", "/tmp/x"), Map.of());
        assertThat(run.status).isEqualTo(2);
        assertThat(run.output).contains("unknown option '--prefx'", "usage: bin/install");
    }

    private record Run(int status, String output) {}

    private static Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }
}
