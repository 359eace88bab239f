#!/usr/bin/env bash
# Where a quiet network's ping is served, vnet4j and slirp4netns side by side (needs root, busybox,
# slirp4netns, iproute2): COUNT pings at 1/s (default 10) with the ping on CPU 0 (taskset -c 0) and the
# contender's serving thread (vnet4j's user-network loop, slirp4netns's one thread) pinned to CPU 0, then to
# CPU 1, then both left free; vnet4j after its warm-up; ROUNDS rounds (default 2). Shows what a cross-CPU wake-up costs the machine (slirp4netns's
# "other CPU" against "same CPU") and whether a contender's round trip depends on where the scheduler puts it.
# Needs 2 CPUs or more. Everything runs in namespaces this script creates (vnplace-*) and deletes.
# Usage: bench/ping-placement.sh [ROUNDS] [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
. bench/lib.sh
rounds=${1:-2}
count=${2:-10}
log=$(mktemp)
trap 'stop_contender_round vnplace-ns vnplace-host; rm -f "$log"' EXIT
bin/vnet4j --version >/dev/null   # builds the jar first if needed
printf '%-12s %-6s %10s %10s %10s   (mean RTT in ms, %s pings at 1/s each)\n' contender round "same CPU" "other CPU" free "$count"
for round in $(seq 1 "$rounds"); do
    for tool in vnet4j slirp4netns; do
        contender_round "$tool" vnplace-ns vnplace-host "$log"
        sleep 1
        taskset -p 1 "$serving_tid" >/dev/null; same=$(mean_ping vnplace-ns "$count" 1 taskset -c 0)
        taskset -p 2 "$serving_tid" >/dev/null; other=$(mean_ping vnplace-ns "$count" 1 taskset -c 0)
        taskset -pc "0-$(($(nproc) - 1))" "$serving_tid" >/dev/null; free=$(mean_ping vnplace-ns "$count" 1)
        printf '%-12s %-6s %10s %10s %10s\n' "$tool" "$round" "$same" "$other" "$free"
        stop_contender_round vnplace-ns vnplace-host
    done
done
