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
