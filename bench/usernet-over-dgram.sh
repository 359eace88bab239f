#!/usr/bin/env bash
# The user network's TCP sender behind a link that loses frames: `-netdev user` on hub 0, joined to hub 1 by a
# `-netdev dgram` pair over UDP on this machine's loopback, and a TAP on hub 1 in a namespace this script makes
# (10.0.2.15/24 set by hand, no DHCP). The namespace downloads from an iperf3 on 127.0.0.1 (reached as 10.0.2.2)
# for SECS seconds; the dgram port's queue overflows when the user network sends faster than the link carries,
# as a real link's queue would. One round per build directory in turns, ROUNDS times; prints each download's
# Gbit/s and the segments the user network resent (`info network`), per build: median [lowest-highest].
# Usage: bench/usernet-over-dgram.sh ROUNDS SECS DIR...   (DIR: a vnet4j checkout; needs root, iperf3, iproute2)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
rounds=${1:?rounds}
secs=${2:?seconds}
shift 2
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=("$PWD")
ns=vnud
work=$(mktemp -d)
daemon=""
server=""
cleanup() {
    [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
    [ -n "$server" ] && kill "$server" 2>/dev/null
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
iperf3 -s -B 127.0.0.1 -p "$port" >/dev/null 2>&1 & server=$!
for d in "${dirs[@]}"; do "$d/bin/vnet4j" --version >/dev/null; done

one() { # DIR: one download; sets $result to "GBITS RESENT" (not in a subshell: cleanup must see $daemon)
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    "$1/bin/vnet4j" --quiet --control "$work/ctl.sock" -netdev user,id=u \
        -netdev dgram,id=la,local.type=inet,local.host=127.0.0.1,local.port=47201,remote.type=inet,remote.host=127.0.0.1,remote.port=47202 \
        -netdev dgram,id=lb,hubid=1,local.type=inet,local.host=127.0.0.1,local.port=47202,remote.type=inet,remote.host=127.0.0.1,remote.port=47201 \
        -netdev tap,id=t,hubid=1,ifname=tap0,netns=/run/netns/$ns >/dev/null 2>&1 & daemon=$!
    for _ in $(seq 1 150); do ip -n "$ns" link show tap0 >/dev/null 2>&1 && break; sleep 0.1; done
    ip -n "$ns" link set lo up
    ip -n "$ns" link set tap0 up
    ip -n "$ns" addr add 10.0.2.15/24 dev tap0
    ip -n "$ns" route add default via 10.0.2.2
    sleep 10 # the warm-up
    local rate resent
    rate=$(ip netns exec "$ns" iperf3 -c 10.0.2.2 -p "$port" -t "$secs" -R 2>/dev/null | gbits)
    resent=$("$1/bin/vnet4j" ctl --control "$work/ctl.sock" info network \
        | sed -n 's/.*segments resent to guests: \([0-9]*\).*/\1/p' | head -1)
    kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=""
    # shellcheck disable=SC2034 # read by lib.sh's builds_in_turns
    result="${rate:-0} ${resent:-?}"
}

declare -A results
builds_in_turns "$rounds" "${dirs[@]}"
for d in "${dirs[@]}"; do
    printf '%s (%s): download %s Gbit/s, segments resent %s\n' "$d" "$(git -C "$d" rev-parse --short HEAD)" \
        "$(column_median_range "${results[$d]}" 1)" "$(column_median_range "${results[$d]}" 2)"
done
