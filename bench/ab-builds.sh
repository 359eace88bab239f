#!/usr/bin/env bash
# Two builds of vnet4j side by side, interleaved, on the round trips of bench/latency-vs-peers.sh and on bulk
# throughput (needs root, busybox, python3, iperf3, iproute2): each round starts each build's bin/vnet4j
# afresh on a namespace's TAP (vnab-A, vnab-B, created and deleted here), waits SETTLE seconds, and measures
# the MODES in order:
#   ping1, ping5, ping100  pings to the gateway: 10 at 1/s, 25 at 5/s, 300 at 100/s (mean RTT, ms);
#   rr1, rr1k, crr         bench/tcp-rr.py to an echo server on 127.0.0.1 for SECS seconds (transactions/s);
#   up, down               iperf3 to a server on 127.0.0.1 for SECS seconds, after 1 s left out (Gbit/s).
# Each side's daemon and servers run in a namespace standing in for the host (vnab-host, lib.sh's host_ns),
# made afresh for each side of each round, so that no run meets the TIME_WAIT sockets of the one before.
# A and B are checkouts with their own target/ (build each with `bin/vnet4j --version` first); AJ and BJ
# (environment) add JVM options to one side through JDK_JAVA_OPTIONS; MTU (environment) sets the user
# network's mtu= (default 1500). Prints median [lowest-highest].
# Usage: [MTU=N] bench/ab-builds.sh A_DIR B_DIR ROUNDS SETTLE SECS MODE...
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/.." && pwd)
dir_A=$1 dir_B=$2 rounds=$3 settle=$4 secs=$5
shift 5
modes=("$@")
port=5298
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    pids=()
    local n
    for n in vnab-A vnab-B vnab-host; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
declare -A res
for _ in $(seq 1 "$rounds"); do
    for side in A B; do
        ns=vnab-$side dir_var=dir_$side opts_var=${side}J
        cleanup
        ip netns add "$ns"
        host_ns vnab-host
        ip netns exec vnab-host python3 "$here/bench/tcp-rr.py" server 127.0.0.1 $port & pids+=($!)
        ip netns exec vnab-host iperf3 -s -B 127.0.0.1 -p $((port + 1)) >/dev/null 2>&1 & pids+=($!)
        JDK_JAVA_OPTIONS="${!opts_var:-}" ip netns exec vnab-host "${!dir_var}/bin/vnet4j" \
            -netdev user,id=u,ipv6=off,mtu="${MTU:-1500}" \
            -netdev tap,id=t,ifname=tap0,netns=/run/netns/$ns,configure=on >/dev/null 2>&1 &
        pid=$!
        pids+=($pid)
        wait_route "$ns"
        sleep "$settle"
        for m in "${modes[@]}"; do
            case $m in
                ping1) v=$(mean_ping "$ns" 10 1) ;;
                ping5) v=$(mean_ping "$ns" 25 0.2) ;;
                ping100) v=$(mean_ping "$ns" 300 0.01) ;;
                up) v=$(ip netns exec "$ns" iperf3 -c 10.0.2.2 -p $((port + 1)) -t "$secs" -O 1 -f m 2>/dev/null | gbits) ;;
                down) v=$(ip netns exec "$ns" iperf3 -c 10.0.2.2 -p $((port + 1)) -t "$secs" -O 1 -f m -R 2>/dev/null | gbits) ;;
                *) v=$(ip netns exec "$ns" python3 "$here/bench/tcp-rr.py" client 10.0.2.2 $port "$m" "$secs" | awk '{print $1}') ;;
            esac
            res[$side,$m]+="$v "
        done
        kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
        cleanup
    done
done
for m in "${modes[@]}"; do
    # shellcheck disable=SC2086
    printf '%-8s A %-26s B %s\n' "$m" "$(median_range ${res[A,$m]})" "$(median_range ${res[B,$m]})"
done
