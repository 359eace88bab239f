package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * A client's bytes split into requests ({@link QmpRequestReader}): only {@link QmpRequestReader.TooLong} and
 * {@link QmpRequestReader.Malformed} (with QEMU's words) leave it, each having taken at least a byte, every request
 * is at most the limit and starts with no JSON white space, and each parses or is refused by {@link Json}.
 */
class QmpRequestReaderFuzzTest {
    private static final int MAX = 256;

    @FuzzTest
    void anyStreamSplitsIntoBoundedRequests(byte[] input) throws IOException {
        QmpRequestReader reader = new QmpRequestReader(new ByteArrayInputStream(input), MAX);
        for (int requests = 0; requests <= input.length; requests++) {
            String request;
            try {
                request = reader.next();
            } catch (QmpRequestReader.TooLong e) {
                continue;
            } catch (QmpRequestReader.Malformed e) {
                assertThat(e.getMessage()).matches("(?s)stray '.+'|invalid keyword '[a-z]+'|expecting value");
                continue;
            }
            if (request == null) {
                return;
            }
            assertThat(request.length()).isLessThanOrEqualTo(MAX); // a byte decodes to one char at most
            assertThat(request).isNotEmpty();
            assertThat(request.charAt(0)).isNotIn(' ', '\t', '\r', '\n'); // JSON's white space (RFC 8259)
            try {
                Json.parse(request);
            } catch (IllegalArgumentException refused) {
                assertThat(refused.getMessage()).isNotBlank().doesNotContain("[Source:");
            }
        }
        throw new AssertionError("more requests than bytes");
    }
}
