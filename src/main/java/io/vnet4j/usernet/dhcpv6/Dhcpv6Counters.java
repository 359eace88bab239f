package io.vnet4j.usernet.dhcpv6;

/**
 * What the DHCPv6 server answered and did not answer, at one moment.
 *
 * @param malformed  messages that failed {@link Dhcpv6Message#check()}, and messages whose options
 *                   {@link Dhcpv6Server} refuses: an Option Request of odd length, a Client Identifier over 256 bytes
 *                   (libslirp's refusals), a truncated IA or IA Address, Rapid Commit with data, too many IAs
 * @param ignored    well-formed messages not answered: relay messages and types a server does not take
 *                   (Advertise, Reply, Reconfigure ...), Information-requests that RFC 8415 section 16.12 has a
 *                   server discard (an IA option, another server's identifier), stateful messages section 16
 *                   has it discard (no Client Identifier, a missing or another server's identifier, a Solicit to
 *                   the unicast address), every stateful message of a server without addresses to give
 * @param unsent     replies that did not fit the caller's buffer
 * @param informed   Replies to Information-requests
 * @param advertised Advertises that offered an address
 * @param bound      Replies that gave an address to a Request or a Rapid Commit Solicit
 * @param renewed    Replies that extended an address to a Renew or Rebind
 * @param released   Releases of a guest's address
 * @param declined   Declines of a guest's address
 */
public record Dhcpv6Counters(long malformed, long ignored, long unsent, long informed, long advertised, long bound,
                             long renewed, long released, long declined) {
    /** Counters with only the refusals, the rest 0. */
    public Dhcpv6Counters(long malformed, long ignored, long unsent) {
        this(malformed, ignored, unsent, 0, 0, 0, 0, 0, 0);
    }
}
