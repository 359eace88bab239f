package io.vnet4j.usernet.dhcpv6;

/**
 * Messages the DHCPv6 server did not answer, at one moment.
 *
 * @param malformed messages that failed {@link Dhcpv6Message#check()}, and Information-requests whose Option
 *                  Request has an odd length or whose Client Identifier is over 256 bytes (libslirp's refusals)
 * @param ignored   well-formed messages not answered: every type but Information-request (Solicit, Request,
 *                  Renew, relay messages ...), and Information-requests that RFC 8415 section 16.12 has a
 *                  server discard (an IA option, another server's identifier)
 * @param unsent    replies that did not fit the caller's buffer
 */
public record Dhcpv6Counters(long malformed, long ignored, long unsent) {}
