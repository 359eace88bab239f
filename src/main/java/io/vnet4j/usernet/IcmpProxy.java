package io.vnet4j.usernet;

import io.vnet4j.Log;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Pings from guests to addresses other than the gateway's, carried by one unprivileged ICMP echo socket
 * ({@code SOCK_DGRAM, IPPROTO_ICMP}). Each request goes out with a sequence number of ours, remembered
 * with the guest, its identifier and sequence and the destination for {@value #PENDING_SECONDS} s (at most
 * {@value #MAX_PENDING}); a reply is matched by that number and delivered to the guest as if from the
 * pinged host. The socket's reader is a platform thread (a blocking native call) that hands each reply to
 * the gateway's loop. When the kernel refuses that socket (the user's group is outside
 * {@code net.ipv4.ping_group_range}) but the process has CAP_NET_RAW (root, say), a raw ICMP socket does
 * the same work: there the identifier is ours too and the checksum computed here, and replies come with
 * their IPv4 header and among every other ICMP message to the host. When neither is allowed, one log
 * line says so and such pings are dropped and counted.
 */
final class IcmpProxy {
    static final int PENDING_SECONDS = 30;
    static final int MAX_PENDING = 4096;
    private static final long PENDING_NANOS = TimeUnit.SECONDS.toNanos(PENDING_SECONDS);

    private record Pending(IpAddress guestIp, int guestId, int guestSequence, IpAddress destination, long sentAt) {}

    /** An echo reply read by the reader thread, to be delivered on the loop. */
    record Reply(IpAddress source, int sequence, byte[] data) {}

    private final GuestOutput out;
    private final NativeDatagramSocket socket;
    /** The socket is raw: requests carry {@link #identifier} and our checksum, replies their IPv4 header. */
    private final boolean raw;
    private final int identifier;
    private final Map<Integer, Pending> pending = new LinkedHashMap<>();
    private final Thread reader;
    private final byte[] scratch = new byte[NativeDatagramSocket.MAX_DATAGRAM];
    private int nextSequence;
    private long dropped;

    private IcmpProxy(GuestOutput out, NativeDatagramSocket socket, boolean raw, Consumer<Reply> toLoop) {
        this.out = out;
        this.socket = socket;
        this.raw = raw;
        this.identifier = (int) (ProcessHandle.current().pid() & 0xFFFF);
        this.reader = socket == null ? null
                : Thread.ofPlatform().daemon().name("vnet4j-icmp").start(() -> readLoop(toLoop));
    }

    /** Opens the ICMP socket, or a proxy that drops everything (with one log line) when not allowed. */
    static IcmpProxy open(String logName, GuestOutput out, Consumer<Reply> toLoop) {
        IOException refused;
        try {
            return new IcmpProxy(out, NativeDatagramSocket.icmp(), false, toLoop);
        } catch (IOException e) {
            refused = e;
        }
        try {
            NativeDatagramSocket raw = NativeDatagramSocket.rawIcmp();
            Log.info(logName + ": pings to other hosts go through a raw ICMP socket (CAP_NET_RAW; the group is "
                    + "outside net.ipv4.ping_group_range \"" + pingGroupRange() + "\")");
            return new IcmpProxy(out, raw, true, toLoop);
        } catch (IOException e) {
            Log.warn(logName + ": pings to hosts other than the gateway are not available (" + refused.getMessage()
                    + "): unprivileged ICMP sockets need the group in net.ipv4.ping_group_range (now \""
                    + pingGroupRange() + "\"), raw ones CAP_NET_RAW; allow the first with: "
                    + "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"");
            return new IcmpProxy(out, null, false, toLoop);
        }
    }

    private static String pingGroupRange() {
        try {
            // readAllLines, not readString: this proc file answers a sized read with its first byte only
            return String.join(" ", Files.readAllLines(Path.of("/proc/sys/net/ipv4/ping_group_range")).getFirst().trim().split("\\s+"));
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Sends a guest's echo request (ICMP header and data in {@code buffer}) to {@code destination}. */
    void request(IpAddress guestIp, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (socket == null || length > NativeDatagramSocket.MAX_DATAGRAM) {
            dropped++;
            return;
        }
        expire(now);
        if (pending.size() >= MAX_PENDING) {
            Iterator<Integer> oldest = pending.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        int sequence = nextSequence++ & 0xFFFF;
        IcmpPacket icmp = new IcmpPacket().wrap(buffer, offset, length);
        pending.put(sequence, new Pending(guestIp, icmp.identifier(), icmp.sequence(), destination, now));
        MemorySegment send = socket.sendBuffer();
        buffer.get(offset, scratch, 0, length);
        ByteBuffer request = ByteBuffer.wrap(scratch, 0, length);
        request.putShort(6, (short) sequence);
        if (raw) { // the kernel neither sets the identifier nor computes the checksum of a raw socket's message
            request.putShort(4, (short) identifier).putShort(2, (short) 0);
            request.putShort(2, (short) Checksum.compute(request, 0, length));
        }
        MemorySegment.copy(scratch, 0, send, ValueLayout.JAVA_BYTE, 0, length);
        int destinationLength = socket.prepareDestination(new DatagramEndpoint.Inet(
                (Inet4Address) destination.toInetAddress(), 0));
        if (socket.send(length, destinationLength) != 0) {
            dropped++;
        }
    }

    private void readLoop(Consumer<Reply> toLoop) {
        try {
            while (!socket.isClosed()) {
                int length = socket.receive();
                ByteBuffer in = socket.receivedBuffer();
                int at = raw && length > 0 ? (in.get(0) & 0x0F) * 4 : 0; // a raw socket's IPv4 header
                if (length - at < IcmpPacket.HEADER_LENGTH || (in.get(at) & 0xFF) != IcmpType.ECHO_REPLY
                        || raw && (in.getShort(at + 4) & 0xFFFF) != identifier) {
                    continue;
                }
                byte[] data = new byte[length - at - IcmpPacket.HEADER_LENGTH];
                in.get(at + IcmpPacket.HEADER_LENGTH, data);
                toLoop.accept(new Reply(IpAddress.ofIpv4(socket.lastSourceIpv4()), in.getShort(at + 6) & 0xFFFF, data));
            }
        } catch (IOException e) {
            Log.warn("icmp: the echo socket failed: " + e.getMessage());
        }
    }

    /** On the loop: delivers a reply to the guest that asked. */
    void deliver(Reply reply) {
        Pending p = pending.remove(reply.sequence());
        if (p == null || !p.destination().equals(reply.source())) {
            dropped++;
            return;
        }
        ByteBuffer body = out.payloadBuffer();
        int length = IcmpPacket.HEADER_LENGTH + reply.data().length;
        IcmpPacket icmp = new IcmpPacket().wrap(body, 0, length);
        icmp.setType(IcmpType.ECHO_REPLY);
        icmp.setCode(0);
        icmp.setIdentifier(p.guestId());
        icmp.setSequence(p.guestSequence());
        body.put(IcmpPacket.HEADER_LENGTH, reply.data());
        out.sendIcmp(p.destination(), p.guestIp(), length);
    }

    private void expire(long now) {
        Iterator<Pending> it = pending.values().iterator();
        while (it.hasNext() && now - it.next().sentAt() > PENDING_NANOS) {
            it.remove();
        }
    }

    long dropped() {
        return dropped;
    }

    void close() {
        if (socket != null) {
            socket.close();
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socket.release();
        }
    }
}
