package io.vnet4j.port.vhostuser;

/**
 * The numbers of the vhost-user protocol (QEMU's docs/interop/vhost-user.rst) and of virtio-net (VIRTIO 1.2)
 * that this back-end speaks. A message is a 12-byte header (request u32, flags u32, size u32, in the host's
 * byte order: little-endian here) followed by {@code size} bytes of payload.
 */
final class VhostUserProtocol {
    static final int HEADER = 12;
    /** The largest payload read: VHOST_USER_SET_MEM_TABLE with its 8 regions is 264 bytes; others are smaller. */
    static final int MAX_PAYLOAD = 4096;

    static final int GET_FEATURES = 1;
    static final int SET_FEATURES = 2;
    static final int SET_OWNER = 3;
    static final int RESET_OWNER = 4;
    static final int SET_MEM_TABLE = 5;
    static final int SET_LOG_BASE = 6;
    static final int SET_LOG_FD = 7;
    static final int SET_VRING_NUM = 8;
    static final int SET_VRING_ADDR = 9;
    static final int SET_VRING_BASE = 10;
    static final int GET_VRING_BASE = 11;
    static final int SET_VRING_KICK = 12;
    static final int SET_VRING_CALL = 13;
    static final int SET_VRING_ERR = 14;
    static final int GET_PROTOCOL_FEATURES = 15;
    static final int SET_PROTOCOL_FEATURES = 16;
    static final int GET_QUEUE_NUM = 17;
    static final int SET_VRING_ENABLE = 18;
    static final int SEND_RARP = 19;
    static final int NET_SET_MTU = 20;

    /** Header flags: the version (1) in bits 0-1, a reply, a request that wants a reply (REPLY_ACK). */
    static final int VERSION = 0x1;
    static final int VERSION_MASK = 0x3;
    static final int FLAG_REPLY = 0x4;
    static final int FLAG_NEED_REPLY = 0x8;

    /** VHOST_USER_SET_VRING_KICK/CALL/ERR's u64: the queue in bits 0-7, bit 8 set when no descriptor came. */
    static final long VRING_INDEX_MASK = 0xFF;
    static final long VRING_NO_FD = 0x100;

    /** The memory table: nregions u32, padding u32, then per region 4 u64 (guest_phys_addr, memory_size, userspace_addr, mmap_offset). */
    static final int MAX_REGIONS = 8;
    static final int REGION_BYTES = 32;

    /**
     * Virtio feature bits (VIRTIO 1.2, 5.1.3): the device takes partial checksums (CSUM) and TSO frames
     * (HOST_TSO4/6) from the driver, and the driver takes them (GUEST_CSUM, GUEST_TSO4/6); mergeable receive
     * buffers, the event index (VIRTIO_RING_F_EVENT_IDX, 2.7.7 and 2.7.10: each side says at which index the
     * other should next notify it), VIRTIO_F_VERSION_1, and vhost-user's PROTOCOL_FEATURES.
     */
    static final int F_CSUM = 0;
    static final int F_GUEST_CSUM = 1;
    static final int F_GUEST_TSO4 = 7;
    static final int F_GUEST_TSO6 = 8;
    static final int F_HOST_TSO4 = 11;
    static final int F_HOST_TSO6 = 12;
    static final int F_MRG_RXBUF = 15;
    static final int F_RING_EVENT_IDX = 29;
    static final int F_PROTOCOL_FEATURES = 30;
    static final int F_VERSION_1 = 32;
    /** What this back-end offers: no ECN or UFO, no indirect descriptors. */
    static final long FEATURES = 1L << F_CSUM | 1L << F_GUEST_CSUM | 1L << F_GUEST_TSO4 | 1L << F_GUEST_TSO6
            | 1L << F_HOST_TSO4 | 1L << F_HOST_TSO6 | 1L << F_MRG_RXBUF | 1L << F_RING_EVENT_IDX
            | 1L << F_PROTOCOL_FEATURES | 1L << F_VERSION_1;
    /** What a driver must accept for frames to reach it as large TCP segments. */
    static final long GUEST_LARGE_SEGMENTS = 1L << F_GUEST_CSUM | 1L << F_GUEST_TSO4 | 1L << F_GUEST_TSO6;

    /** vhost-user protocol feature bits: VHOST_USER_PROTOCOL_F_REPLY_ACK, the one offered. */
    static final int PF_REPLY_ACK = 3;
    static final long PROTOCOL_FEATURES = 1L << PF_REPLY_ACK;

    /** The two virtqueues of a virtio-net device with one queue pair: the guest's receive, then transmit. */
    static final int RX = 0;
    static final int TX = 1;
    static final int QUEUES = 2;

    private VhostUserProtocol() {}

    /** The request's name as the spec writes it, for messages. */
    static String name(int request) {
        return switch (request) {
            case GET_FEATURES -> "GET_FEATURES";
            case SET_FEATURES -> "SET_FEATURES";
            case SET_OWNER -> "SET_OWNER";
            case RESET_OWNER -> "RESET_OWNER";
            case SET_MEM_TABLE -> "SET_MEM_TABLE";
            case SET_LOG_BASE -> "SET_LOG_BASE";
            case SET_LOG_FD -> "SET_LOG_FD";
            case SET_VRING_NUM -> "SET_VRING_NUM";
            case SET_VRING_ADDR -> "SET_VRING_ADDR";
            case SET_VRING_BASE -> "SET_VRING_BASE";
            case GET_VRING_BASE -> "GET_VRING_BASE";
            case SET_VRING_KICK -> "SET_VRING_KICK";
            case SET_VRING_CALL -> "SET_VRING_CALL";
            case SET_VRING_ERR -> "SET_VRING_ERR";
            case GET_PROTOCOL_FEATURES -> "GET_PROTOCOL_FEATURES";
            case SET_PROTOCOL_FEATURES -> "SET_PROTOCOL_FEATURES";
            case GET_QUEUE_NUM -> "GET_QUEUE_NUM";
            case SET_VRING_ENABLE -> "SET_VRING_ENABLE";
            case SEND_RARP -> "SEND_RARP";
            case NET_SET_MTU -> "NET_SET_MTU";
            default -> "request " + Integer.toUnsignedString(request);
        };
    }
}
