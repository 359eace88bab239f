#!/usr/bin/env bash
# End-to-end frames/s through two vnet4j stream ports on loopback (64- and 1500-byte frames).
# Usage: bench/stream-loopback.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test
exec "$(bin/vnet4j --print-java)" --enable-native-access=ALL-UNNAMED \
    -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" io.vnet4j.bench.StreamLoopbackBench "$@"
