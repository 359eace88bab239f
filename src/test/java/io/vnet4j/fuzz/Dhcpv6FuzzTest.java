package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Message;
import io.vnet4j.usernet.dhcpv6.Dhcpv6MessageType;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Option;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Options;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Pool;
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
 * reading back as configured. A second harness feeds a server with addresses to give ({@link Dhcpv6Pool}): every
 * message it answers is a Solicit, Request, Confirm, Renew, Rebind, Release or Decline with a Client Identifier, the
 * answer is an Advertise (to a Solicit without Rapid Commit) or a Reply that checks and fits, carries the
 * transaction-id, the Client Identifier and this server's identifier, its IA options' insides tile, each names an
 * IAID the message had, and the only address given a lifetime is the guest's.
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
    private static final long GUEST_MAC = 0x5254_0012_3456L;
    private static final Dhcpv6Pool POOL = new Dhcpv6Pool(IpAddress.parse("fec0::"), 64, 86_400,
            IpAddress.parse("fec0::2"), DNS);
    private final Dhcpv6Server stateful = new Dhcpv6Server(new Dhcpv6Settings(DNS, SEARCH, URL, 0x5255_0a00_0202L, POOL));
    private final ByteBuffer statefulOut = ByteBuffer.allocate(stateful.maxReplyLength());

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

    @FuzzTest
    void statefulAnswersAreWellFormedAndFollowTheMessage(byte[] input) {
        ByteBuffer in = ByteBuffer.wrap(input);
        int n = stateful.handle(in, 0, input.length, GUEST_MAC, false, 0, statefulOut, 0);
        if (n == Dhcpv6Server.NO_REPLY) {
            return;
        }
        assertThat(n).isBetween(Dhcpv6Message.HEADER_LENGTH, stateful.maxReplyLength());
        assertThat(request.wrap(in, 0, input.length).check()).isEqualTo(WireError.NONE);
        int type = request.msgType();
        byte[] clientId = null;
        boolean rapidCommit = false;
        java.util.Set<Integer> iaids = new java.util.HashSet<>();
        request.options(options);
        while (options.next()) {
            int code = options.code();
            if (code == Dhcpv6Option.CLIENTID) {
                clientId = new byte[options.dataLength()];
                in.get(options.dataOffset(), clientId);
            }
            rapidCommit |= code == Dhcpv6Option.RAPID_COMMIT;
            if ((code == Dhcpv6Option.IA_NA || code == Dhcpv6Option.IA_TA || code == Dhcpv6Option.IA_PD) && options.dataLength() >= 4) {
                iaids.add(in.getInt(options.dataOffset()));
            }
        }
        assertThat(reply.wrap(statefulOut, 0, n).check()).isEqualTo(WireError.NONE);
        assertThat(reply.transactionId()).isEqualTo(request.transactionId());
        if (type == Dhcpv6MessageType.INFORMATION_REQUEST) {
            assertThat(reply.msgType()).isEqualTo(Dhcpv6MessageType.REPLY);
            return;
        }
        assertThat(type).isBetween(Dhcpv6MessageType.SOLICIT, Dhcpv6MessageType.DECLINE).isNotEqualTo(Dhcpv6MessageType.ADVERTISE)
                .isNotEqualTo(Dhcpv6MessageType.REPLY);
        assertThat(clientId).isNotNull().isNotEmpty();
        assertThat(reply.msgType()).isEqualTo(type == Dhcpv6MessageType.SOLICIT && !rapidCommit
                ? Dhcpv6MessageType.ADVERTISE : Dhcpv6MessageType.REPLY);
        IpAddress guest = POOL.addressFor(GUEST_MAC);
        byte[] replyClientId = null;
        byte[] serverId = null;
        int given = 0;
        reply.options(options);
        Dhcpv6Options inner = new Dhcpv6Options();
        while (options.next()) {
            int code = options.code();
            byte[] data = new byte[options.dataLength()];
            statefulOut.get(options.dataOffset(), data);
            switch (code) {
                case Dhcpv6Option.CLIENTID -> replyClientId = data;
                case Dhcpv6Option.SERVERID -> serverId = data;
                case Dhcpv6Option.IA_NA, Dhcpv6Option.IA_TA, Dhcpv6Option.IA_PD -> {
                    int fixed = code == Dhcpv6Option.IA_TA ? 4 : 12;
                    assertThat(iaids).contains(ByteBuffer.wrap(data).getInt(0));
                    inner.reset(statefulOut, options.dataOffset() + fixed, data.length - fixed);
                    while (inner.next()) {
                        if (inner.code() == Dhcpv6Option.IAADDR && statefulOut.getInt(inner.dataOffset() + 20) != 0) {
                            assertThat(IpAddress.read(statefulOut, inner.dataOffset())).isEqualTo(guest);
                            given++;
                        }
                    }
                    assertThat(inner.error()).isEqualTo(WireError.NONE);
                }
                default -> { }
            }
        }
        assertThat(replyClientId).isEqualTo(clientId);
        assertThat(serverId).isEqualTo(duid);
        assertThat(given).isLessThanOrEqualTo(1);
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
