# Sourced by bench scripts.

# wait_route NS waits (at most 15 s, sending nothing) until the namespace NS has a default route, i.e. the
# contender serving it configured its interface; fails otherwise.
wait_route() {
    for _ in $(seq 1 150); do
        ip netns exec "$1" ip route 2>/dev/null | grep -q '^default' && return 0
        sleep 0.1
    done
    echo "no default route in namespace $1" >&2
    return 1
}

# gbits: iperf3's output on standard input -> the receiver's rate in Gbit/s.
gbits() {
    awk '/receiver/ {for (i = 1; i <= NF; i++) if ($i ~ /bits\/sec/) {v = $(i-1); u = $i}} END {
        if (u ~ /^Mbits/) v /= 1000; if (u ~ /^Kbits/) v /= 1e6; printf "%.2f", v}'
}

# guest_bench CLASS ARGS...: builds the jar, the test classes and the QEMU test guest, then runs the
# bench class io.vnet4j.peers.CLASS (from the repository's root) on the JDK the launcher finds.
guest_bench() {
    local class=$1
    shift
    mvn -q -B -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
        -Dmdep.includeScope=test
    src/test/guest/build-guest.sh target/guest >/dev/null
    exec "$(bin/vnet4j --print-java)" --enable-native-access=ALL-UNNAMED -Dbasedir="$PWD" \
        -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" "io.vnet4j.peers.$class" "$@"
}
