#!/usr/bin/env python3
"""What waking a process after an idle second costs this machine, by the memory the process holds.

  bench/wake-vs-memory.py [ROUNDS] [MB...]        (defaults: 8 rounds; 0 and 80 MB)

For each size in turn (the sizes take turns, twice), a child process touches that many MiB of private
anonymous memory once, then sleeps in a blocking read of a pipe; once a second the parent writes a byte
and the child reads the clock as soon as its read returns. Prints the median and the spread of the
microseconds from the parent's write to the child's return, per size. Needs nothing but Python; no
packets are sent.

Why: on this project's development VM (Firecracker, PVM, 2026-12-02) the cost grew with the memory
held in its slow state (0 MiB 0.1-0.2 ms, 80 MiB 0.7-1 ms) and hardly in its fast one (80 MiB 0.14-0.24
ms), and a quiet ping to vnet4j took 0.8-1 ms in the one and 0.2 in the other (docs/benchmarks.md,
twentieth pass). The cost is charged to a process none of whose threads ran for a few hundred ms, which is
why vnet4j's daemons keep a thread waking every 200 ms (KeepWarm, twenty-first pass); the child here has
no such thread. Run this beside bench/latency-vs-peers.sh to know which state a run met.
"""
import mmap
import os
import statistics
import sys
import time


def wake_costs(mib, rounds):
    """The microseconds of `rounds` wake-ups of a child holding `mib` MiB, each after 1 s asleep."""
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        if mib:
            memory = mmap.mmap(-1, mib << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
            for at in range(0, len(memory), 4096):
                memory[at] = 1
        os.write(to_parent_w, b"r")
        while os.read(to_child_r, 1) == b"x":
            woke = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
            os.write(to_parent_w, str(woke).encode().ljust(32))
        os._exit(0)
    os.read(to_parent_r, 1)
    costs = []
    for _ in range(rounds):
        time.sleep(1)
        sent = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        os.write(to_child_w, b"x")
        costs.append((int(os.read(to_parent_r, 32)) - sent) / 1000)
    os.write(to_child_w, b"q")
    os.waitpid(pid, 0)
    for fd in (to_child_r, to_child_w, to_parent_r, to_parent_w):
        os.close(fd)
    return costs


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    sizes = [int(a) for a in sys.argv[2:]] or [0, 80]
    results = {size: [] for size in sizes}
    for _ in range(2):
        for size in sizes:
            results[size] += wake_costs(size, rounds // 2 or 1)
    for size in sizes:
        costs = sorted(results[size])
        print(f"{size:5d} MiB held: woken in {statistics.median(costs):6.0f} us "
              f"[{costs[0]:.0f}-{costs[-1]:.0f}] ({len(costs)} wake-ups after 1 s asleep)")


if __name__ == "__main__":
    main()
