#!/usr/bin/env bash
# A QEMU guest (TCG) downloads and uploads over TCP through vnet4j's user network and through QEMU's
# built-in -netdev user, in one run; prints medians and ratios. Needs root, QEMU and the guest packages
# (see .ci/run). Usage: [ONLY=stream|vhost-user] [VERBOSE=1] bench/usernet-vs-qemu.sh [MEGABYTES] [RUNS]
# (ONLY: that contender alone; VERBOSE: the daemon's info network after each transfer, its counters)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
. bench/lib.sh
guest_bench UsernetVsQemuBench "$@"
