# Sourced by bench scripts: wait_route NS waits (at most 15 s, sending nothing) until the namespace NS has a
# default route, i.e. the contender serving it configured its interface; fails otherwise.
wait_route() {
    for _ in $(seq 1 150); do
        ip netns exec "$1" ip route 2>/dev/null | grep -q '^default' && return 0
        sleep 0.1
    done
    echo "no default route in namespace $1" >&2
    return 1
}
