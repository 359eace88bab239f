package io.vnet4j.usernet.tftp;

/** Value form of a checked RRQ or WRQ: the file name (UTF-8), the mode as sent, and the options. */
public record ReadRequest(String filename, String mode, TftpOptions options) {
    /** The only mode served; netascii and mail are refused, as libslirp does. */
    public static final String OCTET = "octet";

    /** True when the mode is octet, in any case (RFC 1350). */
    public boolean octet() {
        return mode.equalsIgnoreCase(OCTET);
    }
}
