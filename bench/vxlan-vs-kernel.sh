#!/usr/bin/env bash
# VXLAN throughput: vnet4j's -netdev vxlan against Linux's own vxlan, side by side, interleaved (needs root,
# iperf3, iproute2, ethtool). Three namespaces this script makes and deletes, joined by a Linux bridge
# in the first for the underlay (198.51.100.0/24; nothing leaves them):
#   vxk-a  198.51.100.1, two Linux vxlan devices: vx0 (VNI 100, the kernel pair) and vx1 (VNI 101, dstport
#          4790, to vnet4j), inner 192.0.2.1/25 and 192.0.2.129/25, iperf3 server on both
#   vxk-b  198.51.100.2, a Linux vxlan device vx0 (VNI 100), inner 192.0.2.2/25: the kernel's ceiling
#   vxk-c  198.51.100.3, bin/vnet4j with -netdev vxlan (VNI 101, dstport 4790) and a TAP tap0 (192.0.2.130/25,
#          MTU 1450) in the same namespace: what a VM or container on a vnet4j hub sees
# vx1 sends with its checksum offload off (ethtool -K vx1 tx off): a datagram that crosses a veth to a
# socket keeps a checksum left to offload incomplete (vnet4j's README, vxlan). Each round runs, in turn,
# iperf3 to vxk-a for SECS seconds from vxk-b over the kernel pair and from vxk-c over vnet4j, both
# directions. Prints Gbit/s median [lowest-highest] and vnet4j / kernel.
# Usage: bench/vxlan-vs-kernel.sh [ROUNDS] [SECS]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-5}
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for ns in vxk-a vxk-b vxk-c; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
bin/vnet4j --version >/dev/null
for ns in vxk-a vxk-b vxk-c; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n vxk-a link add br0 type bridge
ip -n vxk-a link set br0 up
ip -n vxk-a addr add 198.51.100.1/24 dev br0
for n in b c; do
    ip link add "vxk-$n-ul" type veth peer name "ul-$n"
    ip link set "vxk-$n-ul" netns vxk-a
    ip link set "ul-$n" netns "vxk-$n"
    ip -n vxk-a link set "vxk-$n-ul" master br0 up
    ip -n "vxk-$n" link set "ul-$n" up
done
ip -n vxk-b addr add 198.51.100.2/24 dev ul-b
ip -n vxk-c addr add 198.51.100.3/24 dev ul-c
ip -n vxk-a link add vx0 type vxlan id 100 local 198.51.100.1 remote 198.51.100.2 dstport 4789 dev br0
ip -n vxk-a link add vx1 type vxlan id 101 local 198.51.100.1 remote 198.51.100.3 dstport 4790 dev br0
ip netns exec vxk-a ethtool -K vx1 tx off >/dev/null
ip -n vxk-a addr add 192.0.2.1/25 dev vx0
ip -n vxk-a addr add 192.0.2.129/25 dev vx1
ip -n vxk-b link add vx0 type vxlan id 100 local 198.51.100.2 remote 198.51.100.1 dstport 4789 dev ul-b
ip -n vxk-b addr add 192.0.2.2/25 dev vx0
for d in "vxk-a vx0" "vxk-a vx1" "vxk-b vx0"; do set -- $d; ip -n "$1" link set "$2" up; done
ip netns exec vxk-a iperf3 -s -p 5201 >/dev/null 2>&1 & pids+=($!)

ip netns exec vxk-c bin/vnet4j --no-warm-up --control none \
    -netdev vxlan,id=vx,vni=101,local=198.51.100.3,remote=198.51.100.1,dstport=4790 \
    -netdev tap,id=t,ifname=tap0,mtu=1450 >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 1 100); do ip -n vxk-c link show tap0 >/dev/null 2>&1 && break; sleep 0.1; done
ip -n vxk-c addr add 192.0.2.130/25 dev tap0
ip -n vxk-c link set tap0 up
sleep 1
ip netns exec vxk-c busybox ping -c 3 192.0.2.129 >/dev/null   # ARP and the JIT's first steps out of the way

declare -A res
for _ in $(seq 1 "$rounds"); do
    for side in kernel vnet4j; do
        if [ "$side" = kernel ]; then ns=vxk-b to=192.0.2.1; else ns=vxk-c to=192.0.2.129; fi
        for dir in up down; do
            flag=(); [ "$dir" = down ] && flag=(-R)
            v=$(ip netns exec "$ns" iperf3 -c "$to" -p 5201 -t "$secs" -O 1 -f m "${flag[@]}" 2>/dev/null | gbits)
            res[$side,$dir]+="$v "
        done
    done
done

mid() { median_range "$@" | awk '{print $1}'; }
echo "iperf3 to the Linux VXLAN end, Gbit/s, median [lowest-highest] of $rounds rounds of ${secs} s"
printf '%-42s %-24s %-24s %s\n' "" "Linux vxlan to Linux vxlan" "Linux vxlan to vnet4j + TAP" "vnet4j / kernel"
for dir in up down; do
    # shellcheck disable=SC2086
    k=$(mid ${res[kernel,$dir]}) v=$(mid ${res[vnet4j,$dir]})
    label=$([ "$dir" = up ] && echo "to vxk-a (vnet4j side sends)" || echo "from vxk-a (vnet4j side receives)")
    # shellcheck disable=SC2086
    printf '%-42s %-24s %-24s %s\n' "$label" "$(median_range ${res[kernel,$dir]})" "$(median_range ${res[vnet4j,$dir]})" \
        "$(awk -v a="$v" -v b="$k" 'BEGIN {printf "%.2fx", (b > 0 ? a / b : 0)}')"
done
