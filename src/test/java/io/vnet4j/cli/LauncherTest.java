package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/vnet4j's choice of AOT cache, on a copy of the launcher with a stand-in JDK (JAVA_HOME: a script that
 * prints its arguments): the cache is passed only when it is newer than the jar, since the JDK runs a stale
 * cache's classes.
 */
class LauncherTest {
    @Test
    void passesTheCacheOnlyWhenItIsNewerThanTheJar(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("jdk/bin"));
        Files.writeString(dir.resolve("jdk/release"), "JAVA_VERSION=\"99\"\n");
        Path java = home.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.createDirectories(project.resolve("bin"));
        Files.copy(Path.of("bin/vnet4j"), project.resolve("bin/vnet4j"));
        Files.createDirectories(project.resolve("src/main"));
        Files.writeString(project.resolve("pom.xml"), "");
        Path jar = Files.writeString(Files.createDirectories(project.resolve("target")).resolve("vnet4j.jar"), "");
        Path aot = Files.writeString(project.resolve("target/vnet4j.aot"), "");
        Instant t = Instant.now().minusSeconds(100);
        for (Path p : new Path[] {project.resolve("src/main"), project.resolve("pom.xml")}) {
            Files.setLastModifiedTime(p, FileTime.from(t));
        }

        Files.setLastModifiedTime(jar, FileTime.from(t.plusSeconds(10)));
        Files.setLastModifiedTime(aot, FileTime.from(t.plusSeconds(20)));
        assertThat(launch(project, dir.resolve("jdk"))).contains("-XX:AOTCache=" + aot.toRealPath());

        Files.setLastModifiedTime(jar, FileTime.from(t.plusSeconds(30))); // rebuilt since the cache was recorded
        assertThat(launch(project, dir.resolve("jdk"))).doesNotContain("AOTCache").contains("-jar");
    }

    private static String launch(Path project, Path javaHome) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", project.resolve("bin/vnet4j").toString(), "--version")
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().put("VNET4J_AOT_TRAINING", "off");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
