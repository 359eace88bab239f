package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/vnet4j, on a copy of the launcher in a stand-in project with a stand-in JDK (a script that prints its
 * working directory and arguments): its choice of AOT cache (passed only when the jar's modification time lies
 * between the cache's and its .upto file's, as the training sets them, since the JDK runs a stale cache's
 * classes), of java, of the checkout when reached through a symbolic link, and
 * of when to rebuild; what it finds without starting a process.
 */
class LauncherTest {
    @Test
    void passesTheCacheOnlyWhenItWasRecordedFromThisJar(@TempDir Path dir) throws Exception {
        Path project = project(dir);
        Path jar = project.resolve("target/vnet4j.jar");
        Path aot = Files.writeString(project.resolve("target/vnet4j.aot"), "");
        Path upto = Files.writeString(project.resolve("target/vnet4j.aot.upto"), "");
        Instant built = Files.getLastModifiedTime(jar).toInstant();
        // as the training leaves them, on a file system that keeps whole seconds only
        Files.setLastModifiedTime(aot, FileTime.from(built.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        Files.setLastModifiedTime(upto, FileTime.from(built.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(2)));
        assertThat(launch(project.resolve("bin/vnet4j"), dir, Map.of("JAVA_HOME", jdk(dir, "jdk", 99).toString())))
                .contains("-XX:AOTCache=" + aot.toRealPath());
        Files.delete(upto); // a training that did not finish
        assertThat(launch(project.resolve("bin/vnet4j"), dir, Map.of("JAVA_HOME", jdk(dir, "jdk", 99).toString())))
                .doesNotContain("AOTCache");
        Files.writeString(upto, "");
        Files.setLastModifiedTime(upto, FileTime.from(built.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(2)));

        Files.setLastModifiedTime(jar, FileTime.from(SOURCES_TIME.plusSeconds(30))); // rebuilt since the cache was recorded
        assertThat(launch(project.resolve("bin/vnet4j"), dir, Map.of("JAVA_HOME", jdk(dir, "jdk", 99).toString())))
                .doesNotContain("AOTCache").contains("-jar");
        // replaced by a jar built before the cache was recorded, as a package manager leaves an upgrade's
        Files.setLastModifiedTime(jar, FileTime.from(SOURCES_TIME.plusSeconds(5)));
        Files.setLastModifiedTime(aot, FileTime.from(SOURCES_TIME.plusSeconds(20)));
        assertThat(launch(project.resolve("bin/vnet4j"), dir, Map.of("JAVA_HOME", jdk(dir, "jdk", 99).toString())))
                .doesNotContain("AOTCache").contains("-jar");
    }

    @Test
    void reachedThroughASymbolicLinkRunsItsCheckoutsJarInTheCallersDirectory(@TempDir Path dir) throws Exception {
        Path project = project(dir);
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("elsewhere")).resolve("vnet4j"),
                project.resolve("bin/vnet4j"));
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        String out = launch(link, cwd, Map.of("JAVA_HOME", jdk(dir, "jdk", 99).toString()));
        assertThat(out).contains("-jar " + project.toRealPath().resolve("target/vnet4j.jar"))
                .startsWith("cwd=" + cwd.toRealPath() + "\n");
    }

    /** As after {@code sudo -u USER bin/vnet4j} from root's home: the launcher cannot return there by its path. */
    @Test
    void runsFromADirectoryItsUserCannotEnter(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to run the launcher as another user");
        Path project = project(dir);
        Path jdk = jdk(dir, "jdk", 99);
        try (var paths = Files.walk(dir)) { // the test's files readable by that user; its directory not
            for (Path p : paths.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Path closed = Files.createDirectories(dir.resolve("closed"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder pb = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash",
                project.resolve("bin/vnet4j").toString(), "--version").directory(closed.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("VNET4J_AOT_TRAINING", "off");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("-jar " + project.toRealPath().resolve("target/vnet4j.jar"));
    }

    @Test
    void takesANewerJavaFromPath(@TempDir Path dir) throws Exception {
        Path project = project(dir);
        Path newer = jdk(dir, "newer-jdk", 100);
        String out = launch(project.resolve("bin/vnet4j"), dir, Map.of("PATH", newer.resolve("bin") + ":" + System.getenv("PATH")));
        assertThat(out).contains("java=" + newer.resolve("bin/java"));
    }

    @Test
    void rebuildsWhenASourceIsNewerThanTheJar(@TempDir Path dir) throws Exception {
        Path project = project(dir);
        Path source = Files.writeString(Files.createDirectories(project.resolve("src/main/java/a")).resolve("A.java"), "");
        for (Path p : new Path[] {project.resolve("src/main/java/a"), project.resolve("src/main/java"), project.resolve("src/main")}) {
            Files.setLastModifiedTime(p, FileTime.from(SOURCES_TIME));
        }
        Files.setLastModifiedTime(source, FileTime.from(SOURCES_TIME));
        Map<String, String> env = Map.of("JAVA_HOME", jdk(dir, "jdk", 99).toString(),
                "PATH", failingMaven(dir) + ":" + System.getenv("PATH"));
        assertThat(launch(project.resolve("bin/vnet4j"), dir, env)).contains("-jar").doesNotContain("building");

        Files.setLastModifiedTime(source, FileTime.from(SOURCES_TIME.plusSeconds(60))); // edited since the build
        assertThat(launch(project.resolve("bin/vnet4j"), dir, env)).contains("building").contains("the build failed");
    }

    private static final Instant SOURCES_TIME = Instant.now().minusSeconds(100);

    /** A project with the launcher, a pom, sources and a jar built 10 s after them. */
    private static Path project(Path dir) throws IOException {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.createDirectories(project.resolve("bin"));
        Files.copy(Path.of("bin/vnet4j"), project.resolve("bin/vnet4j"));
        Files.createDirectories(project.resolve("src/main"));
        Files.writeString(project.resolve("pom.xml"), "");
        Path jar = Files.writeString(Files.createDirectories(project.resolve("target")).resolve("vnet4j.jar"), "");
        for (Path p : new Path[] {project.resolve("src/main"), project.resolve("pom.xml")}) {
            Files.setLastModifiedTime(p, FileTime.from(SOURCES_TIME));
        }
        Files.setLastModifiedTime(jar, FileTime.from(SOURCES_TIME.plusSeconds(10)));
        return project;
    }

    /** A stand-in JDK of that feature version: its java prints its own path, working directory and arguments. */
    private static Path jdk(Path dir, String name, int version) throws IOException {
        Path home = dir.resolve(name);
        if (!Files.exists(home)) {
            Files.createDirectories(home.resolve("bin"));
            Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
            executable(home.resolve("bin/java"), "#!/bin/sh\necho \"cwd=$(pwd -P)\"\necho \"java=$0 $@\"\n");
        }
        return home;
    }

    /** A directory whose mvn fails at once, so a rebuild shows without running Maven. */
    private static Path failingMaven(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("maven-bin"));
        executable(bin.resolve("mvn"), "#!/bin/sh\nexit 1\n");
        return bin;
    }

    private static void executable(Path file, String script) throws IOException {
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String launch(Path launcher, Path cwd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "--version").directory(cwd.toFile())
                .redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        pb.environment().put("VNET4J_AOT_TRAINING", "off");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
