#!/usr/bin/env bash
# Whether the warm-up leaves a VM's paths compiled, for the default network's shape (a user network and a
# QEMU guest on a stream socket), as bench/warmup-traps.sh asks for a namespace's TAP: the traps in vnet4j's
# own methods from the warm-up's end on, while a freshly booted TCG guest takes a lease, pings the gateway
# and fetches a page three times (see VmWarmupTrapsBench). Needs root, QEMU and the guest packages (see
# .ci/run); traffic stays on this machine.
# Usage: bench/vm-warmup-traps.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
. bench/lib.sh
guest_bench VmWarmupTrapsBench "$@"
