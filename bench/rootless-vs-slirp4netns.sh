#!/usr/bin/env bash
# One run, the slirp4netns drop-in against slirp4netns itself, ratios (needs root; rootlesskit, uidmap,
# slirp4netns, iperf3, util-linux):
#  1. rootlesskit's own benchmark shape (its benchmarks/benchmark-iperf3*.sh): as an unprivileged user
#     (vnet4jtest, given a /etc/subuid and /etc/subgid range if it has none), rootlesskit --net=slirp4netns
#     with --slirp4netns-binary = vnet4j's drop-in or slirp4netns, iperf3 from the child to a server on the
#     host's loopback through 10.0.2.2, up and down (-R), at MTU 1500 and 65520;
#  2. start to ready: the time from starting the binary (as root, --configure, into a fresh namespace) to
#     "1" on its ready fd, ROUNDS*3 times each, median.
# Everything runs in namespaces this script or rootlesskit creates and removes; traffic stays on this machine.
# Usage: bench/rootless-vs-slirp4netns.sh [SECONDS_PER_RUN] [ROUNDS]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${2:-3}
port=5298
user=vnet4jtest
work=$(mktemp -d /tmp/vnbench-rootless.XXXXXX)
chmod 777 "$work"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for ns in $(ip netns list | awk '/^vnbench-r/ {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
bin/vnet4j --version >/dev/null   # builds the jar first if needed
java_bin=$(bin/vnet4j --print-java)
id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/sh "$user"
for f in /etc/subuid /etc/subgid; do grep -q "^$user:" "$f" 2>/dev/null || echo "$user:300000:65536" >>"$f"; done
cp target/vnet4j.jar "$work/vnet4j.jar"; chmod 644 "$work/vnet4j.jar"
printf '#!/bin/sh\nexec %s --enable-native-access=ALL-UNNAMED -jar %s slirp4netns "$@"\n' "$java_bin" "$work/vnet4j.jar" >"$work/dropin"
chmod 755 "$work/dropin"
binary() { if [ "$1" = vnet4j ]; then echo "$work/dropin"; else command -v slirp4netns; fi; }

iperf3 -s -B 127.0.0.1 -p $port >/dev/null 2>&1 & pids+=($!)
sleep 0.5
mid() { median_range "$@" | awk '{print $1}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else print "n/a"}'; }

kit() { # which mtu direction-flag -> Gbit/s
    setpriv --reuid=$user --regid=$user --clear-groups --reset-env env HOME="$work" XDG_RUNTIME_DIR="$work" \
        rootlesskit --state-dir="$work/state-$1-$2-$RANDOM" --net=slirp4netns --slirp4netns-binary="$(binary "$1")" \
        --mtu="$2" sh -c "iperf3 -c 10.0.2.2 -p $port -t $secs -O 1 -f m $3" 2>/dev/null | gbits
}

set +e
declare -A up down ready
for round in $(seq 1 "$rounds"); do
    echo "round $round of $rounds" >&2
    for mtu in 1500 65520; do
        for which in vnet4j slirp4netns; do
            up[$which-$mtu]+="$(kit $which $mtu '') "
            down[$which-$mtu]+="$(kit $which $mtu -R) "
        done
    done
    for _ in 1 2 3; do
        for which in vnet4j slirp4netns; do
            ns=vnbench-r-$which; ip netns add "$ns"; fifo="$work/ready-$which"; rm -f "$fifo"; mkfifo "$fifo"
            t0=$(date +%s%N)
            bash -c 'exec "$0" --configure -r 3 --netns-type=path "$1" tap0 3>"$2"' "$(binary $which)" "/run/netns/$ns" "$fifo" \
                >/dev/null 2>&1 & p=$!
            read -r -n 1 _ <"$fifo"
            t1=$(date +%s%N)
            ready[$which]+="$(( (t1 - t0) / 1000000 )) "
            kill $p 2>/dev/null; wait $p 2>/dev/null; ip netns del "$ns"
        done
    done
done
printf '\n1. rootlesskit --net=slirp4netns, child -> host loopback iperf3 (%s s each, %s rounds), Gbit/s\n' "$secs" "$rounds"
printf '%-12s %6s %20s %20s\n' binary mtu upload download
for mtu in 1500 65520; do
    for which in vnet4j slirp4netns; do
        # shellcheck disable=SC2086
        printf '%-12s %6s %20s %20s\n' "$which" "$mtu" \
            "$(median_range ${up[$which-$mtu]})" "$(median_range ${down[$which-$mtu]})"
    done
    # shellcheck disable=SC2086
    printf 'MTU %s, medians: vnet4j/slirp4netns upload %s, download %s\n' "$mtu" \
        "$(ratio "$(mid ${up[vnet4j-$mtu]})" "$(mid ${up[slirp4netns-$mtu]})")" \
        "$(ratio "$(mid ${down[vnet4j-$mtu]})" "$(mid ${down[slirp4netns-$mtu]})")"
done
printf '\n2. start to "1" on the ready fd (--configure, a fresh namespace, as root), ms\n'
for which in vnet4j slirp4netns; do
    # shellcheck disable=SC2086
    printf '%-12s %20s\n' "$which" "$(median_range ${ready[$which]})"
done
