#!/usr/bin/env bash
# The user network's TCP sender behind a shaped link: `-netdev user` (mtu=1450) and `-netdev vxlan` on hub 0 of
# a vnet4j in namespace vnsv-a (198.51.100.1), tunnelled over a veth pair to a Linux vxlan device vx0 in
# namespace vnsv-b (198.51.100.2; inner 10.0.2.15/24, MTU 1450 = the veth's 1500 less VXLAN's 50 over IPv4,
# default route via 10.0.2.2; its checksum offload off, see README's vxlan). vnsv-a's veth end, which carries
# everything vnet4j sends, has `tc qdisc ... root tbf rate RATE burst 64kb limit 100kb`: its queue overflows
# when the user network sends faster than RATE, as a real link's would. vnsv-b downloads (iperf3 -R, the
# first second counted) for SECS seconds from an iperf3 on vnsv-a's 127.0.0.1, reached as the gateway
# 10.0.2.2. One round per build directory in turns, ROUNDS times, each with a fresh vnet4j (past its warm-up)
# and a fresh tbf; prints per build the download's Gbit/s, the segments the user network resent (`info
# network`; and of them those sent at a time-out) and tbf's drops, each as median [lowest-highest]; and once
# per run, first, Linux's own TCP over the same shaped veth in the same direction (iperf3 from 198.51.100.1 to
# .2) as the ceiling. tbf counts a drop per packet it was handed, and a GSO packet it did not have to split
# (under its 64 KiB burst: a batch of vnet4j's VXLAN datagrams, a TSO segment of Linux's) is one, so its drops
# can be fewer than the datagrams lost. Both namespaces are made here and deleted on exit (also on Ctrl-C); nothing leaves them.
# Usage: [RATE=200mbit] [VNI=42] [PORT=4789] bench/usernet-over-shaped-vxlan.sh ROUNDS SECS DIR...
#   (DIR: a vnet4j checkout, built; default this one. Needs root, iperf3, iproute2 with tc, ethtool)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
rounds=${1:?rounds}
secs=${2:?seconds}
shift 2
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=("$PWD")
rate=${RATE:-200mbit} vni=${VNI:-42} vxport=${PORT:-4789}
a=vnsv-a b=vnsv-b iperf_port=5201
work=$(mktemp -d)
daemon=""
servers=()
cleanup() {
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for d in "${dirs[@]}"; do "$d/bin/vnet4j" --version >/dev/null; done

ip netns del "$a" 2>/dev/null || true
ip netns del "$b" 2>/dev/null || true
ip netns add "$a"
ip netns add "$b"
ip -n "$a" link set lo up
ip -n "$b" link set lo up
ip -n "$a" link add va type veth peer name vb netns "$b"
ip -n "$a" addr add 198.51.100.1/24 dev va
ip -n "$b" addr add 198.51.100.2/24 dev vb
ip -n "$a" link set va up
ip -n "$b" link set vb up
ip -n "$b" link add vx0 type vxlan id "$vni" local 198.51.100.2 remote 198.51.100.1 dstport "$vxport" dev vb
# the inner TCP checksums would be left to an offload that never happens on a veth path (README, vxlan)
ip netns exec "$b" ethtool -K vx0 tx off >/dev/null
ip -n "$b" link set vx0 mtu 1450
ip -n "$b" addr add 10.0.2.15/24 dev vx0
ip -n "$b" link set vx0 up
ip -n "$b" route add default via 10.0.2.2
ip netns exec "$a" iperf3 -s -B 127.0.0.1 -p "$iperf_port" >/dev/null 2>&1 & servers+=($!)
ip netns exec "$a" iperf3 -s -B 198.51.100.1 -p "$iperf_port" >/dev/null 2>&1 & servers+=($!)
sleep 0.5

shape() { # a fresh tbf (its counters at 0) on vnsv-a's veth end
    tc -n "$a" qdisc del dev va root 2>/dev/null || true
    tc -n "$a" qdisc add dev va root tbf rate "$rate" burst 64kb limit 100kb
}
tbf_drops() { tc -n "$a" -s qdisc show dev va | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' | head -1; }

one() { # DIR: one download; sets $result to "GBITS RESENT AT_TIMEOUT DROPS" (not in a subshell: cleanup must see $daemon)
    local log=$work/vnet4j.log rate_g resent drops info
    ip netns exec "$a" "$1/bin/vnet4j" --control "$work/ctl.sock" -netdev user,id=u,ipv6=off,mtu=1450 \
        -netdev vxlan,id=x,vni="$vni",local=198.51.100.1,remote=198.51.100.2,dstport="$vxport" >"$log" 2>&1 &
    daemon=$!
    for _ in $(seq 1 300); do grep -q 'warm-up:' "$log" && break; sleep 0.1; done
    shape
    rate_g=$(ip netns exec "$b" iperf3 -c 10.0.2.2 -p "$iperf_port" -t "$secs" -R 2>/dev/null | gbits_places 3)
    drops=$(tbf_drops)
    info=$("$1/bin/vnet4j" ctl --control "$work/ctl.sock" info network)
    resent=$(sed -n 's/.*segments resent to guests: \([0-9]*\) (\([0-9]*\) at a time-out).*/\1 \2/p' <<<"$info" | head -1)
    kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=""
    # shellcheck disable=SC2034 # read by lib.sh's builds_in_turns
    result="${rate_g:-0} ${resent:-? ?} ${drops:-?}"
}

shape
linux=$(ip netns exec "$b" iperf3 -c 198.51.100.1 -p "$iperf_port" -t "$secs" -R 2>/dev/null | gbits_places 3)
printf "Linux's TCP over the same veth, tbf rate %s, 198.51.100.1 to .2, %s s: %s Gbit/s, tbf drops %s\n" \
    "$rate" "$secs" "${linux:-0}" "$(tbf_drops)"

declare -A results
builds_in_turns "$rounds" "${dirs[@]}"
for d in "${dirs[@]}"; do
    printf '%s (%s): download %s Gbit/s, segments resent %s (at a time-out %s), tbf drops %s\n' \
        "$d" "$(git -C "$d" rev-parse --short HEAD)" "$(column_median_range "${results[$d]}" 1)" \
        "$(column_median_range "${results[$d]}" 2)" "$(column_median_range "${results[$d]}" 3)" \
        "$(column_median_range "${results[$d]}" 4)"
done
