#!/usr/bin/env bash
# A QEMU guest (TCG) downloads and uploads over TCP through vnet4j's user network and through QEMU's
# built-in -netdev user, in one run; prints medians and ratios. Needs root, QEMU and the guest packages
# (see .ci/run). Usage: bench/usernet-vs-qemu.sh [MEGABYTES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test
src/test/guest/build-guest.sh target/guest >/dev/null
exec "$(bin/vnet4j --print-java)" --enable-native-access=ALL-UNNAMED -Dbasedir="$PWD" \
    -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" io.vnet4j.peers.UsernetVsQemuBench "$@"
