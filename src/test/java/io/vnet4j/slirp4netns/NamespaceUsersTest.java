package io.vnet4j.slirp4netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamespaceUsersTest {
    @TempDir
    Path proc;

    private void process(String pid, String namespace) throws IOException {
        Path ns = Files.createDirectories(proc.resolve(pid).resolve("ns"));
        Files.createSymbolicLink(ns.resolve("net"), Path.of(namespace));
    }

    @Test
    void anotherProcessInTheNamespaceKeepsItInUse() throws IOException {
        process("1", "net:[4026531840]");
        process("200", "net:[4026532241]");
        assertThat(NamespaceUsers.inUse(proc, "net:[4026532241]", 100)).isTrue();
        assertThat(NamespaceUsers.inUse(proc, "net:[4026532999]", 100)).isFalse();
    }

    @Test
    void theCallerItselfAndEntriesThatAreNoProcessesDoNotCount() throws IOException {
        process("100", "net:[4026532241]");
        process("self", "net:[4026532241]");
        Files.createDirectories(proc.resolve("300")); // gone between the listing and the read: no ns/net
        Files.writeString(proc.resolve("uptime"), "1.0 1.0\n");
        assertThat(NamespaceUsers.inUse(proc, "net:[4026532241]", 100)).isFalse();
    }

    @Test
    void theIdentityIsTheLinksText() throws IOException {
        process("42", "net:[4026532241]");
        assertThat(NamespaceUsers.identity(proc.resolve("42/ns/net"))).isEqualTo("net:[4026532241]");
        assertThat(NamespaceUsers.identity(Path.of("/proc/self/ns/net"))).startsWith("net:[");
    }
}
