#!/usr/bin/env bash
# Runs the JMH benchmarks (src/test/java/io/vnet4j/bench) with the JDK that Maven's toolchain picks.
# Usage: bench/jmh.sh [JMH options], e.g. bench/jmh.sh HubForward -prof gc
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test
java_bin="$(bin/vnet4j --print-java 2>/dev/null || true)"
[ -n "$java_bin" ] || java_bin=java
exec "$java_bin" --enable-native-access=ALL-UNNAMED \
    -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" org.openjdk.jmh.Main "$@"
