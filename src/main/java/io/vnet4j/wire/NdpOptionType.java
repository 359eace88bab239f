package io.vnet4j.wire;

/** Neighbor Discovery option types (RFC 4861 section 4.6, RFC 8106 section 5). */
public final class NdpOptionType {
    /** Source Link-Layer Address (RFC 4861 section 4.6.1). */
    public static final int SOURCE_LINK_LAYER_ADDRESS = 1;
    /** Target Link-Layer Address (RFC 4861 section 4.6.1). */
    public static final int TARGET_LINK_LAYER_ADDRESS = 2;
    /** Prefix Information (RFC 4861 section 4.6.2). */
    public static final int PREFIX_INFORMATION = 3;
    /** Redirected Header (RFC 4861 section 4.6.3). */
    public static final int REDIRECTED_HEADER = 4;
    /** MTU (RFC 4861 section 4.6.4). */
    public static final int MTU = 5;
    /** Recursive DNS Server (RFC 8106 section 5.1). */
    public static final int RDNSS = 25;
    /** DNS Search List (RFC 8106 section 5.2). */
    public static final int DNSSL = 31;

    private NdpOptionType() {}
}
