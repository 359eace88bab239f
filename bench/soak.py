#!/usr/bin/env python3
"""A long run of mixed traffic and run-time changes against one daemon, sampling what it holds (needs root,
iproute2, iputils ping, curl, python3; dnsmasq for the DNS part, skipped when absent).

  bench/soak.py [MINUTES] [SAMPLE_SECONDS]

The daemon (bin/vnet4j, default 30 minutes, a sample every 30 s) serves a network namespace this script
creates (vnsoak) through a `configure=on` TAP, with a control socket and `--http` on loopback. Inside the
namespace, at once: pings to the gateway 5 a second; TCP connect-request-close to a host echo server through
the NAT (10.0.2.2 is the host's loopback), about 40 a second; a 16 MiB download every 20 s; DNS queries for
names of a local dnsmasq (the user network's dns-upstream=, on 127.0.0.1), 10 a second. From outside: every
5 s a stream netdev added and deleted, a capture started and stopped, a host forward added and removed;
`/metrics` and `/api/network` scraped every 2 s.

Each sample is the daemon's resident set (VmRSS), open descriptors, threads and CPU seconds, and the
workload's failures so far. The verdict compares the first sample after the warm-up (the fifth minute, or
the first third of a shorter run) with the last: a daemon that keeps what it no longer needs grows.
Everything stays on this machine: loopback and the namespace, which is deleted at the end.
"""
import http.server
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NS = "vnsoak"
BLOB = 16 << 20

failures = {"download": 0, "control": 0, "scrape": 0}
done = {"download": 0, "control": 0, "scrape": 0}
lock = threading.Lock()
stop = threading.Event()


def count(table, what, n=1):
    with lock:
        table[what] += n


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return int(fields["VmRSS"][0]) // 1024, len(os.listdir(f"/proc/{pid}/fd")), int(fields["Threads"][0]), cpu


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(4096)
        if data:
            self.request.sendall(data)


class Blob(http.server.BaseHTTPRequestHandler):
    payload = os.urandom(1 << 20) * (BLOB >> 20)

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def in_ns(*command):
    return ["ip", "netns", "exec", NS, *command]


def repeat(period, action):
    """Runs action every `period` seconds until the end, on a thread of its own."""
    def loop():
        while not stop.wait(period):
            action()
    threading.Thread(target=loop, daemon=True).start()


def run_quietly(command, what, timeout=20):
    try:
        ok = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout).returncode == 0
    except subprocess.TimeoutExpired:
        ok = False
    count(done if ok else failures, what)
    return ok


TCP_CLIENT = r"""
import socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + seconds
ok = bad = 0
while time.monotonic() < end:
    try:
        with socket.create_connection(("10.0.2.2", port), timeout=5) as s:
            s.sendall(b"x" * 512)
            got = b""
            while len(got) < 512:
                chunk = s.recv(512 - len(got))
                if not chunk:
                    break
                got += chunk
            ok, bad = (ok + 1, bad) if len(got) == 512 else (ok, bad + 1)
    except OSError:
        bad += 1
    time.sleep(0.025)
print(ok, bad)
"""

DNS_CLIENT = r"""
import os, socket, struct, sys, time
seconds = float(sys.argv[1])
end = time.monotonic() + seconds
ok = bad = 0
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
n = 0
while time.monotonic() < end:
    n += 1
    qid = n & 0xFFFF
    name = b"".join(bytes([len(p)]) + p for p in (b"n%d" % (n % 1000), b"soak", b"test")) + b"\0"
    s.sendto(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + name + struct.pack("!HH", 1, 1), ("10.0.2.3", 53))
    try:
        while True:
            reply = s.recv(512)
            if struct.unpack("!H", reply[:2])[0] == qid:
                break
        ok, bad = (ok + 1, bad) if struct.unpack("!H", reply[6:8])[0] > 0 else (ok, bad + 1)
    except OSError:
        bad += 1
    time.sleep(0.1)
print(ok, bad)
"""


def main():
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 30
    sample = float(sys.argv[2]) if len(sys.argv) > 2 else 30
    work = tempfile.mkdtemp(prefix="vnet4j-soak-")
    echo = Server(("127.0.0.1", 0), Echo)
    blob = Server(("127.0.0.1", 0), Blob)
    for server in (echo, blob):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    dns_port = free_port(socket.SOCK_DGRAM)
    dnsmasq = None
    if shutil.which("dnsmasq"):
        dnsmasq = subprocess.Popen(["dnsmasq", "-k", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                                    "--listen-address=127.0.0.1", "--bind-interfaces", f"--port={dns_port}",
                                    "--address=/soak.test/192.0.2.77", "--pid-file=" + os.path.join(work, "dnsmasq.pid")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    http_port = free_port()
    control = os.path.join(work, "control.sock")
    subprocess.run(["ip", "netns", "add", NS], check=True)
    daemon = None
    try:
        user = "user,id=u" + (f",dns-upstream=127.0.0.1:{dns_port}" if dnsmasq else "")
        log = open(os.path.join(work, "daemon.log"), "w")
        daemon = subprocess.Popen([os.path.join(ROOT, "bin", "vnet4j"), "--control", control,
                                   "--http", f"127.0.0.1:{http_port}", "-netdev", user, "-netdev",
                                   f"tap,id=t,ifname=tap0,netns=/run/netns/{NS},configure=on"],
                                  stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while subprocess.run(in_ns("ping", "-c", "1", "-W", "1", "10.0.2.2"), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL).returncode != 0:
            time.sleep(0.1)
            if time.monotonic() > deadline or daemon.poll() is not None:
                raise SystemExit("the daemon did not answer pings in 60 s; its log: " + log.name)
        seconds = minutes * 60
        pinger = subprocess.Popen(in_ns("ping", "-q", "-i", "0.2", "-w", str(int(seconds)), "10.0.2.2"),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        tcp = subprocess.Popen(in_ns("python3", "-c", TCP_CLIENT, str(echo.server_address[1]), str(seconds)),
                               stdout=subprocess.PIPE, text=True)
        dns = subprocess.Popen(in_ns("python3", "-c", DNS_CLIENT, str(seconds)), stdout=subprocess.PIPE,
                               text=True) if dnsmasq else None
        repeat(20, lambda: run_quietly(in_ns("curl", "-sf", "-o", "/dev/null", f"http://10.0.2.2:{blob.server_address[1]}/"),
                                       "download", 60))
        ctl = [os.path.join(ROOT, "bin", "vnet4j"), "ctl", "--control", control]
        sock = os.path.join(work, "churn.sock")
        pcap = os.path.join(work, "churn.pcap")
        fwd = free_port()

        def churn():
            steps = [["netdev_add", f"stream,id=churn,server=on,addr.type=unix,addr.path={sock}"],
                     ["capture", "start", "t", pcap], ["hostfwd_add", f"tcp:127.0.0.1:{fwd}-10.0.2.100:80"],
                     ["hostfwd_remove", f"tcp:127.0.0.1:{fwd}"], ["capture", "stop", "t"], ["netdev_del", "churn"]]
            for step in steps:
                run_quietly(ctl + step, "control")
        repeat(5, churn)

        def scrape():
            for path in ("/metrics", "/api/network"):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}{path}", timeout=10) as r:
                        r.read()
                    count(done, "scrape")
                except OSError:
                    count(failures, "scrape")
        repeat(2, scrape)

        pid = daemon.pid
        t0 = time.monotonic()
        warm = min(300, seconds / 3)
        rows = []
        print("minute  RSS MB  fds  threads  CPU s  failures", flush=True)
        while time.monotonic() - t0 < seconds and daemon.poll() is None:
            time.sleep(sample)
            rss, fds, threads, cpu = proc_status(pid)
            m = (time.monotonic() - t0) / 60
            rows.append((m, rss, fds, threads, cpu))
            with lock:
                bad = ", ".join(f"{k} {v}" for k, v in failures.items() if v)
            print(f"{m:6.1f}  {rss:6d}  {fds:3d}  {threads:7d}  {cpu:5.1f}  {bad or '-'}", flush=True)
        stop.set()
        ping_out = pinger.communicate(timeout=30)[0]
        tcp_out = tcp.communicate(timeout=30)[0].split()
        dns_out = dns.communicate(timeout=30)[0].split() if dns else ["-", "-"]
        if daemon.poll() is not None:
            raise SystemExit(f"the daemon ended (exit {daemon.returncode}); its log: {log.name}")
        after = [r for r in rows if r[0] * 60 >= warm] or rows
        first, last = after[0], rows[-1]
        loss = next((l for l in ping_out.splitlines() if "packet loss" in l), ping_out.strip())
        print(f"\npings: {loss}")
        print(f"TCP transactions: {tcp_out[0]} done, {tcp_out[1]} failed; DNS queries: {dns_out[0]} answered, "
              f"{dns_out[1]} failed")
        print("done: " + ", ".join(f"{k} {v}" for k, v in done.items()))
        print("failed: " + ", ".join(f"{k} {v}" for k, v in failures.items()))
        print(f"from minute {first[0]:.1f} to {last[0]:.1f}: RSS {first[1]} -> {last[1]} MB ({last[1] - first[1]:+d}), "
              f"fds {first[2]} -> {last[2]}, threads {first[3]} -> {last[3]}, "
              f"CPU {(last[4] - first[4]) / ((last[0] - first[0]) * 60 or 1) * 100:.1f}% of a core")
        warnings = sum(1 for line in open(log.name) if "warning" in line)
        print(f"daemon log: {log.name} ({warnings} warning lines)")
    finally:
        stop.set()
        if daemon is not None and daemon.poll() is None:
            daemon.terminate()
            daemon.wait(30)
        if dnsmasq is not None:
            dnsmasq.terminate()
        subprocess.run(["ip", "netns", "del", NS])


if __name__ == "__main__":
    main()
