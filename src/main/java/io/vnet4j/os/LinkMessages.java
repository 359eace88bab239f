package io.vnet4j.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads the link messages of one rtnetlink datagram (rtnetlink(7), netlink(7); the kernel's
 * include/uapi/linux/netlink.h, rtnetlink.h and if_link.h): each message a {@code struct nlmsghdr}
 * ({@code u32 nlmsg_len} with the header, {@code u16 nlmsg_type}, {@code u16 nlmsg_flags}, {@code u32 nlmsg_seq},
 * {@code u32 nlmsg_pid}: 16 bytes, host byte order), aligned to 4 bytes. An RTM_NEWLINK or RTM_DELLINK message's
 * body is a {@code struct ifinfomsg} ({@code u8 ifi_family}, pad, {@code u16 ifi_type}, {@code s32 ifi_index},
 * {@code u32 ifi_flags}, {@code u32 ifi_change}: 16 bytes) and then attributes, each a {@code struct rtattr}
 * ({@code u16 rta_len} with its header, {@code u16 rta_type}) and its value, aligned to 4; IFLA_IFNAME's value is
 * the interface's name, NUL-terminated. Other messages are skipped. A length that is shorter than its header or
 * runs past the datagram ends the reading, and is counted.
 */
final class LinkMessages {
    /** netlink.h and rtnetlink.h. */
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int IFLA_IFNAME = 3;
    static final int NLMSG_HEADER = 16;
    static final int IFINFOMSG = 16;
    private static final int RTATTR_HEADER = 4;
    /** IFNAMSIZ - 1: the longest name the kernel gives. */
    private static final int MAX_NAME = 15;

    /** What the messages say, in their order. */
    interface Sink {
        /**
         * Link {@code index} is now named {@code name} (an RTM_NEWLINK: it appeared, changed or was renamed), or,
         * with {@code deleted}, is gone (RTM_DELLINK); {@code name} is null when the message carries none.
         */
        void link(boolean deleted, int index, String name);
    }

    private LinkMessages() {}

    /**
     * Hands each link message of the {@code length} bytes of {@code datagram} from its position to {@code sink}.
     *
     * @return 0, or 1 when a lying or truncated length ended the datagram early (what came before it was read)
     */
    static int read(ByteBuffer datagram, int length, Sink sink) {
        ByteBuffer b = datagram.duplicate().order(ByteOrder.nativeOrder());
        int start = b.position();
        int end = start + Math.min(length, b.remaining());
        int at = start;
        while (end - at >= NLMSG_HEADER) {
            long messageLength = Integer.toUnsignedLong(b.getInt(at));
            if (messageLength < NLMSG_HEADER || messageLength > end - at) {
                return 1;
            }
            int type = Short.toUnsignedInt(b.getShort(at + 4));
            if (type == RTM_NEWLINK || type == RTM_DELLINK) {
                if (messageLength < NLMSG_HEADER + IFINFOMSG || !link(b, at, (int) messageLength, type == RTM_DELLINK, sink)) {
                    return 1;
                }
            }
            at += align((int) messageLength);
        }
        return at >= end ? 0 : 1; // else a tail too short for a header
    }

    /** One link message of {@code length} bytes at {@code at}; false when an attribute's length lies. */
    private static boolean link(ByteBuffer b, int at, int length, boolean deleted, Sink sink) {
        int index = b.getInt(at + NLMSG_HEADER + 4);
        int end = at + length;
        String name = null;
        int attribute = at + NLMSG_HEADER + IFINFOMSG;
        while (end - attribute >= RTATTR_HEADER) {
            int attributeLength = Short.toUnsignedInt(b.getShort(attribute));
            if (attributeLength < RTATTR_HEADER || attributeLength > end - attribute) {
                return false;
            }
            if (Short.toUnsignedInt(b.getShort(attribute + 2)) == IFLA_IFNAME) {
                name = string(b, attribute + RTATTR_HEADER, attributeLength - RTATTR_HEADER);
            }
            attribute += align(attributeLength);
        }
        sink.link(deleted, index, name);
        return true;
    }

    /** A NUL-terminated name of at most {@value #MAX_NAME} bytes, or null when it is longer or not terminated. */
    private static String string(ByteBuffer b, int at, int room) {
        for (int i = 0; i < Math.min(room, MAX_NAME + 1); i++) {
            if (b.get(at + i) == 0) {
                byte[] bytes = new byte[i];
                b.get(at, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** NLMSG_ALIGN and RTA_ALIGN: up to a multiple of 4. */
    private static int align(int length) {
        return (length + 3) & ~3;
    }
}
