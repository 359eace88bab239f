#!/usr/bin/env bash
# Whether the warm-up leaves the user network's loop compiled (needs root, busybox, iproute2, jcmd from the
# JDK the launcher finds). HotSpot throws compiled code away when it first takes a branch it never took
# ("uncommon trap"), and a method thrown away runs interpreted, then in C1's profiling code, until it has
# been called some thousands of times more: on a quiet network, for hours. The warm-up exists so that the
# daemon's frame paths are compiled before the first guest; a branch taken only when the warm-up's own
# network stops undoes it (docs/benchmarks.md, ninth pass). This starts vnet4j on a namespace's TAP with
# -Xlog:deoptimization and -XX:+PrintCompilation, waits until the warm-up is over, sends PINGS pings at 1/s
# and a few more at 100/s, then fetches a page three times with busybox wget from an HTTP server on the
# host's loopback (python3; HTTP/1.0: the server closes first), and prints:
#   - the traps in vnet4j's own methods from the warm-up's end on (the close of its network, the pings);
#   - the compiled code of the loop's methods in use at the end (jcmd Compiler.codelist: the level, 4 is
#     C2; a method with no line has no compiled code in use and runs interpreted).
# Everything runs in a namespace this script creates (vntraps) and deletes; traffic stays on this machine.
# EXTRA (environment) adds JVM options, e.g. a JIT flag whose effect on the traps is the question. IPV6=on
# gives the user network IPv6 (the default's) and, after the warm-up, has the namespace do what a guest
# booting then does: its TAP goes down and up (router solicitation, duplicate address detection), it waits
# for its SLAAC address and pings the gateway over IPv6, before the IPv4 pings; it fetches the page over
# IPv6 too (from the host's ::1 through fec0::2).
# Usage: [EXTRA="-XX:..."] [IPV6=on] bench/warmup-traps.sh [PINGS]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
pings=${1:-5}
one_namespace vntraps
bin/vnet4j --version >/dev/null   # builds the jar first if needed
jcmd="$(dirname "$(bin/vnet4j --print-java)")/jcmd"
ip netns del "$ns" 2>/dev/null || true
ip netns add "$ns"
[ "${IPV6:-off}" = on ] && export VNET4J_USER=user,id=u
JDK_JAVA_OPTIONS="${EXTRA:-} -XX:+PrintCompilation -Xlog:deoptimization=debug:file=$out/deopt.log:uptime" \
    start_contender vnet4j "$ns" "" "$out/vnet4j.log"
pid=$contender_pid
wait_route "$ns"
for _ in $(seq 1 300); do
    grep -q 'warm-up:' "$out/vnet4j.log" && break
    sleep 0.1
done
grep -o 'warm-up:.*' "$out/vnet4j.log" || { echo "no warm-up line in 30 s" >&2; exit 1; }
# the JVM's uptime now: the warm-up logs its line after its network closed, so the close's traps are those of
# the last second before it
now=$("$jcmd" "$pid" VM.uptime 2>/dev/null | sed -n 's/^\([0-9.]*\) s$/\1/p')
sleep 1
if [ "${IPV6:-off}" = on ]; then
    ip -n "$ns" link set tap0 down
    ip -n "$ns" link set tap0 up
    for _ in $(seq 1 100); do
        ip -n "$ns" -6 addr show dev tap0 scope site | grep -q 'inet6 fec0' && break
        sleep 0.1
    done
    ip -n "$ns" -6 addr show dev tap0 scope site | grep -o 'inet6 [^ ]*' || echo "no SLAAC address in 10 s"
    ip netns exec "$ns" busybox ping -6 -q -c 3 -i 0.2 fec0::2 | tail -1
fi
ip netns exec "$ns" busybox ping -q -c "$pings" -i 1 10.0.2.2 | tail -1
ip netns exec "$ns" busybox ping -q -c 100 -i 0.01 10.0.2.2 | tail -1
mkdir -p "$out/www" && echo page >"$out/www/index.html"
python3 -m http.server --bind 127.0.0.1 18089 --directory "$out/www" >/dev/null 2>&1 &
http=$!
servers=$http   # killed by the cleanup if this script fails
sleep 1
for i in 1 2 3; do ip netns exec "$ns" busybox wget -q -O /dev/null http://10.0.2.2:18089/ && echo "fetch $i: ok"; done
kill "$http"
if [ "${IPV6:-off}" = on ]; then
    python3 -m http.server --bind ::1 18090 --directory "$out/www" >/dev/null 2>&1 &
    http=$!
    servers=$http
    sleep 1
    for i in 1 2 3; do
        ip netns exec "$ns" busybox wget -q -O /dev/null 'http://[fec0::2]:18090/' && echo "fetch over IPv6 $i: ok"
    done
    kill "$http"
fi
echo "== traps in io.vnet4j methods from 1 s before the warm-up's line on (-Xlog:deoptimization; none is best)"
awk -v from="$now" '{ t = $1; gsub(/[][s]/, "", t) } t + 1.0 >= from && /io\.vnet4j\./' "$out/deopt.log" \
    | sed 's/^\[[0-9.]*s\]\[debug\]\[deoptimization\] *//; s/ pc=.*//' | sort | uniq -c
echo "== the loop's compiled code in use at the end (jcmd Compiler.codelist; no line: interpreted)"
"$jcmd" "$pid" Compiler.codelist 2>/dev/null \
    | awk '$3 == 0 && /UsernetNetdev\.(pass|passes|handleSelected|dispatch)\(|Epoll\.await|EpollLoopSelector\.forEachReady|TapNetdev\.(forward|readWaiting)\(/ {print "  level " $2, $4}'
