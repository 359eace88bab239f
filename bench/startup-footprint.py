#!/usr/bin/env python3
"""Start-up time, the first ping, idle footprint and idle CPU of the daemon, side by side with slirp4netns
(needs root, slirp4netns, iproute2, busybox). Everything runs on this machine: a stream listener in a
temporary directory, and namespaces this script creates and deletes.

  [AGAINST=OTHER_CHECKOUT] bench/startup-footprint.py [STARTS]

1. start to "ready" on standard error, median of STARTS (default 7): bin/vnet4j (the launcher: AOT cache,
   serial collector) and plain `java -jar target/vnet4j.jar` (neither), both --no-warm-up and with
   `-netdev user -netdev stream` (the default network's shape, in a temporary directory); with AGAINST,
   also that checkout's bin/vnet4j (an A/B: build it first with its `bin/vnet4j --version`); the
   contenders take turns, one start each per round;
2. resident set (VmRSS) and CPU of an idle daemon: 15 s after start (after its warm-up), then the CPU
   it uses over the next 20 s and how often its threads were woken (the scheduler's own accounting,
   /proc/PID/task/*/schedstat: on a virtual machine each wake-up of an idle CPU costs far more than the
   work it does, and the tick-sampled utime and stime miss short runs); the same for slirp4netns -c in
   a namespace;
1b. the slirp4netns drop-in (bin/vnet4j-slirp4netns, as rootlesskit and Podman start it) and slirp4netns itself,
   from spawning `-c -r FD --netns-type=path NS tap0` on a namespace made for each start to the "1" on the
   ready descriptor, in turns; with AGAINST, that checkout's drop-in too;
1c. the first ping after a start: bin/vnet4j (with its warm-up, as a user runs it) with a user network and
   a TAP configured in a namespace made for each start (and AGAINST's), and slirp4netns -c, in turns; at
   "ready" (vnet4j's line; slirp4netns's ready descriptor) one ping to the gateway from the namespace at
   once, one more a second later (busybox ping; the gateway answers itself: nothing leaves the machine);
3. the resident set each further idle VM port costs: 20 unix stream clients connect to the listener
   and stay idle; (RSS after - RSS before) / 20.
"""
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STARTS = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def java():
    return subprocess.run([os.path.join(HERE, "bin/vnet4j"), "--print-java"], capture_output=True, text=True,
                          check=True).stdout.strip()


def start(command):
    """Starts the daemon; returns (process, milliseconds to its "ready" line)."""
    t0 = time.monotonic()
    p = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in p.stderr:
        if line.strip().endswith("ready"):
            return p, (time.monotonic() - t0) * 1000
    raise SystemExit("no ready line from " + " ".join(command))


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()


def dropin_start(command):
    """Milliseconds from spawning slirp4netns's command line on a namespace made for it to the "1" on its
    ready descriptor; then stops it and deletes the namespace."""
    ns = "vnbench-start-dropin"
    p, ms = benchlib.start_in_namespace(command, ns)
    stop(p)
    subprocess.run(["ip", "netns", "del", ns])
    return ms


def ping_once(ns):
    """One busybox ping from namespace `ns` to the gateway 10.0.2.2: its round trip in ms (nan: no answer)."""
    out = subprocess.run(["ip", "netns", "exec", ns, "busybox", "ping", "-c", "1", "-W", "2", "10.0.2.2"],
                         capture_output=True, text=True).stdout
    m = re.search(r"time=([0-9.]+) ms", out)
    return float(m.group(1)) if m else float("nan")


def first_pings(command):
    """`command` (a bin/vnet4j, or "slirp4netns") serving a TAP configured in a namespace made for it: the
    round trips in ms of a ping to the gateway at "ready" and of one a second later."""
    ns = "vnbench-first-ping"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    p = None
    r = None
    try:
        if command == "slirp4netns":
            r, w = os.pipe()
            p = subprocess.Popen([command, "-c", "-r", str(w), "--netns-type=path", "/run/netns/" + ns, "tap0"],
                                 pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.close(w)
            if os.read(r, 1) != b"1":
                raise SystemExit("slirp4netns wrote no ready byte")
        else:
            p = subprocess.Popen([command, "--control", "none", "-netdev", "user,id=u,ipv6=off", "-netdev",
                                  "tap,id=t,ifname=tap0,netns=/run/netns/" + ns + ",configure=on"],
                                 stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
            if not any(line.strip().endswith("ready") for line in p.stderr):
                raise SystemExit("no ready line from " + command)
        first = ping_once(ns)
        time.sleep(1)
        return first, ping_once(ns)
    finally:
        if p is not None:
            stop(p)
        if r is not None:
            os.close(r)
        subprocess.run(["ip", "netns", "del", ns])


def jvm_pid(p):
    """The JVM's pid: the launcher execs java, so it is the launcher's pid."""
    return p.pid


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_time(pid):
    """Per thread id: nanoseconds on a CPU and times run (each wake-up is one) so far."""
    threads = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                fields = f.read().split()
        except OSError:
            continue  # the thread ended
        threads[task] = (int(fields[0]), int(fields[2]))
    return threads


def idle(pid, seconds=20):
    """Percent of one core used over `seconds`, and the threads' runs (wake-ups) per second: per thread,
    what it added (a thread that started in between counts whole; one that ended is lost, and said)."""
    before = run_time(pid)
    time.sleep(seconds)
    after = run_time(pid)
    nanos = sum(n - before.get(t, (0, 0))[0] for t, (n, _) in after.items())
    runs = sum(r - before.get(t, (0, 0))[1] for t, (_, r) in after.items())
    ended = len(set(before) - set(after))
    if ended:
        print(f"   ({ended} thread(s) ended during the {seconds} s: their share is not counted)")
    return nanos / 1e7 / seconds, runs / seconds


def main():
    subprocess.run([os.path.join(HERE, "bin/vnet4j"), "--version"], capture_output=True, check=True)
    jar = os.path.join(HERE, "target/vnet4j.jar")
    contenders = {"bin/vnet4j": [os.path.join(HERE, "bin/vnet4j")],
                  "java -jar": [java(), "--enable-native-access=ALL-UNNAMED", "-jar", jar]}
    if os.environ.get("AGAINST"):
        contenders[os.environ["AGAINST"] + "/bin/vnet4j"] = [os.path.join(os.environ["AGAINST"], "bin/vnet4j")]
    results = {name: [] for name in contenders}
    for _ in range(STARTS):
        for name, prefix in contenders.items():
            d = tempfile.mkdtemp(prefix="vnbench-start-")
            p, ms = start(prefix + ["--no-warm-up"] + benchlib.default_network(d))
            results[name].append(ms)
            stop(p)
            shutil.rmtree(d, ignore_errors=True)
    print(f"\n1. start to ready, ms (median [min-max] of {STARTS})")
    for name, times in results.items():
        print(f"   {name:12s} {statistics.median(times):6.0f} [{min(times):.0f}-{max(times):.0f}]")

    print(f"\n1b. the slirp4netns drop-in, spawned to its --ready-fd, ms (median [min-max] of {STARTS})")
    dropins = {"bin/vnet4j-slirp4netns": os.path.join(HERE, "bin/vnet4j-slirp4netns"), "slirp4netns": "slirp4netns"}
    if os.environ.get("AGAINST"):
        dropins[os.environ["AGAINST"] + "/bin/vnet4j-slirp4netns"] = os.path.join(os.environ["AGAINST"],
                                                                                  "bin/vnet4j-slirp4netns")
    ready = {name: [] for name in dropins}
    for _ in range(STARTS):
        for name, command in dropins.items():
            ready[name].append(dropin_start(command))
    for name, times in ready.items():
        print(f"   {name:24s} {statistics.median(times):6.0f} [{min(times):.0f}-{max(times):.0f}]")

    print(f"\n1c. the first ping after a start, ms: at ready, and 1 s later (median [min-max] of {STARTS})")
    pingers = {"bin/vnet4j": os.path.join(HERE, "bin/vnet4j"), "slirp4netns": "slirp4netns"}
    if os.environ.get("AGAINST"):
        pingers[os.environ["AGAINST"] + "/bin/vnet4j"] = os.path.join(os.environ["AGAINST"], "bin/vnet4j")
    pings = {name: ([], []) for name in pingers}
    for _ in range(STARTS):
        for name, command in pingers.items():
            first, later = first_pings(command)
            pings[name][0].append(first)
            pings[name][1].append(later)
    for name, (first, later) in pings.items():
        print(f"   {name:24s} {statistics.median(first):7.3f} [{min(first):.3f}-{max(first):.3f}]"
              f"   {statistics.median(later):7.3f} [{min(later):.3f}-{max(later):.3f}]")

    print("\n2. idle: resident set 15 s after start, then CPU and wake-ups over 20 s")
    for name, extra in (("bin/vnet4j", []), ("bin/vnet4j --no-warm-up", ["--no-warm-up"])):
        d = tempfile.mkdtemp(prefix="vnbench-idle-")
        p, _ = start([os.path.join(HERE, "bin/vnet4j")] + extra + benchlib.default_network(d))
        time.sleep(15)
        rss = rss_mb(jvm_pid(p))
        cpu, wakes = idle(jvm_pid(p))
        if not extra:
            before = rss_mb(jvm_pid(p))
            clients = []
            for _ in range(20):
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                c.connect(os.path.join(d, "vms.sock"))
                clients.append(c)
            time.sleep(3)
            per_port = (rss_mb(jvm_pid(p)) - before) / 20
            for c in clients:
                c.close()
        stop(p)
        shutil.rmtree(d, ignore_errors=True)
        print(f"   {name:26s} {rss:6.1f} MB   {cpu:5.2f}% of a core, {wakes:4.1f} wake-ups/s")
    ns = "vnbench-idle-slirp"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        s = subprocess.Popen(["slirp4netns", "-c", "--netns-type=path", "/run/netns/" + ns, "tap0"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(15)
        rss = rss_mb(s.pid)
        cpu, wakes = idle(s.pid)
        stop(s)
        print(f"   {'slirp4netns -c':26s} {rss:6.1f} MB   {cpu:5.2f}% of a core, {wakes:4.1f} wake-ups/s")
    finally:
        subprocess.run(["ip", "netns", "del", ns])
    print(f"\n3. each further idle VM port (20 stream clients): {per_port * 1024:.0f} KiB of resident set")


if __name__ == "__main__":
    main()
