#!/usr/bin/env bash
# TCP right after a guest's first HTTP fetches (needs root, busybox, python3, iproute2). A fetch from a
# server that closes first (HTTP/1.0) took branches of the TCP path that the warm-up never took, and the
# traps threw that compiled code away for every connection (bench/warmup-traps.sh shows the traps); this
# measures what it cost: per start, vnet4j on a namespace's TAP after its warm-up, three busybox wget
# fetches from python3's http.server on the host's loopback, then 1 s of connect-request-close and 1 s of
# 1-byte request/response (bench/tcp-rr.py) to a server on the host's loopback. Compare two builds by
# running it in a worktree of each, in turns. Everything runs in a namespace this script creates
# (vnafter) and deletes; traffic stays on this machine.
# Usage: bench/after-first-fetch.sh [STARTS]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
starts=${1:-1}
one_namespace vnafter
bin/vnet4j --version >/dev/null   # builds the jar first if needed
mkdir -p "$out/www" && echo page >"$out/www/index.html"
for start in $(seq 1 "$starts"); do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    python3 -m http.server --bind 127.0.0.1 18089 --directory "$out/www" >/dev/null 2>&1 &
    http=$!
    python3 bench/tcp-rr.py server 127.0.0.1 18091 >/dev/null 2>&1 &
    rr=$!
    servers="$http $rr"   # killed by the cleanup if this script fails
    start_contender vnet4j "$ns" "" "$out/vnet4j.log"
    pid=$contender_pid
    wait_route "$ns"
    for _ in $(seq 1 300); do grep -q 'warm-up:' "$out/vnet4j.log" && break; sleep 0.1; done
    grep -q 'warm-up:' "$out/vnet4j.log" || { echo "no warm-up line in 30 s" >&2; exit 1; }
    sleep 1
    for _ in 1 2 3; do ip netns exec "$ns" busybox wget -q -O /dev/null http://10.0.2.2:18089/; done
    crr=$(ip netns exec "$ns" python3 bench/tcp-rr.py client 10.0.2.2 18091 crr 1 | awk '{print $1}')
    rr1=$(ip netns exec "$ns" python3 bench/tcp-rr.py client 10.0.2.2 18091 rr1 1 | awk '{print $1}')
    echo "start $start: connect-request-close $crr/s, 1-byte request/response $rr1/s"
    kill "$pid" "$http" "$rr"
    wait "$pid" 2>/dev/null || true
    pid=
    servers=
    sleep 0.3
done
