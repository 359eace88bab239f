package io.vnet4j.usernet;

import java.util.Map;

/**
 * A user network's numbers at one instant, for metrics (read on its loop: {@link UsernetNetdev#counts()}).
 *
 * @param tcpConnections NAT'd TCP connections open now (host forwards' included)
 * @param tcpResent TCP segments resent to guests to repair losses, since start
 * @param tcpResentAtTimeout of those, the ones resent at a retransmission time-out
 * @param udpFlows UDP flows now (one per guest address and port)
 * @param leases DHCP leases not expired
 * @param dnsForwarded DNS queries sent to the upstream resolver
 * @param dnsAnswered DNS queries answered here (the guests' own names, reverse lookups of the network)
 * @param dnsRefused DNS queries answered with REFUSED or SERVFAIL, or dropped (restrict=on, no upstream)
 * @param dnsUpstreamChanges times DNS queries moved on to the next upstream, the one in use having refused a query
 *     or left one unanswered for 2 s
 * @param tftpCompleted TFTP transfers that ended with the last block acknowledged
 * @param tftpFailed TFTP transfers refused, expired or aborted
 * @param leaseFileWrites writes of the lease file ({@code leasefile=}) made since start; -1 without one
 * @param leaseFileWriteFailures writes of it that failed (the bindings kept in memory); -1 without a lease file
 * @param dropped frames and datagrams not handled, by cause (the keys name them: "malformed", "fragments", ...)
 */
public record UsernetCounts(int tcpConnections, long tcpResent, long tcpResentAtTimeout, int udpFlows, int leases, long dnsForwarded, long dnsAnswered,
                            long dnsRefused, long dnsUpstreamChanges, long tftpCompleted, long tftpFailed,
                            long leaseFileWrites, long leaseFileWriteFailures, Map<String, Long> dropped) {}
