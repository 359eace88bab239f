#!/usr/bin/env bash
# What one TCP transaction costs each contender's own process (needs root, slirp4netns, passt (pasta),
# python3, iproute2, perf): bench/tcp-rr.py through the NAT to an echo server on the host's loopback, as in
# bench/latency-vs-peers.sh, and for each contender and mode
#   - its threads' time on a CPU per transaction and the times they were switched in per transaction
#     (/proc/PID/task/*/schedstat before and after a run of SECONDS; threads under 1 ms in all left out);
#   - its system calls per transaction, by call (perf stat on the syscalls:sys_enter_* tracepoints, in a
#     second run: counting slows every call, so that run's rate is not reported).
# Where the time of a round trip goes when the ratios of latency-vs-peers.sh move: a contender that makes
# more calls, or more CPU time per transaction, shows it here; equal figures leave the wake-ups between.
# Each contender runs once per mode, freshly started and left SETTLE seconds (default 12: vnet4j's warm-up
# is over); its daemon and the echo server run in a namespace standing in for the host (lib.sh's host_ns).
# Everything runs in namespaces this script creates (vnrrc-*) and deletes; traffic stays on this machine.
# Usage: [SETTLE=S] [TOOLS="vnet4j slirp4netns pasta"] [MODES="rr1 rr1k crr"] bench/rr-cost.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
. bench/lib.sh
secs=${1:-3}
port=5296
out=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    pids=()
    sleep 0.3
    ip netns del vnrrc-guest 2>/dev/null || true
    ip netns del vnrrc-host 2>/dev/null || true
}
trap 'cleanup; rm -rf "$out"' EXIT
bin/vnet4j --version >/dev/null   # builds the jar first if needed

threads() { # pid -> "tid name cpu_ns timeslices" per thread
    local t
    for t in /proc/"$1"/task/*; do
        printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ <"$t/comm")" "$(cut -d' ' -f1,3 "$t/schedstat")"
    done | LC_ALL=C sort
}

for mode in ${MODES:-rr1 rr1k crr}; do
    for tool in ${TOOLS:-vnet4j slirp4netns pasta}; do
        cleanup
        ip netns add vnrrc-guest
        host_ns vnrrc-host
        ip netns exec vnrrc-host python3 bench/tcp-rr.py server 127.0.0.1 $port & pids+=($!)
        start_contender "$tool" vnrrc-guest vnrrc-host "$out/$tool.log"
        pid=$contender_pid
        pids+=("$pid")
        wait_route vnrrc-guest
        sleep "${SETTLE:-12}"
        client() { ip netns exec vnrrc-guest python3 bench/tcp-rr.py client 10.0.2.2 $port "$mode" "$1" | awk '{print $1}'; }
        client 1 >/dev/null
        threads "$pid" >"$out/before"
        tps=$(client "$secs")
        threads "$pid" >"$out/after"
        echo "$tool $mode: $tps transactions/s"
        LC_ALL=C join "$out/before" "$out/after" | awk -v n="$tps" -v s="$secs" '{cpu = $6 - $3; sw = $7 - $4
            if (cpu > 1e6) printf "  thread %-18s %7.2f us on a CPU, %5.2f switches in, per transaction\n", $2, cpu / 1000 / (n * s), sw / (n * s)}'
        perf stat -x, -e 'syscalls:sys_enter_*' -p "$pid" -o "$out/perf" &
        perf=$!
        sleep 0.3
        counted=$(client "$secs")
        kill -INT "$perf"; wait "$perf" 2>/dev/null || true
        calls=$(awk -F, -v n="$counted" -v s="$secs" '$1 ~ /^[0-9]+$/ && $1 > 0 {sub(/^syscalls:sys_enter_/, "", $3)
            printf "%.2f %s\n", $1 / (n * s), $3}' "$out/perf" | sort -rn)
        printf '  system calls per transaction: %s (%s)\n' "$(awk '{t += $1} END {printf "%.2f", t}' <<<"$calls")" \
            "$(awk '$1 >= 0.05 {printf "%s%s %s", sep, $2, $1; sep = ", "}' <<<"$calls")"
        cleanup
    done
done
