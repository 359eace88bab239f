#!/usr/bin/env bash
# One run, IPv6 against IPv4, ratios (needs root; iperf3, slirp4netns, iproute2, busybox):
# user-mode networking from a network namespace to iperf3 servers on the host's loopback, 127.0.0.1 and ::1,
# up and down (-R), at MTU 1500 and 65520:
#   vnet4j-v4     -netdev user + tap netns=,configure=on, iperf3 to 10.0.2.2 (the host's 127.0.0.1)
#   vnet4j-v6     the same daemon, iperf3 to fec0::2 (ipv6-host: the host's ::1), address by SLAAC
#   slirp4netns-v4, slirp4netns-v6   slirp4netns --configure --enable-ipv6, to 10.0.2.2 and fd00::2
#   before-v4     (only with BEFORE_JAR=path/to/an/older/vnet4j.jar) that build, IPv4: a before/after row
# Everything runs in namespaces this script creates (vnbench6-*) and deletes; traffic stays on this machine.
# Every contender runs ROUNDS times, the rounds interleaved; the tables give the median of the rounds and,
# in brackets, the lowest and highest.
# Usage: [BEFORE_JAR=old.jar] bench/ipv6-vs-ipv4.sh [SECONDS_PER_RUN] [ROUNDS]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${2:-3}
port=5297
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 0.5
    for ns in $(ip netns list | awk '/^vnbench6-/ {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
bin/vnet4j --version >/dev/null   # builds the jar first if needed
java_bin=$(bin/vnet4j --print-java)

iperf3 -s -B 127.0.0.1 -p $port >/dev/null 2>&1 & pids+=($!)
iperf3 -s -B ::1 -p $port >/dev/null 2>&1 & pids+=($!)
sleep 0.5

mid() { median_range "$@" | awk '{print $1}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else print "n/a"}'; }
wait_ready() { # ns family: a default route of that family, and for IPv6 a routable address past DAD
    for _ in $(seq 1 100); do
        if [ "$2" = 4 ]; then
            ip netns exec "$1" ip route 2>/dev/null | grep -q '^default' && return 0
        else
            ip netns exec "$1" ip -6 route 2>/dev/null | grep -q '^default' \
                && ip netns exec "$1" ip -6 addr show dev tap0 2>/dev/null | grep inet6 | grep -v 'scope link' \
                    | grep -vq tentative && return 0  # fec0::/10 is scope site, fd00::/8 scope global
        fi
        sleep 0.1
    done
    echo "$1 not ready for IPv$2" >&2; return 1
}

contenders=(vnet4j-v4 vnet4j-v6 slirp4netns-v4 slirp4netns-v6)
[ -n "${BEFORE_JAR:-}" ] && contenders+=(before-v4)

start() { # contender mtu ns; sets target
    local c=$1 mtu=$2 ns=$3
    case $c in
        vnet4j-v4|vnet4j-v6|before-v4)
            local jar=target/vnet4j.jar; [ "$c" = before-v4 ] && jar=$BEFORE_JAR
            "$java_bin" --enable-native-access=ALL-UNNAMED -jar "$jar" --quiet --control none -netdev user,id=u,mtu=$mtu \
                -netdev tap,id=t,ifname=tap0,script=no,downscript=no,configure=on,netns=/run/netns/$ns >/dev/null 2>&1 &
            pids+=($!)
            if [ "$c" = vnet4j-v6 ]; then target=fec0::2; else target=10.0.2.2; fi ;;
        slirp4netns-v4|slirp4netns-v6)
            slirp4netns --configure --enable-ipv6 --mtu=$mtu --netns-type=path /run/netns/$ns tap0 >/dev/null 2>&1 &
            pids+=($!)
            if [ "$c" = slirp4netns-v6 ]; then target=fd00::2; else target=10.0.2.2; fi ;;
    esac
}

set +e # a contender that fails to start shows as 0.00 instead of ending the run
declare -A up down
for round in $(seq 1 "$rounds"); do
    echo "round $round of $rounds" >&2
    for mtu in 1500 65520; do
        for c in "${contenders[@]}"; do
            ns=vnbench6-$c-$mtu
            ip netns add "$ns"
            start "$c" "$mtu" "$ns"
            family=4; [[ $c == *-v6 ]] && family=6
            wait_ready "$ns" "$family" || true
            sleep 0.5
            u=$( (ip netns exec "$ns" iperf3 -c "$target" -p $port -t "$secs" -O 1 -f m 2>/dev/null || true) | gbits)
            d=$( (ip netns exec "$ns" iperf3 -c "$target" -p $port -t "$secs" -O 1 -f m -R 2>/dev/null || true) | gbits)
            up[$c-$mtu]+="$u "; down[$c-$mtu]+="$d "
            kill "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; sleep 0.5
            ip netns del "$ns"
        done
    done
done
printf '\nnamespace -> host loopback iperf3 (%s s each, %s rounds), Gbit/s\n' "$secs" "$rounds"
printf '%-16s %6s %20s %20s\n' contender mtu upload download
for mtu in 1500 65520; do
    for c in "${contenders[@]}"; do
        # shellcheck disable=SC2086
        printf '%-16s %6s %20s %20s\n' "$c" "$mtu" "$(median_range ${up[$c-$mtu]})" "$(median_range ${down[$c-$mtu]})"
    done
done
for mtu in 1500 65520; do
    # shellcheck disable=SC2086
    printf 'MTU %s, medians: vnet4j v6/v4 upload %s, download %s; vnet4j-v6/slirp4netns-v6 upload %s, download %s\n' "$mtu" \
        "$(ratio "$(mid ${up[vnet4j-v6-$mtu]})" "$(mid ${up[vnet4j-v4-$mtu]})")" \
        "$(ratio "$(mid ${down[vnet4j-v6-$mtu]})" "$(mid ${down[vnet4j-v4-$mtu]})")" \
        "$(ratio "$(mid ${up[vnet4j-v6-$mtu]})" "$(mid ${up[slirp4netns-v6-$mtu]})")" \
        "$(ratio "$(mid ${down[vnet4j-v6-$mtu]})" "$(mid ${down[slirp4netns-v6-$mtu]})")"
    if [ -n "${BEFORE_JAR:-}" ]; then
        # shellcheck disable=SC2086
        printf 'MTU %s, medians: vnet4j-v4 after/before upload %s, download %s\n' "$mtu" \
            "$(ratio "$(mid ${up[vnet4j-v4-$mtu]})" "$(mid ${up[before-v4-$mtu]})")" \
            "$(ratio "$(mid ${down[vnet4j-v4-$mtu]})" "$(mid ${down[before-v4-$mtu]})")"
    fi
done
