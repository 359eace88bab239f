#!/usr/bin/env bash
# Fuzzes every Jazzer harness (src/test/java/**/*FuzzTest.java) in turn, one at a time, for
# SECONDS each (default 300), offline. Logs go to target/fuzz-logs/CLASS.log; a crashing input is
# written by Jazzer next to the harness's seeds (src/test/resources/.../CLASSInputs/METHOD/crash-*),
# where the normal build then replays it. Usage: fuzz/run-all.sh [SECONDS] [CLASS...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
if [ $# -gt 0 ]; then
    harnesses=("$@")
else
    mapfile -t harnesses < <(find src/test/java -name '*FuzzTest.java' -printf '%f\n' | sed 's/\.java$//' | sort)
fi
mkdir -p target/fuzz-logs
status=0
for h in "${harnesses[@]}"; do
    log=target/fuzz-logs/$h.log
    if mvn -o -B -Pfuzz -Dtest="$h" -Dfuzz.seconds="$seconds" test >"$log" 2>&1; then result=ok; else result=FAILED; status=1; fi
    runs=$(grep -ao 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1 || true)
    echo "$h: $result${runs:+, $runs} ($log)"
done
exit $status
