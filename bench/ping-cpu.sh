#!/usr/bin/env bash
# What a quiet network's ping costs the serving thread's CPU, and where, vnet4j and slirp4netns side by side
# (needs root, perf (Debian: linux-perf), busybox, slirp4netns, iproute2): each contender is started on a
# namespace's TAP (vnet4j left until its warm-up has ended), given 3 pings, then COUNT pings at 1/s (default
# 20; ROUNDS rounds, default 2) while
# `perf record -e cpu-clock -F 25000` samples its serving thread (vnet4j's user-network loop, slirp4netns's
# one thread). Prints the CPU per ping split by where it ran: the kernel, libc, the contender's own code
# (vnet4j: the JIT's code, named through `jcmd Compiler.perfmap`; slirp4netns: libslirp, glib and the
# binary) and the JVM; then where vnet4j's own code ran most, as shares of all its samples (compiled methods,
# and the interpreter or the JVM's stubs when they show; a bare address is code the map does not name).
# A sample stands for 40 us.
# Everything runs in namespaces this script creates (vncpu-*) and deletes; traffic stays on this machine.
# Usage: bench/ping-cpu.sh [ROUNDS] [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
. bench/lib.sh
rounds=${1:-2}
count=${2:-20}
out=$(mktemp -d)
trap 'stop_contender_round vncpu-ns vncpu-host; rm -rf "$out"' EXIT
command -v perf >/dev/null || { echo "ping-cpu.sh: needs perf (apt-get install linux-perf)" >&2; exit 1; }
bin/vnet4j --version >/dev/null   # builds the jar first if needed
jcmd="$(dirname "$(bin/vnet4j --print-java)")/jcmd"
for round in $(seq 1 "$rounds"); do
    for tool in vnet4j slirp4netns; do
        contender_round "$tool" vncpu-ns vncpu-host "$out/log"
        sleep 1
        ip netns exec vncpu-ns busybox ping -q -c 3 -i 1 10.0.2.2 >/dev/null
        rtt=$(perf record -q -e cpu-clock -F 25000 -t "$serving_tid" -o "$out/perf.data" -- \
            ip netns exec vncpu-ns busybox ping -q -c "$count" -i 1 10.0.2.2 2>/dev/null \
            | ping_mean)
        [ "$tool" = vnet4j ] && "$jcmd" "$contender_pid" Compiler.perfmap >/dev/null
        perf report -i "$out/perf.data" --sort dso --stdio 2>/dev/null | awk -v n="$count" -v tool="$tool" -v r="$round" -v rtt="$rtt" '
            /^ *[0-9.]+%/ { s = $1 + 0; sub(/^ *[0-9.]+% */, ""); d = $0
                            k = d ~ /kernel/ ? "kernel" : d ~ /libc/ ? "libc" : d ~ /libjvm/ ? "JVM" : "own"
                            share[k] += s }
            /^# Samples:/ { total = $3 }
            END { f = total * 40 / n / 100
                  printf "%-12s round %s: %4.0f us CPU a ping (kernel %3.0f, libc %3.0f, own code %3.0f, JVM %3.0f), mean RTT %s ms\n",
                      tool, r, total * 40 / n, share["kernel"] * f, share["libc"] * f, share["own"] * f, share["JVM"] * f, rtt }'
        if [ "$tool" = vnet4j ]; then
            echo "      its own code's busiest places, % of all its samples:"
            perf report -i "$out/perf.data" --sort dso,sym --stdio 2>/dev/null | grep '\[JIT\]' \
                | sed 's/\[JIT\] tid [0-9]* *\[\.\] //' | head -8 | sed 's/^/      /'
        fi
        rm -f /tmp/perf-"$contender_pid".map
        stop_contender_round vncpu-ns vncpu-host
    done
done
