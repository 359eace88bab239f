#!/usr/bin/env bash
# Where a ping's round trip goes, hop by hop, for vnet4j and slirp4netns side by side (needs root, perf from
# linux-perf with the sched and syscalls tracepoints, slirp4netns, busybox, iproute2). Each contender is
# started on a namespace's TAP, left SETTLE seconds (default 14: vnet4j's warm-up is over), given 300 pings
# at 100/s, then traced (perf record -a of scheduler wake-ups and switches and the read, write, poll, sendto
# and recvfrom system calls) for COUNT more pings at 100/s. bench/ping-hops.py turns the trace into the
# median and 90th-percentile microseconds of each hop: the guest's sendto until the server thread is woken,
# until it runs, poll's return until read, the read, read's return until write (the server's own processing), the write
# (which runs the guest's receive path), and until the guest's recvfrom returns. The tracepoints add a few
# microseconds to every system call, the same for both contenders. INTERVAL (environment, seconds, default
# 0.01) sets the traced pings' cadence: 1 shows the path of a ping on a quiet network.
# Everything runs in a namespace this script creates (vnhop) and deletes; traffic stays on this machine.
# Usage: [INTERVAL=S] [SETTLE=S] [TOOLS="vnet4j slirp4netns"] bench/ping-hops.sh [COUNT]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
count=${1:-100}
settle=${SETTLE:-14}
one_namespace vnhop
bin/vnet4j --version >/dev/null   # builds the jar first if needed
events=sched:sched_switch,sched:sched_wakeup
for call in read write poll epoll_wait sendto recvfrom; do
    events+=",syscalls:sys_enter_$call,syscalls:sys_exit_$call"
done
for tool in ${TOOLS:-vnet4j slirp4netns}; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    start_contender "$tool" "$ns" "" /dev/null
    pid=$contender_pid
    case $tool in
        vnet4j) server=vnet4j-u-userne ;;   # the user network's loop reads the TAP (comm: 15 characters)
        *) server=$tool ;;
    esac
    wait_route "$ns"
    sleep "$settle"
    ip netns exec "$ns" busybox ping -q -c 300 -i 0.01 10.0.2.2 >/dev/null
    perf record -q -o "$out/$tool.data" -a -e "$events" -- \
        ip netns exec "$ns" busybox ping -q -c "$count" -i "${INTERVAL:-0.01}" 10.0.2.2 >/dev/null 2>&1
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    pid=
    echo "== $tool"
    perf script -i "$out/$tool.data" 2>/dev/null | python3 bench/ping-hops.py "$server"
done
