#!/usr/bin/env bash
# Two builds of vnet4j side by side, interleaved, on bulk throughput (needs root, iperf3, iproute2): each
# round starts each build's bin/vnet4j afresh with -netdev user,mtu=MTU and a configure=on TAP in a
# namespace (vnabt-A, vnabt-B, created and deleted here), waits SETTLE seconds, and runs iperf3 from the
# namespace to a server on 127.0.0.1 for SECS seconds, up, then down (-R). The throughput twin of
# bench/ab-builds.sh, for "throughput must not fall": A and B are checkouts with their own target/ (build
# each with `bin/vnet4j --version` first). Prints Gbit/s, median [lowest-highest].
# Usage: bench/ab-throughput.sh A_DIR B_DIR ROUNDS SETTLE SECS MTU...
set -euo pipefail
# shellcheck source=netns-route.sh
. "$(dirname "$0")/netns-route.sh"
dir_A=$1 dir_B=$2 rounds=$3 settle=$4 secs=$5
shift 5
mtus=("$@")
port=5304
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for ns in vnabt-A vnabt-B; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
iperf3 -s -B 127.0.0.1 -p $port >/dev/null 2>&1 & pids+=($!)
sleep 0.5
gbits() { # iperf3 output -> receiver Gbit/s
    awk '/receiver/ {for (i = 1; i <= NF; i++) if ($i ~ /bits\/sec/) {v = $(i-1); u = $i}} END {
        if (u ~ /^Mbits/) v /= 1000; if (u ~ /^Kbits/) v /= 1e6; printf "%.2f", v}'
}
declare -A up down
for _ in $(seq 1 "$rounds"); do
    for mtu in "${mtus[@]}"; do
        for side in A B; do
            ns=vnabt-$side dir_var=dir_$side
            ip netns del "$ns" 2>/dev/null || true
            ip netns add "$ns"
            "${!dir_var}/bin/vnet4j" --quiet -netdev user,id=u,mtu="$mtu" \
                -netdev tap,id=t,ifname=tap0,netns=/run/netns/$ns,configure=on >/dev/null 2>&1 &
            pid=$!
            wait_route "$ns"
            sleep "$settle"
            up[$side,$mtu]+="$(ip netns exec "$ns" iperf3 -c 10.0.2.2 -p $port -t "$secs" -O 1 -f m 2>/dev/null | gbits) "
            down[$side,$mtu]+="$(ip netns exec "$ns" iperf3 -c 10.0.2.2 -p $port -t "$secs" -O 1 -f m -R 2>/dev/null | gbits) "
            kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
            ip netns del "$ns"
        done
    done
done
median() {
    printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {printf "%s [%s-%s]", a[int((NR + 1) / 2)], a[1], a[NR]}'
}
for mtu in "${mtus[@]}"; do
    # shellcheck disable=SC2086
    printf 'MTU %-6s upload   A %-22s B %s\n' "$mtu" "$(median ${up[A,$mtu]})" "$(median ${up[B,$mtu]})"
    # shellcheck disable=SC2086
    printf 'MTU %-6s download A %-22s B %s\n' "$mtu" "$(median ${down[A,$mtu]})" "$(median ${down[B,$mtu]})"
done
