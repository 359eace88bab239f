#!/usr/bin/env python3
"""The resident set that open NAT'd TCP connections cost, vnet4j and slirp4netns side by side (needs root,
slirp4netns, iproute2, python3).

  bench/connections-rss.py [CONNECTIONS]

Each contender serves a network namespace this script creates (vnconn) through a TAP. After SETTLE seconds
(environment, default 40: vnet4j's warm-up is over and its heap trimmed; at 15 s, the default until the
fifty-third pass, the warm-up's memory was not yet given back, and the difference came out below zero)
its resident set (VmRSS) is read;
then a client inside the namespace opens CONNECTIONS (default 1000) TCP connections through the NAT to a
server on the host's 127.0.0.1, sends one request of 100 bytes on each and reads its echo, and keeps them
all open and idle; 3 s later the resident set is read again. The figure is the difference: the memory the
open connections hold (heap, direct buffers and native memory alike), and per connection.
Everything stays on this machine: loopback and the namespace, which is deleted at the end.
"""
import os
import resource
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NS = "vnconn"
SETTLE = float(os.environ.get("SETTLE", "40"))

CLIENT = r"""
import resource, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
n, port = int(sys.argv[1]), int(sys.argv[2])
held = []
for i in range(n):
    s = socket.create_connection(("10.0.2.2", port), timeout=10)
    s.sendall(b"x" * 100)
    got = b""
    while len(got) < 100:
        got += s.recv(100 - len(got))
    held.append(s)
print("open", flush=True)
sys.stdin.read()
"""


def rss_kib(pid):
    """The resident set of pid (bin/vnet4j execs java, so the launcher's pid is the JVM's)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def serve(listener, conns):
    while True:
        try:
            c, _ = listener.accept()
        except OSError:
            return
        conns.append(c)
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def echo(c):
    try:
        while True:
            data = c.recv(4096)
            if not data:
                return
            c.sendall(data)
    except OSError:
        return


def wait_route():
    for _ in range(150):
        out = subprocess.run(["ip", "netns", "exec", NS, "ip", "route"], capture_output=True, text=True).stdout
        if out.startswith("default") or "\ndefault" in out:
            return
        time.sleep(0.1)
    raise RuntimeError("the namespace never got its default route")


def measure(tool, n, port):
    subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
    subprocess.run(["ip", "netns", "add", NS], check=True)
    if tool == "vnet4j":
        cmd = [os.path.join(ROOT, "bin", "vnet4j"), "-netdev", "user,id=u,ipv6=off",
               "-netdev", f"tap,id=t,ifname=tap0,netns=/run/netns/{NS},configure=on"]
    else:
        cmd = ["slirp4netns", "-c", "--netns-type=path", f"/run/netns/{NS}", "tap0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_route()
        time.sleep(SETTLE)
        before = rss_kib(proc.pid)
        client = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, "-c", CLIENT, str(n), str(port)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = client.stdout.readline().strip()
        if line != "open":
            raise RuntimeError(f"{tool}: the client did not open its connections")
        time.sleep(3)
        after = rss_kib(proc.pid)
        client.stdin.close()
        client.wait(timeout=30)
        return before, after
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    subprocess.run([os.path.join(ROOT, "bin", "vnet4j"), "--version"], stdout=subprocess.DEVNULL, check=True)
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    port = listener.getsockname()[1]
    conns = []
    threading.Thread(target=serve, args=(listener, conns), daemon=True).start()
    print(f"{n} open, idle TCP connections through the NAT (each carried 100 bytes each way); resident set in MiB")
    print(f"{'contender':12s} {'idle':>8s} {'with them':>10s} {'difference':>11s} {'per connection':>15s}")
    for tool in ("vnet4j", "slirp4netns"):
        before, after = measure(tool, n, port)
        for c in conns:
            c.close()
        conns.clear()
        print(f"{tool:12s} {before / 1024:8.1f} {after / 1024:10.1f} {(after - before) / 1024:11.1f} "
              f"{(after - before) / n:12.1f} KiB")


if __name__ == "__main__":
    main()
