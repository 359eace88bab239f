package io.vnet4j.usernet.dhcp;

/**
 * Messages the server did not answer, at one moment.
 *
 * @param malformed messages that failed {@link DhcpMessage#check()}
 * @param ignored   well-formed messages not for this server: replies, relayed, for another server, unknown types
 * @param exhausted discovers and BOOTP requests left unanswered because no address was free
 */
public record DhcpCounters(long malformed, long ignored, long exhausted) {}
