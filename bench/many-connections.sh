#!/usr/bin/env bash
# Heap cost of N idle proxied TCP connections through the user network (in one JVM, loopback only).
# Usage: bench/many-connections.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test
exec "$(bin/vnet4j --print-java)" --enable-native-access=ALL-UNNAMED -Xlog:disable \
    -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" io.vnet4j.usernet.ManyConnectionsBench "$@"
