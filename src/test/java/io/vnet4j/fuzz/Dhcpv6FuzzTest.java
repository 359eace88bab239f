package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Message;
import io.vnet4j.usernet.dhcpv6.Dhcpv6MessageType;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Option;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Options;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Server;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Settings;
import io.vnet4j.wire.DomainNames;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The DHCPv6 server's input: one UDP payload from a client, into a {@link Dhcpv6Server} with every setting
 * (DNS server, search list, boot file URL). The view's check never throws and its options tile the message;
 * the server answers exactly the Information-requests a reference reading of libslirp's and RFC 8415's
 * rules accepts, and every Reply fits {@link Dhcpv6Server#maxReplyLength()}, checks, carries the request's
 * transaction-id, its last Client Identifier, this server's identifier, and the options asked for, each
 * reading back as configured.
 */
class Dhcpv6FuzzTest {
    private static final IpAddress DNS = IpAddress.parse("fec0::3");
    private static final List<String> SEARCH = List.of("vnet.test", "lab.vnet.test");
    private static final String URL = Dhcpv6Settings.tftpBootFileUrl(IpAddress.parse("fec0::2"), "pxelinux.0");
    private static final Dhcpv6Settings SETTINGS = new Dhcpv6Settings(DNS, SEARCH, URL, 0x5255_0a00_0202L);

    private final Dhcpv6Server server = new Dhcpv6Server(SETTINGS);
    private final byte[] duid = server.serverDuid();
    private final Dhcpv6Message request = new Dhcpv6Message();
    private final Dhcpv6Message reply = new Dhcpv6Message();
    private final Dhcpv6Options options = new Dhcpv6Options();
    private final ByteBuffer out = ByteBuffer.allocate(server.maxReplyLength());

    @FuzzTest
    void answersExactlyTheAcceptableRequestsWithWellFormedReplies(byte[] input) {
        ByteBuffer in = ByteBuffer.wrap(input);
        int n = server.handle(in, 0, input.length, out, 0);
        Expected expected = expect(in, input.length);
        if (expected == null) {
            assertThat(n).isEqualTo(Dhcpv6Server.NO_REPLY);
            return;
        }
        assertThat(n).isBetween(Dhcpv6Message.HEADER_LENGTH, server.maxReplyLength());
        assertThat(reply.wrap(out, 0, n).check()).isEqualTo(WireError.NONE);
        assertThat(reply.msgType()).isEqualTo(Dhcpv6MessageType.REPLY);
        assertThat(reply.transactionId()).isEqualTo(request.transactionId());
        byte[] clientId = null;
        byte[] serverId = null;
        boolean dns = false;
        boolean search = false;
        boolean url = false;
        reply.options(options);
        while (options.next()) {
            byte[] data = new byte[options.dataLength()];
            out.get(options.dataOffset(), data);
            switch (options.code()) {
                case Dhcpv6Option.CLIENTID -> clientId = data;
                case Dhcpv6Option.SERVERID -> serverId = data;
                case Dhcpv6Option.DNS_SERVERS -> {
                    dns = true;
                    assertThat(IpAddress.read(ByteBuffer.wrap(data), 0)).isEqualTo(DNS);
                }
                case Dhcpv6Option.DOMAIN_LIST -> {
                    search = true;
                    assertThat(DomainNames.decode(ByteBuffer.wrap(data), 0, data.length, false)).isEqualTo(SEARCH);
                }
                case Dhcpv6Option.BOOTFILE_URL -> {
                    url = true;
                    assertThat(new String(data, StandardCharsets.US_ASCII)).isEqualTo(URL);
                }
                default -> throw new AssertionError("unexpected option " + options.code());
            }
        }
        assertThat(serverId).isEqualTo(duid);
        assertThat(clientId).isEqualTo(expected.clientId);
        assertThat(dns).isEqualTo(expected.dns);
        assertThat(search).isEqualTo(expected.search);
        assertThat(url).isEqualTo(expected.url);
    }

    private record Expected(byte[] clientId, boolean dns, boolean search, boolean url) {}

    /** The reference reading: what the Reply must hold, or null when no Reply may come. */
    private Expected expect(ByteBuffer in, int length) {
        if (request.wrap(in, 0, length).check() != WireError.NONE
                || request.msgType() != Dhcpv6MessageType.INFORMATION_REQUEST) {
            return null;
        }
        byte[] clientId = null;
        boolean dns = false;
        boolean search = false;
        boolean url = false;
        int covered = 0;
        request.options(options);
        while (options.next()) {
            covered += 4 + options.dataLength();
            byte[] data = new byte[options.dataLength()];
            in.get(options.dataOffset(), data);
            switch (options.code()) {
                case Dhcpv6Option.IA_NA, Dhcpv6Option.IA_TA, Dhcpv6Option.IA_PD, Dhcpv6Option.IAADDR -> {
                    return null;
                }
                case Dhcpv6Option.SERVERID -> {
                    if (!Arrays.equals(data, duid)) {
                        return null;
                    }
                }
                case Dhcpv6Option.CLIENTID -> {
                    if (data.length > Dhcpv6Server.MAX_CLIENT_ID_LENGTH) {
                        return null;
                    }
                    clientId = data;
                }
                case Dhcpv6Option.ORO -> {
                    if (data.length % 2 != 0) {
                        return null;
                    }
                    ByteBuffer codes = ByteBuffer.wrap(data);
                    for (int i = 0; i < data.length; i += 2) {
                        int code = codes.getShort(i) & 0xFFFF;
                        dns |= code == Dhcpv6Option.DNS_SERVERS;
                        search |= code == Dhcpv6Option.DOMAIN_LIST;
                        url |= code == Dhcpv6Option.BOOTFILE_URL;
                    }
                }
                default -> { }
            }
        }
        assertThat(options.error()).isEqualTo(WireError.NONE);
        assertThat(covered).isEqualTo(request.optionsLength());
        return new Expected(clientId, dns, search, url);
    }
}
