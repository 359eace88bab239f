package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.usernet.dhcp.LeaseFileFormat;
import java.nio.charset.StandardCharsets;

/**
 * A lease file's text ({@code leasefile=}, {@link LeaseFileFormat}), as a user or another program may have left it:
 * any text reads without an exception, every line is a binding or counted as refused, and the bindings read write
 * back to a text that reads to the same bindings, none refused.
 */
class LeaseFileFuzzTest {
    @FuzzTest
    void anyTextReadsAndItsBindingsWriteBackTheSame(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        LeaseFileFormat.Read read = LeaseFileFormat.parse(text);
        assertThat(read.leases().size() + read.refusedLines()).isLessThanOrEqualTo(text.split("\n", -1).length);
        assertThat(read.firstRefusal() == null).isEqualTo(read.refusedLines() == 0);
        LeaseFileFormat.Read again = LeaseFileFormat.parse(LeaseFileFormat.format(read.leases()));
        assertThat(again.refusedLines()).isZero();
        assertThat(again.leases()).isEqualTo(read.leases());
    }
}
