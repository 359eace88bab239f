#!/usr/bin/env bash
# One run, every contender, ratios (needs root; iperf3, slirp4netns, passt (pasta), vde2, iproute2):
#  1. user-mode networking from a network namespace to an iperf3 server on the host's loopback, up and
#     down (-R), at MTU 1500 and 65520: vnet4j (-netdev user + tap netns=,configure=on) vs slirp4netns
#     vs pasta; and the median ping round trip to the gateway.
#  2. a hub between two namespaces: vnet4j with two TAPs vs vde_switch with two vde_plug2tap vs a veth
#     pair (the kernel's ceiling), iperf3 and ping.
# Everything runs in namespaces this script creates (vnbench-*) and deletes; traffic stays on this machine.
# vnet4j runs with its defaults (vnet_hdr=on); the rows "vnet4j-nohdr" run with vnet_hdr=off.
# Every contender runs ROUNDS times, the rounds interleaved (so a noisy minute hits all of them alike);
# the tables give the median of the rounds and, in brackets, the lowest and highest.
# Usage: [SETTLE=SECONDS] bench/namespace-vs-peers.sh [SECONDS_PER_RUN] [ROUNDS]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${2:-3}
# seconds between a contender's start and its measurement (1, or SETTLE=N: past vnet4j's warm-up, 3 s, so
# steady states are compared)
settle=${SETTLE:-1}
port=5299
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 0.5
    for ns in $(ip netns list | awk '/^vnbench-/ {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
    pkill -f "^sleep 100000$" 2>/dev/null || true
    rm -rf /tmp/vnbench-vde
}
trap cleanup EXIT
cleanup
bin/vnet4j --version >/dev/null   # builds the jar first if needed

iperf3 -s -B 127.0.0.1 -p $port >/dev/null 2>&1 & pids+=($!)
sleep 0.5

median_ping() { # ns target -> median RTT in ms ("-" when it does not answer ping)
    { ip netns exec "$1" busybox ping -c 21 -i 0.1 "$2" 2>/dev/null || true; } | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' \
        | sort -n | awk '{a[NR] = $1} END {if (NR) printf "%.3f", a[int((NR + 1) / 2)]; else printf "-"}'
}
mid() { median_range "$@" | awk '{print $1}'; }
wait_for() { # ns address: wait until it answers ping
    for _ in $(seq 1 50); do ip netns exec "$1" busybox ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0; sleep 0.2; done
    echo "no answer from $2 in $1" >&2; return 1
}
wait_route() { # ns: wait until the namespace has a default route (its user-mode network is up)
    for _ in $(seq 1 100); do ip netns exec "$1" ip route 2>/dev/null | grep -q '^default' && return 0; sleep 0.1; done
    echo "no default route in $1" >&2; return 1
}

start_usernet() { # tool mtu ns; sets gw to the address that reaches the host's loopback
    local tool=$1 mtu=$2 ns=$3
    case $tool in
        vnet4j|vnet4j-nohdr)
            local hdr=on; [ "$tool" = vnet4j-nohdr ] && hdr=off
            bin/vnet4j --quiet -netdev user,id=u,mtu=$mtu \
                -netdev tap,id=t,ifname=tap0,script=no,downscript=no,configure=on,vnet_hdr=$hdr,netns=/run/netns/$ns \
                >/dev/null 2>&1 &
            pids+=($!); gw=10.0.2.2 ;;
        slirp4netns)
            slirp4netns --configure --mtu=$mtu --netns-type=path /run/netns/$ns tap0 >/dev/null 2>&1 &
            pids+=($!); gw=10.0.2.2 ;;
        pasta)
            pasta --config-net -m $mtu --netns /run/netns/$ns -f --runas 0 >/dev/null 2>&1 &
            pids+=($!); sleep 1
            gw=$(ip netns exec "$ns" ip route | awk '/^default/ {print $3; exit}') ;;
    esac
}

set +e # a contender that fails to start shows as 0.00 instead of ending the run
declare -A up down ping
for round in $(seq 1 "$rounds"); do
    echo "round $round of $rounds: user-mode networking" >&2
    for mtu in 1500 65520; do
        for tool in vnet4j vnet4j-nohdr slirp4netns pasta; do
            ns=vnbench-$tool-$mtu
            ip netns add "$ns"
            start_usernet "$tool" "$mtu" "$ns"
            wait_route "$ns" || true
            sleep "$settle"
            u=$( (ip netns exec "$ns" iperf3 -c "$gw" -p $port -t "$secs" -O 1 -f m 2>/dev/null || true) | gbits)
            d=$( (ip netns exec "$ns" iperf3 -c "$gw" -p $port -t "$secs" -O 1 -f m -R 2>/dev/null || true) | gbits)
            # pasta would carry a ping to its gateway address out of this machine: not measured
            if [ "$tool" = pasta ]; then p=; else p=$(median_ping "$ns" "$gw" || true); fi
            up[$tool-$mtu]+="$u "; down[$tool-$mtu]+="$d "; [ -n "$p" ] && ping[$tool-$mtu]+="$p "
            kill "${pids[-1]}" 2>/dev/null || true; sleep 0.5
            ip netns del "$ns"
        done
    done
done
printf '\n1. user-mode networking, namespace -> host loopback iperf3 (%s s each, %s rounds), Gbit/s\n' "$secs" "$rounds"
printf '%-14s %6s %20s %20s %24s\n' tool mtu upload download "ping ms"
for mtu in 1500 65520; do
    for tool in vnet4j vnet4j-nohdr slirp4netns pasta; do
        k=$tool-$mtu
        # shellcheck disable=SC2086
        printf '%-14s %6s %20s %20s %24s\n' "$tool" "$mtu" \
            "$(median_range ${up[$k]})" "$(median_range ${down[$k]})" "$(median_range ${ping[$k]:-})"
    done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else print "n/a"}'; }
for mtu in 1500 65520; do
    # shellcheck disable=SC2086
    printf 'MTU %s, medians: vnet4j/slirp4netns upload %s, download %s; vnet4j/pasta upload %s, download %s\n' "$mtu" \
        "$(ratio "$(mid ${up[vnet4j-$mtu]})" "$(mid ${up[slirp4netns-$mtu]})")" \
        "$(ratio "$(mid ${down[vnet4j-$mtu]})" "$(mid ${down[slirp4netns-$mtu]})")" \
        "$(ratio "$(mid ${up[vnet4j-$mtu]})" "$(mid ${up[pasta-$mtu]})")" \
        "$(ratio "$(mid ${down[vnet4j-$mtu]})" "$(mid ${down[pasta-$mtu]})")"
done

set +e # a contender that fails to start shows as 0.00 instead of ending the run
declare -A hub hubping
for round in $(seq 1 "$rounds"); do
    echo "round $round of $rounds: hubs" >&2
    for tool in vnet4j vnet4j-nohdr vde_switch veth; do
        a=vnbench-a; b=vnbench-b
        ip netns add $a; ip netns add $b
        case $tool in
            vnet4j|vnet4j-nohdr)
                hdr=on; [ "$tool" = vnet4j-nohdr ] && hdr=off
                bin/vnet4j --quiet -netdev tap,id=a,ifname=vna,script=no,downscript=no,vnet_hdr=$hdr,netns=/run/netns/$a \
                    -netdev tap,id=b,ifname=vnb,script=no,downscript=no,vnet_hdr=$hdr,netns=/run/netns/$b >/dev/null 2>&1 &
                pids+=($!); sleep 3; ia=vna; ib=vnb ;;
            vde_switch)
                pkill -f "^sleep 100000$" 2>/dev/null || true
                rm -rf /tmp/vnbench-vde
                # foreground vde_switch reads commands from stdin and quits at its end: give it one that stays open
                sleep 100000 | vde_switch -s /tmp/vnbench-vde >/dev/null 2>&1 & pids+=($!); sleep 1
                ip netns exec $a vde_plug2tap -s /tmp/vnbench-vde vda >/dev/null 2>&1 & pids+=($!)
                ip netns exec $b vde_plug2tap -s /tmp/vnbench-vde vdb >/dev/null 2>&1 & pids+=($!)
                sleep 1; ia=vda; ib=vdb ;;
            veth)
                ip link add vea netns $a type veth peer name veb netns $b; ia=vea; ib=veb ;;
        esac
        ip netns exec $a ip addr add 10.98.0.1/24 dev $ia; ip netns exec $a ip link set $ia up
        ip netns exec $b ip addr add 10.98.0.2/24 dev $ib; ip netns exec $b ip link set $ib up
        ip netns exec $b ip link set lo up
        ip netns exec $b iperf3 -s -B 10.98.0.2 -p 5201 >/dev/null 2>&1 & pids+=($!)
        wait_for $a 10.98.0.2 || true
        sleep "$((settle - 1))"
        t=$(ip netns exec $a iperf3 -c 10.98.0.2 -p 5201 -t "$secs" -O 1 -f m 2>/dev/null | gbits)
        p=$(median_ping $a 10.98.0.2)
        hub[$tool]+="$t "; hubping[$tool]+="$p "
        for _ in 1 2 3 4; do kill "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; [ ${#pids[@]} -gt 1 ] || break; done
        sleep 0.5; ip netns del $a; ip netns del $b
    done
done
printf '\n2. a hub between two namespaces, MTU 1500, iperf3 (%s s, %s rounds), Gbit/s\n' "$secs" "$rounds"
printf '%-14s %20s %24s\n' hub throughput "ping ms"
for tool in vnet4j vnet4j-nohdr vde_switch veth; do
    # shellcheck disable=SC2086
    printf '%-14s %20s %24s\n' "$tool" "$(median_range ${hub[$tool]})" "$(median_range ${hubping[$tool]})"
done
# shellcheck disable=SC2086
printf 'medians: vnet4j/vde_switch %s (vnet_hdr=off %s); vnet4j/veth %s (vnet_hdr=off %s)\n' \
    "$(ratio "$(mid ${hub[vnet4j]})" "$(mid ${hub[vde_switch]})")" \
    "$(ratio "$(mid ${hub[vnet4j-nohdr]})" "$(mid ${hub[vde_switch]})")" \
    "$(ratio "$(mid ${hub[vnet4j]})" "$(mid ${hub[veth]})")" \
    "$(ratio "$(mid ${hub[vnet4j-nohdr]})" "$(mid ${hub[veth]})")"
