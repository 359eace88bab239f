package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class DescriptorsTest {
    /** /proc/self/limits' soft limit is the one the JDK's management API reports (which is slow to start). */
    @Test
    void theLimitIsTheOneTheJdkReports() {
        var os = (com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        assertThat(Descriptors.limit()).isEqualTo(os.getMaxFileDescriptorCount());
        assertThat(Descriptors.free()).isPositive().isLessThan(Descriptors.limit());
    }
}
