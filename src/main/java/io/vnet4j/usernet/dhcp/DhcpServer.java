package io.vnet4j.usernet.dhcp;

import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The DHCP/BOOTP server of the user-mode gateway (RFC 2131, 951), as pure logic: it takes what a guest
 * sent to UDP port 67 with the time, and writes the reply's UDP payload; sockets and clocks are the
 * caller's. The server identifier is the router address. Relayed messages (giaddr set) are ignored.
 * Not thread-safe: one caller at a time.
 */
public final class DhcpServer {
    /** What {@link #handle} returns when there is nothing to send. */
    public static final int NO_REPLY = -1;
    /** How long an offered address stays reserved for the client it was offered to. */
    static final long OFFER_HOLD_MILLIS = 60_000;
    /** How long a declined address stays out of the pool. */
    public static final long DECLINE_HOLD_MILLIS = 600_000;
    /** The IPv4 and UDP headers around a reply: a reply buffer for an MTU holds the MTU less these. */
    public static final int IP_UDP_HEADERS = ReplyWriter.IP_UDP_HEADERS;
    /** The most leases held but static ones ({@link LeaseTable#MAX_BINDINGS}): past it a new client gets none. */
    public static final int MAX_BINDINGS = LeaseTable.MAX_BINDINGS;
    private static final int BROADCAST_ADDRESS = 0xFFFF_FFFF;
    private static final long NEVER = Long.MAX_VALUE;

    private final DhcpSettings settings;
    private final LeaseTable leases;
    private final AddressesInUse inUse;
    private final ReplyWriter writer;
    private final DhcpMessage message = new DhcpMessage();
    private long malformed;
    private long ignored;
    private long exhausted;
    private long declined;
    private int lastDeclined;

    /** A server that takes every address no binding holds for free (as libslirp's). */
    public DhcpServer(DhcpSettings settings) {
        this(settings, AddressesInUse.NONE);
    }

    /**
     * A server that offers no address another station uses ({@link AddressesInUse}), and refuses one to a client
     * that asks for it (a NAK).
     */
    public DhcpServer(DhcpSettings settings, AddressesInUse inUse) {
        this.settings = settings;
        this.inUse = inUse;
        this.leases = new LeaseTable(settings, inUse);
        this.writer = new ReplyWriter(settings);
    }

    /**
     * Handles one message from a guest: writes the reply's UDP payload at absolute offset 0 of
     * {@code out} (which must hold at least 300 bytes and is distinct from {@code in}; a reply is longer
     * than 548 bytes only when the client's option 57 allows it and {@code out} has the room), says
     * where it goes in {@code reply} and returns its length, or returns {@link #NO_REPLY}.
     */
    public int handle(ByteBuffer in, int offset, int length, long nowMillis, ByteBuffer out, DhcpReply reply) {
        if (message.wrap(in, offset, length).check() != WireError.NONE) {
            malformed++;
            return NO_REPLY;
        }
        BootpHeader request = BootpHeader.parse(message);
        int serverId = message.serverIdentifier();
        if (request.op() != DhcpMessage.OP_REQUEST || request.giaddr() != 0 || MacAddress.isMulticast(request.chaddr())
                || (serverId != 0 && serverId != settings.router())) {
            ignored++;
            return NO_REPLY;
        }
        return switch (message.messageType()) {
            case DhcpMessageType.NONE -> bootp(request, nowMillis, out, reply);
            case DhcpMessageType.DISCOVER -> discover(request, nowMillis, out, reply);
            case DhcpMessageType.REQUEST -> request(request, nowMillis, out, reply);
            case DhcpMessageType.RELEASE -> release(request);
            case DhcpMessageType.DECLINE -> decline(request, nowMillis);
            case DhcpMessageType.INFORM -> send(ReplyWriter.Kind.INFORM_ACK, request, 0, out, reply);
            default -> ignore();
        };
    }

    /** Every binding, lapsed ones included (see {@link Lease#expiresAtMillis()}), by address. */
    public List<Lease> leases() {
        return leases.all();
    }

    /**
     * The binding whose client claimed this host name last (ignoring case) in an acknowledged lease, lapsed
     * or not; null when none holds it (released, superseded by another name or by another MAC's binding).
     */
    public Lease leaseForHostname(String name) {
        return leases.byHostname(name);
    }

    /**
     * How many bytes of options (a long {@code dnssearch=} list, say) a client that offers no maximum
     * message size (option 57) does not get: 0 when an ACK with every option fits 548 bytes.
     */
    public int bytesOverSmallestReply() {
        return Math.max(0, writer.fullAckLength() - ReplyWriter.MAX_REPLY_LENGTH);
    }

    /**
     * The MAC's client left the hub (its VM quit): its binding lapses now, and its address goes to the next new
     * MAC as an unbound one would; the MAC itself still gets it back first.
     *
     * @return the address of the binding that was running (in an int, as {@link Lease#address}), or 0 when none was
     */
    public int depart(long mac, long nowMillis) {
        return leases.depart(mac, nowMillis);
    }

    /**
     * Takes the bindings kept from an earlier run ({@code leasefile=}, {@link LeaseFileFormat}), before any message:
     * each as it was, a running one with its host name.
     *
     * @return how many were taken; the rest are refused by {@link LeaseTable#restore}'s rules
     */
    public int restore(List<Lease> kept, long nowMillis) {
        int taken = 0;
        for (Lease lease : kept) {
            if (leases.restore(lease, nowMillis)) {
                taken++;
            }
        }
        return taken;
    }

    /** How many times the bindings or their host names changed, ever: when it moved, they are saved again. */
    public long bindingsChanged() {
        return leases.generation();
    }

    public DhcpCounters counters() {
        return new DhcpCounters(malformed, ignored, exhausted);
    }

    /** Addresses a client declined (found in use by another station) and the pool gave up for a while, ever. */
    public long declined() {
        return declined;
    }

    /** The address declined last (in an int, as {@link Lease#address}), 0 before any. */
    public int lastDeclined() {
        return lastDeclined;
    }

    /** {@link DhcpCounters#exhausted} without a record: compared around each message. */
    public long exhausted() {
        return exhausted;
    }

    private int discover(BootpHeader request, long nowMillis, ByteBuffer out, DhcpReply reply) {
        long mac = request.chaddr();
        int address = leases.choose(mac, message.requestedAddress(), nowMillis);
        if (address == 0) {
            exhausted++;
            return NO_REPLY;
        }
        if (checking(mac, address, nowMillis)) {
            return NO_REPLY; // offered once the check is done: the caller hands this DISCOVER in again
        }
        Lease own = leases.byMac(mac);
        long hold = nowMillis + OFFER_HOLD_MILLIS;
        leases.bind(mac, address, message.hostname(), own == null ? hold : Math.max(own.expiresAtMillis(), hold));
        return send(ReplyWriter.Kind.OFFER, request, address, out, reply);
    }

    /**
     * Whether {@code address}, to be offered to {@code mac}, is being checked first ({@link AddressesInUse#checking}):
     * not the MAC's static lease nor its own binding's address.
     */
    private boolean checking(long mac, int address, long nowMillis) {
        Lease own = leases.byMac(mac);
        return !(own != null && own.address() == address || settings.staticLeases().containsKey(mac))
                && inUse.checking(address, mac, nowMillis);
    }

    /** SELECTING and INIT-REBOOT name the address in option 50, RENEWING and REBINDING in ciaddr. */
    private int request(BootpHeader request, long nowMillis, ByteBuffer out, DhcpReply reply) {
        int requested = message.requestedAddress();
        int address = requested != 0 ? requested : request.ciaddr();
        if (address == 0) {
            return ignore();
        }
        if (!leases.acceptable(request.chaddr(), address, requested != 0, nowMillis)) {
            return send(ReplyWriter.Kind.NAK, request, 0, out, reply);
        }
        leases.bind(request.chaddr(), address, message.hostname(), leaseEnd(nowMillis));
        long nameWas = leases.claimName(request.chaddr());
        int length = send(ReplyWriter.Kind.ACK, request, address, out, reply);
        reply.nameTakenFrom(nameWas);
        return length;
    }

    private int bootp(BootpHeader request, long nowMillis, ByteBuffer out, DhcpReply reply) {
        int address = leases.choose(request.chaddr(), 0, nowMillis);
        if (address == 0) {
            exhausted++;
            return NO_REPLY;
        }
        if (checking(request.chaddr(), address, nowMillis)) {
            return NO_REPLY; // as a DISCOVER's: answered once the check is done
        }
        leases.bind(request.chaddr(), address, message.hostname(), NEVER);
        long nameWas = leases.claimName(request.chaddr());
        int length = send(ReplyWriter.Kind.BOOTP, request, address, out, reply);
        reply.nameTakenFrom(nameWas);
        return length;
    }

    private int release(BootpHeader request) {
        if (leases.release(request.chaddr(), request.ciaddr())) {
            inUse.givenUp(request.ciaddr(), request.chaddr());
        }
        return NO_REPLY;
    }

    /** The client found the address in use: it leaves the pool for a while. */
    private int decline(BootpHeader request, long nowMillis) {
        int address = message.requestedAddress();
        if (leases.release(request.chaddr(), address)) {
            leases.decline(address, nowMillis + DECLINE_HOLD_MILLIS);
            inUse.givenUp(address, request.chaddr()); // the decliner does not use it; after the hold, anyone may
            declined++;
            lastDeclined = address;
        }
        return NO_REPLY;
    }

    private int ignore() {
        ignored++;
        return NO_REPLY;
    }

    private long leaseEnd(long nowMillis) {
        return settings.leaseSeconds() == DhcpSettings.INFINITE_LEASE ? NEVER : nowMillis + settings.leaseSeconds() * 1000;
    }

    /**
     * Writes the reply and addresses it (RFC 2131 section 4.1, no relay): a client with an address (ciaddr) gets
     * it unicast there, but a NAK; every other reply is broadcast, whether or not the client set the broadcast
     * flag. RFC 951 clients predate the flag (RFC 1542 section 3.1.1 added it for them: "some clients cannot
     * receive unicast IP datagrams until they know their own IP address"), and DHCP clients that need broadcast
     * and do not say so are common among the old stacks emulators run: PC/GEOS's got no lease from unicasting
     * servers until it set the flag (bluewaysw/pcgeos#768); dnsmasq has {@code --dhcp-broadcast} for them.
     * libslirp's bootp.c broadcasts every reply, so a guest that works under QEMU's {@code -netdev user} takes
     * broadcast replies, and every client does: a NAK comes that way.
     */
    private int send(ReplyWriter.Kind kind, BootpHeader request, int address, ByteBuffer out, DhcpReply reply) {
        int length = writer.write(out, kind, request, address, message.parameterRequestList(), message.maxMessageSize(),
                message.clientIdentifier());
        int type = switch (kind) {
            case OFFER -> DhcpMessageType.OFFER;
            case ACK, INFORM_ACK -> DhcpMessageType.ACK;
            case NAK -> DhcpMessageType.NAK;
            case BOOTP -> DhcpMessageType.NONE;
        };
        boolean starting = kind == ReplyWriter.Kind.ACK && request.ciaddr() == 0;
        if (kind != ReplyWriter.Kind.NAK && request.ciaddr() != 0) {
            reply.set(request.ciaddr(), request.chaddr(), type, false, request.ciaddr(), request.chaddr());
        } else {
            // an OFFER's address is not the client's yet: it may take another server's offer, or be a probe
            reply.set(BROADCAST_ADDRESS, MacAddress.BROADCAST, type, starting,
                    kind == ReplyWriter.Kind.OFFER ? 0 : address, request.chaddr());
        }
        return length;
    }
}
