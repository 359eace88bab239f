package io.vnet4j.usernet.tftp;

/** Outcome of {@link TftpPacket#check()}: untrusted bytes are reported as one of these, never thrown. */
public enum TftpFault {
    /** The packet is well formed. */
    NONE,
    /** Shorter than the opcode, or than the fixed fields of DATA, ACK or ERROR. */
    TRUNCATED,
    /** A string (file name, mode, option, error message) runs to the end without its NUL. */
    UNTERMINATED,
    /** The file name of a request is empty. */
    EMPTY_NAME,
    /** The file name of a request is longer than {@link TftpPacket#MAX_NAME_LENGTH}. */
    NAME_TOO_LONG,
    /** An option has an empty name or no value, or a known option's value is not a decimal number. */
    BAD_OPTION,
    /** A request carries more than {@link TftpPacket#MAX_OPTIONS} options. */
    TOO_MANY_OPTIONS,
    /** An opcode a server never receives: OACK, or one RFC 1350 and 2347 do not assign. */
    UNKNOWN_OPCODE
}
