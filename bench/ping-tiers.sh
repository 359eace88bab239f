#!/usr/bin/env bash
# How much of a ping's path runs below C2 after the warm-up, start by start (needs root, busybox, perf,
# python3, iproute2, jcmd from the JDK the launcher finds). The warm-up exists so that the paths a quiet
# guest's frames take are C2's code; when it leaves a method in C1's profiling code (a trap at its end, a
# caller compiled without inlining it, a warm-up cut short) or interpreted, that part stays there for as
# long as the network is quiet. Which start it happens in varies, so this starts vnet4j STARTS times on a
# namespace's TAP, waits SETTLE seconds (default 12: the warm-up is over), sends 20 pings, then samples the
# user network's loop thread (perf record -F 25000, cpu-clock) while COUNT pings go at 100/s, and prints
# per start its user-space samples: in C2's code (tier 4 in jcmd Compiler.codelist), and below it by method
# (tiers 1-3, and the interpreter from the JIT's perf map). A native method's wrapper (linkToNative, tier 0)
# counts below but is where it belongs. Everything runs in a namespace this script creates (vntiers) and
# deletes; traffic stays on this machine.
# Usage: [SETTLE=S] bench/ping-tiers.sh [STARTS] [COUNT]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
starts=${1:-5}
count=${2:-600}
one_namespace vntiers
bin/vnet4j --version >/dev/null   # builds the jar first if needed
jcmd="$(dirname "$(bin/vnet4j --print-java)")/jcmd"
out=$(mktemp -d)
for k in $(seq 1 "$starts"); do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    start_contender vnet4j "$ns" "" "$out/vnet4j.log"
    pid=$contender_pid
    wait_route "$ns"
    sleep "${SETTLE:-12}"
    ip netns exec "$ns" busybox ping -q -c 20 -i 0.2 10.0.2.2 >/dev/null
    loop=$(grep -l '^vnet4j-u-userne' /proc/"$pid"/task/*/comm | head -n 1 | cut -d/ -f5)
    "$jcmd" "$pid" Compiler.codelist >"$out/codelist"
    "$jcmd" "$pid" Compiler.perfmap >/dev/null   # writes /tmp/perf-PID.map
    mv "/tmp/perf-$pid.map" "$out/perf.map"
    perf record -q -F 25000 -e cpu-clock -t "$loop" -o "$out/perf.data" -- sleep $((count / 100 + 2)) &
    perf_pid=$!
    sleep 0.3
    rtt=$(mean_ping "$ns" "$count" 0.01)
    wait "$perf_pid"
    perf script -i "$out/perf.data" -F ip --no-demangle 2>/dev/null >"$out/samples" || true
    printf 'start %d (%s), pings at 100/s %s ms: ' "$k" "$(grep -o 'warm-up: [a-z ]*[0-9]* [a-z ]*[0-9]* ms' "$out/vnet4j.log")" "$rtt"
    python3 - "$out" <<'EOF'
import bisect, collections, re, sys
out = sys.argv[1]
code = []
for line in open(f"{out}/codelist"):
    m = re.match(r"\d+ (\d) (\d) (\S+) \[(0x[0-9a-f]+), 0x[0-9a-f]+ - (0x[0-9a-f]+)\]", line)
    if m:
        code.append((int(m.group(4), 16), int(m.group(5), 16), int(m.group(1)), m.group(3).split("(")[0]))
code.sort()
starts = [c[0] for c in code]
interpreter = []
for line in open(f"{out}/perf.map"):
    start, size, name = line.split(" ", 2)
    if name.startswith("Interpreter"):
        interpreter.append((int(start, 16), int(start, 16) + int(size, 16)))
below, c2, user = collections.Counter(), 0, 0
for line in open(f"{out}/samples"):
    ip = int(line.split()[0], 16)
    if ip >= 0xffff800000000000:
        continue  # the kernel's
    user += 1
    i = bisect.bisect_right(starts, ip) - 1
    if i >= 0 and ip < code[i][1]:
        if code[i][2] == 4:
            c2 += 1
        else:
            below[code[i][3].rsplit(".", 2)[-2] + "." + code[i][3].rsplit(".", 1)[-1]] += 1
    elif any(a <= ip < b for a, b in interpreter):
        below["interpreter"] += 1
print(f"{user} user-space samples, {c2} in C2's code, {sum(below.values())} below: "
      + ", ".join(f"{k} {v}" for k, v in below.most_common(8)))
EOF
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
done
rm -rf "$out"
