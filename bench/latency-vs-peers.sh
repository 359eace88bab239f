#!/usr/bin/env bash
# One run, every contender, ratios (needs root; slirp4netns, passt (pasta), busybox, python3, iproute2):
# round trips from a network namespace through a user-mode network, each contender freshly started (the
# cold path a quiet network pays) and then used in this order:
#  1. ping to the gateway, 10 at 1/s, 25 at 5/s, 300 at 100/s: mean RTT of each cadence (pasta: not
#     measured, it would carry a ping to its gateway address out of this machine);
#  2. TCP through the NAT to an echo server on the host's loopback (bench/tcp-rr.py): 1-byte and 1 KiB
#     request/response over one connection, and connect-request-close, SECONDS each: transactions/s;
#  3. the pings at 1/s and 5/s again, settled: vnet4j's first ones fall in its warm-up (about 10 s after
#     "ready", a core busy compiling), these after it.
# Contenders: vnet4j (bin/vnet4j -netdev user + tap netns=,configure=on), slirp4netns -c, pasta with
# 10.0.2.100/24 and gateway 10.0.2.2 (its --map-gw maps the gateway to the host for TCP).
# Every contender runs ROUNDS times, rounds interleaved; tables give the median [lowest-highest]. Each run's
# contender and echo server are in a namespace standing in for the host (lib.sh's host_ns), made afresh.
# Everything runs in namespaces this script creates (vnbench-l-*) and deletes; traffic stays on this machine.
# Usage: bench/latency-vs-peers.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3}
rounds=${2:-3}
port=5297
pids=()
# shellcheck source=lib.sh
. bench/lib.sh
cleanup() { stop_and_delete vnbench-l-; }
logs=$(mktemp -d)
trap 'cleanup; rm -rf "$logs"' EXIT
cleanup
bin/vnet4j --version >/dev/null   # builds the jar first if needed

mid() { median_range "$@" | awk '{print $1}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a != "" && b != "" && b > 0) printf "%.2fx", a / b; else print "n/a"}'; }
wait_address() { # ns: wait, without sending anything, until tap0 has its address and a default route
    for _ in $(seq 1 150); do
        ip netns exec "$1" ip -4 addr show dev tap0 2>/dev/null | grep -q 'inet 10.0.2.100/' \
            && ip netns exec "$1" ip route 2>/dev/null | grep -q '^default' && return 0
        sleep 0.1
    done
    echo "tap0 in $1 never came up" >&2; return 1
}
tools=(vnet4j slirp4netns pasta)
declare -A p1 p5 p100 s1 s5 rr1 rr1k crr
set +e
for round in $(seq 1 "$rounds"); do
    for tool in "${tools[@]}"; do
        echo "round $round of $rounds: $tool" >&2
        ns=vnbench-l-$tool
        ip netns add "$ns"
        host_ns vnbench-l-host
        ip netns exec vnbench-l-host python3 bench/tcp-rr.py server 127.0.0.1 $port & pids+=($!)
        start_contender "$tool" "$ns" vnbench-l-host "$logs/$tool.log"
        pid=$contender_pid
        pids+=("$pid")
        wait_address "$ns" || tail -5 "$logs/$tool.log" >&2
        sleep 1
        if [ "$tool" != pasta ]; then
            p1[$tool]+="$(mean_ping "$ns" 10 1) "
            p5[$tool]+="$(mean_ping "$ns" 25 0.2) "
            p100[$tool]+="$(mean_ping "$ns" 300 0.01) "
        fi
        for mode in rr1 rr1k crr; do
            tps=$(ip netns exec "$ns" python3 bench/tcp-rr.py client 10.0.2.2 $port $mode "$secs" | awk '{print $1}')
            case $mode in rr1) rr1[$tool]+="$tps ";; rr1k) rr1k[$tool]+="$tps ";; crr) crr[$tool]+="$tps ";; esac
        done
        if [ "$tool" != pasta ]; then
            # vnet4j's warm-up has ended by now (it says so in one line); the same cadences on a settled daemon
            if [ "$tool" = vnet4j ]; then
                for _ in $(seq 1 300); do grep -q 'warm-up:' "$logs/$tool.log" && break; sleep 0.1; done
            fi
            s1[$tool]+="$(mean_ping "$ns" 10 1) "
            s5[$tool]+="$(mean_ping "$ns" 25 0.2) "
        fi
        kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        cleanup
    done
done
set -e

# shellcheck disable=SC2086
{
printf '\nping to the gateway, mean RTT in ms (a fresh contender; %s rounds)\n' "$rounds"
printf '%-12s %22s %22s %22s\n' contender "1/s (10)" "5/s (25)" "100/s (300)"
for tool in vnet4j slirp4netns; do
    printf '%-12s %22s %22s %22s\n' "$tool" \
        "$(median_range ${p1[$tool]})" "$(median_range ${p5[$tool]})" "$(median_range ${p100[$tool]})"
done
printf 'vnet4j/slirp4netns RTT: %s at 1/s, %s at 5/s, %s at 100/s (target <= 1.2x)\n' \
    "$(ratio "$(mid ${p1[vnet4j]})" "$(mid ${p1[slirp4netns]})")" \
    "$(ratio "$(mid ${p5[vnet4j]})" "$(mid ${p5[slirp4netns]})")" \
    "$(ratio "$(mid ${p100[vnet4j]})" "$(mid ${p100[slirp4netns]})")"
printf '\nthe same once settled (after the TCP tests; vnet4j past its warm-up), mean RTT in ms\n'
printf '%-12s %22s %22s\n' contender "1/s (10)" "5/s (25)"
for tool in vnet4j slirp4netns; do
    printf '%-12s %22s %22s\n' "$tool" "$(median_range ${s1[$tool]})" "$(median_range ${s5[$tool]})"
done
printf 'vnet4j/slirp4netns RTT, settled: %s at 1/s, %s at 5/s\n' \
    "$(ratio "$(mid ${s1[vnet4j]})" "$(mid ${s1[slirp4netns]})")" \
    "$(ratio "$(mid ${s5[vnet4j]})" "$(mid ${s5[slirp4netns]})")"
printf '\nTCP to the host loopback through NAT, transactions/s (%s s each)\n' "$secs"
printf '%-12s %22s %22s %22s\n' contender "1 B req/resp" "1 KiB req/resp" "connect-req-close"
for tool in "${tools[@]}"; do
    printf '%-12s %22s %22s %22s\n' "$tool" \
        "$(median_range ${rr1[$tool]})" "$(median_range ${rr1k[$tool]})" "$(median_range ${crr[$tool]})"
done
for peer in slirp4netns pasta; do
    printf 'vnet4j/%s transactions/s: %s (1 B), %s (1 KiB), %s (connect-request-close) (target >= 1.0x)\n' "$peer" \
        "$(ratio "$(mid ${rr1[vnet4j]})" "$(mid ${rr1[$peer]})")" \
        "$(ratio "$(mid ${rr1k[vnet4j]})" "$(mid ${rr1k[$peer]})")" \
        "$(ratio "$(mid ${crr[vnet4j]})" "$(mid ${crr[$peer]})")"
done
}
