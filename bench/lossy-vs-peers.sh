#!/usr/bin/env bash
# TCP through user-mode networking over a lossy link, side by side (needs root; iperf3, slirp4netns, passt
# (pasta), nftables, iproute2): a namespace's TAP (tap0, MTU 1500) served by each contender in turn, and nftables'
# netdev hooks on tap0 drop PERMILLE of every 1000 TCP frames at random each way (ingress: the contender's
# frames to the namespace, data of a download and ACKs of an upload; egress: the namespace's own). The
# kernel here has no netem; the hooks act where a wire would, after the sender's TCP, so a drop is a loss the
# ends must repair. iperf3 from the namespace to a server on the loopback of a namespace standing in for the
# host (host_ns), up and down (-R). A dropped frame is one segment for slirp4netns and pasta (MTU 1500) and for
# vnet4j-nohdr (vnet_hdr=off); for vnet4j with its default offloads a frame to the namespace may be a TSO batch
# of up to 64 KiB, so one drop loses a burst (and the namespace's own TCP sends GSO batches to every contender
# alike: the egress hook sees them whole).
# Every contender runs ROUNDS times at each loss, interleaved; the table gives the median [lowest-highest].
# Usage: bench/lossy-vs-peers.sh [SECONDS_PER_RUN] [ROUNDS] [PERMILLE...]   (default 5 3 0 5 20)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
command -v nft >/dev/null || { echo "lossy-vs-peers: needs nft (apt-get install nftables)" >&2; exit 1; }
secs=${1:-5}
rounds=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
losses=("$@")
[ ${#losses[@]} -gt 0 ] || losses=(0 5 20)
tools=(vnet4j vnet4j-nohdr slirp4netns pasta)
ns=vnloss-guest
hns=vnloss-host
log=$(mktemp)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null; fi
    stop_contender_round "$ns" "$hns"
    rm -f "$log"
}
trap cleanup EXIT
bin/vnet4j --version >/dev/null   # builds the jar first if needed
export PASTA_MTU=1500

lossy() { # PERMILLE: drops that share of the TCP frames through tap0 in namespace $ns, each way
    ip netns exec "$ns" nft -f - <<NFT
table netdev loss {
    chain in { type filter hook ingress device "tap0" priority 0; meta l4proto tcp numgen random mod 1000 < $1 drop; }
    chain out { type filter hook egress device "tap0" priority 0; meta l4proto tcp numgen random mod 1000 < $1 drop; }
}
NFT
}

set +e # a contender that fails shows as 0.0 instead of ending the run
declare -A up down
for round in $(seq 1 "$rounds"); do
    for loss in "${losses[@]}"; do
        echo "round $round of $rounds, $loss per mille lost" >&2
        for tool in "${tools[@]}"; do
            contender_round "$tool" "$ns" "$hns" "$log" || true
            ip netns exec "$hns" iperf3 -s -B 127.0.0.1 -p 5201 >/dev/null 2>&1 &
            server=$!
            sleep 0.3
            [ "$loss" -gt 0 ] && lossy "$loss"
            u=$( (ip netns exec "$ns" timeout $((secs + 20)) iperf3 -c 10.0.2.2 -t "$secs" -f m 2>/dev/null || true) | mbits)
            d=$( (ip netns exec "$ns" timeout $((secs + 20)) iperf3 -c 10.0.2.2 -t "$secs" -f m -R 2>/dev/null || true) | mbits)
            up[$tool-$loss]+="$u "; down[$tool-$loss]+="$d "
            kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; server=
        done
    done
done
stop_contender_round "$ns" "$hns"

printf '\nTCP over a lossy TAP, MTU 1500, iperf3 to the host stand-in'"'"'s loopback (%s s each, %s rounds), Mbit/s\n' "$secs" "$rounds"
printf '%-14s %8s %24s %24s\n' tool lost/1000 upload download
for loss in "${losses[@]}"; do
    for tool in "${tools[@]}"; do
        # shellcheck disable=SC2086
        printf '%-14s %8s %24s %24s\n' "$tool" "$loss" "$(median_range ${up[$tool-$loss]})" "$(median_range ${down[$tool-$loss]})"
    done
done
mid() { median_range "$@" | awk '{print $1}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else print "n/a"}'; }
for loss in "${losses[@]}"; do
    for tool in vnet4j vnet4j-nohdr; do
        # shellcheck disable=SC2086
        printf '%s per mille, medians: %s/slirp4netns upload %s, download %s; %s/pasta upload %s, download %s\n' "$loss" \
            "$tool" "$(ratio "$(mid ${up[$tool-$loss]})" "$(mid ${up[slirp4netns-$loss]})")" \
            "$(ratio "$(mid ${down[$tool-$loss]})" "$(mid ${down[slirp4netns-$loss]})")" \
            "$tool" "$(ratio "$(mid ${up[$tool-$loss]})" "$(mid ${up[pasta-$loss]})")" \
            "$(ratio "$(mid ${down[$tool-$loss]})" "$(mid ${down[pasta-$loss]})")"
    done
done
