package io.vnet4j.usernet.dhcp;

/**
 * A binding of an address to a MAC.
 *
 * @param clientHostname  the host name the guest sent (option 12), or null
 * @param expiresAtMillis when the binding lapses on the caller's clock; {@link Long#MAX_VALUE} never
 */
public record Lease(long mac, int address, String clientHostname, long expiresAtMillis) {

    /** True for a binding that never lapses (a BOOTP client's, RFC 951 has no lease time). */
    public boolean infinite() {
        return expiresAtMillis == Long.MAX_VALUE;
    }

    /** {@code "expires in N s"}, or {@code "infinite"}, for people. */
    public String expiryText(long nowMillis) {
        return infinite() ? "infinite" : "expires in " + Math.max(0, (expiresAtMillis - nowMillis) / 1000) + " s";
    }

    /** True when the binding has lapsed at {@code nowMillis}. */
    public boolean expired(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }
}
