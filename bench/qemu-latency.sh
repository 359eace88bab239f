#!/usr/bin/env bash
# Round trips from a QEMU guest (TCG) through vnet4j's user network, QEMU's built-in -netdev user and
# passt, in one run, rounds interleaved: pings to the gateway at 1/s, 5/s and 100/s (passt's in a namespace
# of its own in which the gateway address is local), and
# connect-request-close with wget against an HTTP server on 127.0.0.1 (see QemuLatencyBench). Needs root,
# QEMU, passt and the guest packages (see .ci/run); traffic stays on this machine.
# Usage: bench/qemu-latency.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
. bench/lib.sh
guest_bench QemuLatencyBench "$@"
