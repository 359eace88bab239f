#!/usr/bin/env bash
# Two hubs of one daemon joined by QEMU's datagram transport (-netdev dgram over UDP on the loopback of a
# namespace this script makes), a TAP with offloads on each, in namespaces of its own (198.51.100.0/24
# inside them; nothing leaves them): what two QEMU hubs joined by `-netdev dgram` or `socket,udp=` carry.
# Each frame is one datagram; the receiving port takes them up to 16 per recvmmsg and joins a TCP flow's
# segments for the TAP (TcpCoalescer). iperf3 from one namespace to the other for SECS seconds per round,
# both directions are the same path. Prints Gbit/s median [lowest-highest], and the daemon's CPU time per
# GB carried (/proc/PID/stat's utime + stime over the rounds).
# Usage: bench/dgram-link.sh [ROUNDS] [SECS]   (needs root, iperf3, iproute2)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-5}
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for ns in dgl-host dgl-a dgl-b; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
bin/vnet4j --version >/dev/null
for ns in dgl-host dgl-a dgl-b; do ip netns add "$ns"; done
ip -n dgl-host link set lo up
ip -n dgl-b link set lo up
ip netns exec dgl-host bin/vnet4j --quiet --control none \
    -netdev tap,id=ta,ifname=dga,script=no,downscript=no,netns=/run/netns/dgl-a \
    -netdev dgram,id=la,local.type=inet,local.host=127.0.0.1,local.port=47001,remote.type=inet,remote.host=127.0.0.1,remote.port=47002 \
    -netdev dgram,id=lb,hubid=1,local.type=inet,local.host=127.0.0.1,local.port=47002,remote.type=inet,remote.host=127.0.0.1,remote.port=47001 \
    -netdev tap,id=tb,hubid=1,ifname=dgb,script=no,downscript=no,netns=/run/netns/dgl-b >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 1 100); do ip -n dgl-b link show dgb >/dev/null 2>&1 && break; sleep 0.1; done
ip -n dgl-a addr add 198.51.100.1/24 dev dga; ip -n dgl-a link set dga up
ip -n dgl-b addr add 198.51.100.2/24 dev dgb; ip -n dgl-b link set dgb up
ip netns exec dgl-b iperf3 -s -B 198.51.100.2 -p 5201 >/dev/null 2>&1 & pids+=($!)
sleep 10 # the warm-up
ip netns exec dgl-a busybox ping -c 3 198.51.100.2 >/dev/null
daemon=$(pgrep -f -- "-netdev dgram,id=la" | head -1)
ticks() { awk '{print $14 + $15}' "/proc/$daemon/stat"; }
res=""
t0=$(ticks)
for _ in $(seq 1 "$rounds"); do
    res+="$(ip netns exec dgl-a iperf3 -c 198.51.100.2 -p 5201 -t "$secs" -O 1 -f m 2>/dev/null | gbits) "
done
t1=$(ticks)
# shellcheck disable=SC2086
printf 'two hubs joined by -netdev dgram (UDP on loopback), TAP to TAP, iperf3 %s s x %s: %s Gbit/s\n' "$secs" "$rounds" \
    "$(median_range $res)"
# shellcheck disable=SC2086
printf "the daemon's CPU: %s s per GB carried\n" "$(printf '%s\n' $res | awk -v t="$(( t1 - t0 ))" -v hz="$(getconf CLK_TCK)" \
    -v secs="$secs" '{gb += $1 * (secs + 1) / 8} END {printf "%.3f", (gb > 0 ? t / hz / gb : 0)}')"
