#!/usr/bin/env bash
# The memory a quiet network's ping touches, for vnet4j and slirp4netns side by side (needs root, busybox,
# slirp4netns, iproute2, python3). On a VM whose memory is cold after a second of idleness, a ping at 1/s
# costs about that much per page the server touches (this project's 2-core Firecracker machines on
# 2026-12-01: 25-60 microseconds a page untouched for 1 s; on 2026-12-02 about 0.3, when the cache lines
# counted instead: docs/benchmarks.md, nineteenth pass), so the count of pages is one machine-independent
# part of that round trip. Each contender is started on a namespace's TAP, left SETTLE
# seconds (default 14: vnet4j's warm-up is over), given 100 pings at 100/s, then COUNT times: 1 s of quiet,
# its pages' referenced bits cleared (/proc/PID/clear_refs), one ping, and the pages referenced since
# (smaps' Referenced) counted by kind: the JIT's code (rwx), anonymous memory (heap, malloc, stacks), the
# AOT cache, libjvm, and the contender's own libraries (slirp4netns's libslirp, glib). libc, ld.so and the
# locale files are left out: their page flags are shared with every process on the machine.
# Everything runs in a namespace this script creates (vnpages) and deletes; traffic stays on this machine.
# Usage: [SETTLE=S] [TOOLS="vnet4j slirp4netns"] bench/ping-pages.sh [COUNT]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
count=${1:-3}
one_namespace vnpages
bin/vnet4j --version >/dev/null   # builds the jar first if needed
for tool in ${TOOLS:-vnet4j slirp4netns}; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    start_contender "$tool" "$ns" "" /dev/null
    pid=$contender_pid
    wait_route "$ns"
    sleep "${SETTLE:-14}"
    ip netns exec "$ns" busybox ping -q -c 100 -i 0.01 10.0.2.2 >/dev/null
    echo "== $tool"
    for _ in $(seq 1 "$count"); do
        sleep 1
        echo 1 >"/proc/$pid/clear_refs"
        rtt=$(ip netns exec "$ns" busybox ping -q -c 1 10.0.2.2 | sed -n 's|.*= \([0-9.]*\)/.*|\1|p')
        python3 - "$pid" "$rtt" <<'EOF'
import re, sys
pid, rtt = sys.argv[1], sys.argv[2]
shared = ("libc.so", "ld-linux", "/locale/", "gconv-modules")
kinds, kind = {}, None
for line in open(f"/proc/{pid}/smaps"):
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        fields = line.split(None, 5)
        name = fields[5].strip() if len(fields) > 5 else ""
        if any(s in name for s in shared):
            kind = None
        elif fields[1] == "rwxp":
            kind = "jit-code"
        elif name in ("", "[heap]", "[stack]"):
            kind = "anonymous"
        elif name.endswith(".aot"):
            kind = "aot-cache"
        else:
            kind = name.rsplit("/", 1)[-1].split(".so")[0]
    elif line.startswith("Referenced:") and kind:
        kinds[kind] = kinds.get(kind, 0) + int(line.split()[1]) // 4
total = sum(kinds.values())
parts = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]) if v)
print(f"  ping {rtt} ms: {total} pages ({parts})")
EOF
    done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    pid=
done
