package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.port.vde.VdeRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What a VDE plug sends on the switch's control socket (host byte order, as libvdeplug writes it). The
 * parser never throws, at offset 0 or at an odd offset; an accepted request is at most
 * {@link VdeRequest#MAX_LENGTH} bytes when emitted again and, when its strings are valid UTF-8 that
 * fit their fields, emits and parses back to the same request; the reply address it would build from
 * its socket path parses back to that path.
 */
class VdeRequestFuzzTest {
    @FuzzTest
    void requestsParseOrAreRefusedAndRoundTrip(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        VdeRequest.Parsed parsed = VdeRequest.parse(in, 0, bytes.length);
        if (bytes.length > 0) {
            VdeRequest.parse(in, 1, bytes.length - 1);
        }
        VdeRequest.parseAddress(in, 0, bytes.length);
        if (!(parsed instanceof VdeRequest.Ok(VdeRequest request)) || !fits(request)) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(VdeRequest.MAX_LENGTH);
        int length = request.emit(out);
        assertThat(length).isBetween(VdeRequest.HEADER_LENGTH, VdeRequest.MAX_LENGTH);
        assertThat(VdeRequest.parse(out, 0, length)).isEqualTo(new VdeRequest.Ok(request));

        ByteBuffer address = ByteBuffer.allocate(VdeRequest.SOCKADDR_UN_LENGTH);
        VdeRequest.emitAddress(request.socketPath(), address);
        assertThat(VdeRequest.parseAddress(address, 0, VdeRequest.SOCKADDR_UN_LENGTH)).isEqualTo(request.socketPath());
    }

    /** True when the strings came from valid UTF-8 (no replacement character) and fit the request's fields. */
    private static boolean fits(VdeRequest request) {
        return request.socketPath().indexOf('\uFFFD') < 0 && request.description().indexOf('\uFFFD') < 0
                && request.description().getBytes(StandardCharsets.UTF_8).length <= VdeRequest.MAX_DESCRIPTION;
    }
}
