#!/usr/bin/env bash
# One run, every contender, ratios (needs root; slirp4netns, passt (pasta), dnsmasq, python3, iproute2):
# DNS lookups from a network namespace through a user-mode network's DNS forwarder to a resolver on the
# host's loopback (dnsmasq, answering example.test itself, so nothing leaves the machine), each contender
# freshly started:
#  - the very first lookup over UDP, 1 s after the namespace's address came up (what a quiet network pays);
#  - COUNT lookups over UDP, each from a new socket; COUNT DNS-over-TCP connect-query-close; COUNT queries over
#    one TCP connection (bench/dns-rr.py): the median round trip of each.
# Contenders: vnet4j (bin/vnet4j -netdev user + tap netns=,configure=on; upstream: the host's resolv.conf,
# as by default), slirp4netns -c (the same, through libslirp), pasta with --dns-forward 10.0.2.3 (its
# forwarder's address set to the others'). Each runs in a namespace standing in for the host (lib.sh's
# host_ns), whose /etc/netns resolv.conf names 127.0.0.1, where the dnsmasq listens.
# Every contender runs ROUNDS times, rounds interleaved; tables give the median [lowest-highest].
# Everything runs in namespaces this script creates (vnbench-d-*) and deletes; traffic stays on this machine.
# Usage: bench/dns-vs-peers.sh [COUNT] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-300}
rounds=${2:-3}
host=vnbench-d-host
pids=()
# shellcheck source=lib.sh
. bench/lib.sh
cleanup() { stop_and_delete vnbench-d-; }
logs=$(mktemp -d)
trap 'cleanup; rm -rf "$logs" /etc/netns/$host' EXIT
cleanup
bin/vnet4j --version >/dev/null   # builds the jar first if needed
mkdir -p /etc/netns/$host
echo 'nameserver 127.0.0.1' >/etc/netns/$host/resolv.conf

mid() { median_range "$@" | awk '{print $1}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a != "" && b != "" && b > 0) printf "%.2fx", a / b; else print "n/a"}'; }
tools=(vnet4j slirp4netns pasta)
declare -A first udp crr rr
set +e
for round in $(seq 1 "$rounds"); do
    for tool in "${tools[@]}"; do
        echo "round $round of $rounds: $tool" >&2
        ns=vnbench-d-$tool
        ip netns add "$ns"
        host_ns $host
        ip netns exec $host dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=127.0.0.1 \
            --bind-interfaces --address=/example.test/198.51.100.7 --pid-file= >/dev/null 2>&1 & pids+=($!)
        if [ "$tool" = pasta ]; then
            ip netns exec $host pasta --config-net -a 10.0.2.100 -n 24 -g 10.0.2.2 -I tap0 --netns /run/netns/"$ns" \
                -f --runas 0 -t none -u none -T none -U none --dns-forward 10.0.2.3 >"$logs/$tool.log" 2>&1 &
            contender_pid=$!
        else
            start_contender "$tool" "$ns" $host "$logs/$tool.log"
        fi
        pids+=("$contender_pid")
        wait_route "$ns" || tail -5 "$logs/$tool.log" >&2
        sleep 1
        read -r f u c r < <(ip netns exec "$ns" python3 bench/dns-rr.py 10.0.2.3 example.test "$count" 2> >(sed "s/^/$tool: /" >&2))
        # a shape that failed ("-": pasta of this machine takes no DNS over TCP at its forwarder) is left out
        [ "${f:--}" = - ] || first[$tool]+="$f "
        [ "${u:--}" = - ] || udp[$tool]+="$u "
        [ "${c:--}" = - ] || crr[$tool]+="$c "
        [ "${r:--}" = - ] || rr[$tool]+="$r "
        cleanup
    done
done
set -e

# shellcheck disable=SC2086
{
printf '\nDNS lookups to a resolver on the host loopback, round trip in ms (%s rounds, %s lookups each)\n' "$rounds" "$count"
printf '%-12s %22s %22s %24s %22s\n' contender "first (UDP)" "UDP" "TCP connect-query-close" "TCP, one connection"
for tool in "${tools[@]}"; do
    printf '%-12s %22s %22s %24s %22s\n' "$tool" "$(median_range ${first[$tool]:-})" "$(median_range ${udp[$tool]:-})" \
        "$(median_range ${crr[$tool]:-})" "$(median_range ${rr[$tool]:-})"
done
for peer in slirp4netns pasta; do
    printf 'vnet4j/%s round trip: %s (first), %s (UDP), %s (TCP connect-query-close), %s (TCP) (target <= 1.2x)\n' "$peer" \
        "$(ratio "$(mid ${first[vnet4j]:-})" "$(mid ${first[$peer]:-})")" \
        "$(ratio "$(mid ${udp[vnet4j]:-})" "$(mid ${udp[$peer]:-})")" \
        "$(ratio "$(mid ${crr[vnet4j]:-})" "$(mid ${crr[$peer]:-})")" \
        "$(ratio "$(mid ${rr[vnet4j]:-})" "$(mid ${rr[$peer]:-})")"
done
}
