package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompilerThreadsTest {
    @Test
    void takesUserAndSystemTimeAfterTheCommandHoweverItIsNamed() {
        // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (C2 Compiler) (x)) S 1 4242 4242 0 -1 4194368 10 0 0 0 1234 56 0 0 20 0 1 0 100 0 0";
        assertThat(CompilerThreads.cpuTicks(stat)).isEqualTo(1234 + 56);
    }

    @Test
    void readsThisJvmsCompilerThreads() {
        assertThat(CompilerThreads.cpuMillis()).as("the JIT compiled this test's classes: its threads used CPU")
                .isPositive();
    }
}
