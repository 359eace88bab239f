#!/usr/bin/env python3
"""What each further network costs in memory when many run on one host, as a container runtime runs one per
container: N daemons of each contender at once, idle, side by side with N slirp4netns (needs root,
slirp4netns, iproute2). Everything runs on this machine, in temporary directories and namespaces this script
creates and deletes.

  [JVM_OPTIONS="-XX:..."] bench/many-daemons.py [N] [SETTLE_S]

For each contender, one after another: N instances started one by one (each to its ready signal), then
SETTLE_S seconds idle (default 45: N warm-ups at once on two cores end later than one, and the JVM hands
the compilers' freed memory back at its next native-heap trim, every 10 s; at 25 s some had not), then each
process's /proc/PID/smaps_rollup, and the host's MemAvailable before the first start and after the settle:

- Rss: the resident set, what `ps` counts; pages shared with other processes (the
  JVM's libjvm.so text, the AOT cache's unwritten pages, libc) count whole in each process;
- Pss: each shared page divided among the processes that map it (N daemons share libjvm's text);
- Uss (Private_Clean + Private_Dirty): the pages this process alone maps, what one more instance adds to a
  host that already runs one (its shared pages are there already);
- MemAvailable drop / N: the host's own accounting (noisy: the page cache and other processes move it).

Contenders: `bin/vnet4j` with the default network's shape (`-netdev user -netdev stream`, its warm-up on),
the same with JVM_OPTIONS through JDK_JAVA_OPTIONS when given, the slirp4netns drop-in
(`bin/vnet4j-slirp4netns -c -r FD --netns-type=path NS tap0`, as rootlesskit and Podman start it, one
namespace each), and slirp4netns with the same command line.
"""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import benchlib

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 4
SETTLE_S = float(sys.argv[2]) if len(sys.argv) > 2 else 45


def mem_available_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    raise SystemExit("no MemAvailable in /proc/meminfo")


def rollup_kib(pid):
    """Rss, Pss and Uss of a process in KiB, from /proc/PID/smaps_rollup."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return fields["Rss"], fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"]


class Daemon:
    """One started instance: its process, and what to delete once it ended."""

    def __init__(self, process, directory=None, namespace=None):
        self.process, self.directory, self.namespace = process, directory, namespace

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
        if self.namespace:
            subprocess.run(["ip", "netns", "del", self.namespace])


def start_network(extra_env, index):
    """bin/vnet4j with the default network's shape, to its "ready" line (the launcher execs java: the
    launcher's pid is the JVM's)."""
    d = tempfile.mkdtemp(prefix=f"vnbench-many-{index}-")
    env = dict(os.environ, **extra_env)
    p = subprocess.Popen([os.path.join(HERE, "bin/vnet4j")] + benchlib.default_network(d),
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    for line in p.stderr:
        if line.strip().endswith("ready"):
            # the rest of its standard error is read and dropped, so that a full pipe never blocks it
            threading.Thread(target=p.stderr.read, daemon=True).start()
            return Daemon(p, directory=d)
    p.wait()
    shutil.rmtree(d, ignore_errors=True)
    raise SystemExit("no ready line from bin/vnet4j")


def start_in_namespace(command, index):
    """slirp4netns's command line on a namespace made for it, to the "1" on its ready descriptor."""
    ns = f"vnbench-many-{index}"
    p, _ = benchlib.start_in_namespace(command, ns)
    return Daemon(p, namespace=ns)


def measure(name, starter):
    available_before = mem_available_kib()
    daemons = []
    try:
        for i in range(N):
            daemons.append(starter(i))
        time.sleep(SETTLE_S)
        rows = [rollup_kib(d.process.pid) for d in daemons]
        available_after = mem_available_kib()
    finally:
        for d in daemons:
            d.stop()
    rss, pss, uss = (statistics.median(column) / 1024 for column in zip(*rows))
    drop = (available_before - available_after) / 1024 / N
    print(f"   {name:34s} {rss:6.1f} {pss:6.1f} {uss:6.1f} {drop:8.1f}", flush=True)


def main():
    missing = [tool for tool in ("slirp4netns", "ip") if shutil.which(tool) is None]
    if missing or os.geteuid() != 0:
        raise SystemExit("many-daemons.py needs root and slirp4netns and ip on PATH"
                         + (f" (missing: {', '.join(missing)})" if missing else ""))
    subprocess.run([os.path.join(HERE, "bin/vnet4j"), "--version"], capture_output=True, check=True)
    print(f"{N} idle instances of each at once, {SETTLE_S:.0f} s after the last start; MB, median per process")
    print(f"   {'':34s} {'Rss':>6s} {'Pss':>6s} {'Uss':>6s} {'Avail/N':>8s}")
    measure("bin/vnet4j", lambda i: start_network({}, i))
    options = os.environ.get("JVM_OPTIONS")
    if options:
        measure("bin/vnet4j " + options, lambda i: start_network({"JDK_JAVA_OPTIONS": options}, i))
    measure("bin/vnet4j-slirp4netns", lambda i: start_in_namespace(os.path.join(HERE, "bin/vnet4j-slirp4netns"), i))
    measure("slirp4netns", lambda i: start_in_namespace("slirp4netns", i))


if __name__ == "__main__":
    main()
