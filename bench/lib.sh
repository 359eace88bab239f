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

# gbits: iperf3's output on standard input -> the receiver's rate in Gbit/s; gbits_places N: the same with N
# decimal places (gbits has 2); mbits: in Mbit/s with one decimal place, for rates that may be a few Mbit/s.
gbits() { gbits_places 2; }
gbits_places() { iperf_rate 1e9 "$1"; }
mbits() { iperf_rate 1e6 1; }
iperf_rate() { # UNIT PLACES: the receiver's rate in UNIT bit/s with PLACES decimal places
    awk -v unit="$1" -v d="$2" '/receiver/ {for (i = 1; i <= NF; i++) if ($i ~ /bits\/sec/) {v = $(i-1); u = $i}} END {
        m = 1; if (u ~ /^Gbits/) m = 1e9; if (u ~ /^Mbits/) m = 1e6; if (u ~ /^Kbits/) m = 1e3
        printf "%." d "f", v * m / unit}'
}

# median_range NUMBER...: "median [lowest-highest]" of its arguments, as they were written (the lower median
# for an even count); "-" when there are none.
median_range() {
    [ $# -gt 0 ] || { printf -- '-'; return; }
    printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {printf "%s [%s-%s]", a[int((NR + 1) / 2)], a[1], a[NR]}'
}

# builds_in_turns ROUNDS DIR...: ROUNDS times, calls the caller's `one DIR` for each DIR in turn (not in a
# subshell, so that its traps see what it started); each call sets $result to its figures ("A B ..."), and
# they gather in the caller's `declare -A results` as results[DIR]="A B ...,A B ...,".
builds_in_turns() {
    local rounds=$1 d
    shift
    for _ in $(seq 1 "$rounds"); do
        for d in "$@"; do
            one "$d"
            results[$d]+="$result,"
        done
    done
}

# column_median_range "A B ...,A B ...," N: median_range of the Nth figure of each.
column_median_range() {
    local v
    mapfile -t v < <(tr ',' '\n' <<<"$1" | awk -v c="$2" 'NF {print $c}')
    median_range "${v[@]}"
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

# stop_and_delete PREFIX: kills the processes in the caller's $pids (and empties it), then deletes every network
# namespace whose name begins with PREFIX: a side-by-side script's cleanup between contenders and at exit.
stop_and_delete() {
    local p n
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    pids=()
    sleep 0.3
    for n in $(ip netns list | awk -v prefix="$1" 'index($1, prefix) == 1 {print $1}'); do
        ip netns del "$n" 2>/dev/null || true
    done
}

# host_ns NAME: a namespace to stand in for the host, made afresh: its loopback up, and a default route
# over a veth pair whose both ends are inside it (198.51.100.1, gateway .2, which never answers) so that a
# contender that copies the host's routes (pasta) finds one. A contender's daemon and the servers it
# reaches run in it; deleting it frees the host sockets a connect-request-close run leaves in TIME_WAIT
# (some 7,000 for 60 s: past about 14,000 the kernel's search for an ephemeral port slowed connects
# 5-fold, so in a shared namespace whichever contender ran later lost).
host_ns() {
    ip netns add "$1"
    ip -n "$1" link set lo up
    ip -n "$1" link add v0 type veth peer name v1
    ip -n "$1" addr add 198.51.100.1/24 dev v0
    ip -n "$1" link set v0 up
    ip -n "$1" link set v1 up
    ip -n "$1" route add default via 198.51.100.2 dev v0
}

# one_namespace NAME: for a script that runs one contender at a time in namespace NAME: sets $ns, $out (a
# temporary directory) and $pid (the running contender's; empty when none), and on exit kills $pid and the
# processes in $servers (the script's own background servers, if it sets it), deletes the namespace and
# removes $out.
one_namespace() {
    ns=$1
    out=$(mktemp -d)
    pid=
    trap one_namespace_cleanup EXIT
}
one_namespace_cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    for p in ${servers:-}; do kill "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$out"
}

# start_contender TOOL NS HOST_NS LOG: starts TOOL in the background serving a TAP tap0 in namespace NS as
# 10.0.2.100/24 with gateway 10.0.2.2, itself in namespace HOST_NS (standing in for the host, see host_ns;
# "" for the script's own), its output to LOG, and sets $contender_pid (a child of the script's shell, so
# `wait` works). vnet4j: -netdev user,ipv6=off and -netdev tap,netns=,configure=on, no control socket (the
# launcher execs java, so the PID is the JVM's); vnet4j-nohdr the same with vnet_hdr=off; slirp4netns -c; pasta
# with the same addresses (its --map-gw makes the gateway the host for TCP) and no port forwarding, at MTU
# $PASTA_MTU when set (its default is 65520; the others' 1500).
start_contender() {
    local in=() tap=tap,id=t,ifname=tap0,netns=/run/netns/$2,configure=on
    [ -n "$3" ] && in=(ip netns exec "$3")
    [ "$1" = vnet4j-nohdr ] && tap+=,vnet_hdr=off
    case $1 in
        vnet4j|vnet4j-nohdr) "${in[@]}" bin/vnet4j --control none -netdev "${VNET4J_USER:-user,id=u,ipv6=off}" \
                    -netdev "$tap" >"$4" 2>&1 & ;;
        slirp4netns) "${in[@]}" slirp4netns -c --netns-type=path /run/netns/$2 tap0 >"$4" 2>&1 & ;;
        pasta) "${in[@]}" pasta --config-net -a 10.0.2.100 -n 24 -g 10.0.2.2 -I tap0 --netns /run/netns/$2 -f \
                    ${PASTA_MTU:+-m "$PASTA_MTU"} --runas 0 -t none -u none -T none -U none >"$4" 2>&1 & ;;
        *) echo "unknown contender $1" >&2; return 1 ;;
    esac
    contender_pid=$!
}

# ping_mean: busybox ping's summary on standard input -> its mean round trip in ms.
ping_mean() { sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p'; }
# mean_ping NS COUNT INTERVAL [PREFIX...]: the mean round trip (ms) of COUNT pings every INTERVAL seconds from
# namespace NS to the gateway 10.0.2.2, the ping run under PREFIX (e.g. taskset -c 0) when given.
mean_ping() {
    local ns=$1 count=$2 interval=$3
    shift 3
    ip netns exec "$ns" "$@" busybox ping -q -c "$count" -i "$interval" 10.0.2.2 2>/dev/null | ping_mean
}

# contender_round TOOL NS HOST_NS LOG: makes namespace NS and the host's stand-in HOST_NS (host_ns) afresh, then
# settled_contender in them; stop_contender_round NS HOST_NS kills $contender_pid (when set) and deletes both.
contender_round() {
    stop_contender_round "$2" "$3"
    ip netns add "$2"
    host_ns "$3"
    settled_contender "$@"
}
stop_contender_round() {
    if [ -n "${contender_pid:-}" ]; then
        kill "$contender_pid" 2>/dev/null || true
        wait "$contender_pid" 2>/dev/null || true
        contender_pid=
    fi
    ip netns del "$1" 2>/dev/null || true
    ip netns del "$2" 2>/dev/null || true
}

# settled_contender TOOL NS HOST_NS LOG: start_contender, then waits until tap0 in NS has its address and, for
# vnet4j, until its warm-up has ended (its "warm-up:" line in LOG), and sets $serving_tid: the thread that
# serves the TAP (vnet4j's user-network loop; slirp4netns's one thread). Linux keeps 15 characters of a
# thread's name, so vnet4j's "vnet4j-u-usernet" reads "vnet4j-u-userne" (the network's id is u).
settled_contender() {
    start_contender "$@"
    local _
    for _ in $(seq 1 150); do
        ip -n "$2" -4 addr show dev tap0 2>/dev/null | grep -q 'inet 10.0.2.100/' && break
        sleep 0.1
    done
    serving_tid=$contender_pid
    if [ "${1%-nohdr}" = vnet4j ]; then
        for _ in $(seq 1 300); do grep -q 'warm-up:' "$4" && break; sleep 0.1; done
        serving_tid=$(grep -l '^vnet4j-u-userne' /proc/"$contender_pid"/task/*/comm | head -1 | cut -d/ -f5)
    fi
    [ -n "$serving_tid" ] || { echo "no thread of $1 serves the TAP" >&2; return 1; }
}
