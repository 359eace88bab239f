#!/usr/bin/env python3
"""TCP request/response, netperf's TCP_RR and TCP_CRR shapes, for bench/latency-vs-peers.sh.

  tcp-rr.py server ADDR PORT            echo server (one thread per connection): every request of SIZE
                                        bytes gets SIZE bytes back; SIZE is the first byte's value
                                        class (see below), so one server serves every mode
  tcp-rr.py client ADDR PORT MODE SECS  MODE rr1 (1-byte transactions over one connection), rr1k
                                        (1 KiB), crr (connect, 1-byte request, response, close);
                                        prints "transactions_per_second mean_round_trip_us"

A request's first byte says its size: 0x01 a 1-byte request, 0x02 a 1024-byte one. Blocking sockets with
TCP_NODELAY, as netperf's RR tests use; the client's own cost is the same for every contender.
"""
import socket
import sys
import threading
import time

SIZES = {1: 1, 2: 1024}


def read_exactly(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve_one(conn):
    with conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            first = conn.recv(1)
            if not first:
                return
            size = SIZES.get(first[0], 1)
            rest = read_exactly(conn, size - 1) if size > 1 else b""
            if rest is None:
                return
            conn.sendall(first + rest)


def server(addr, port):
    listener = socket.create_server((addr, port), backlog=128, reuse_port=False)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_one, args=(conn,), daemon=True).start()


def connect(addr, port):
    s = socket.create_connection((addr, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def client(addr, port, mode, secs):
    done = 0
    end = time.monotonic() + secs
    if mode == "crr":
        request = b"\x01"
        start = time.monotonic()
        while time.monotonic() < end:
            with connect(addr, port) as s:
                s.sendall(request)
                if read_exactly(s, 1) is None:
                    raise SystemExit("connection closed early")
            done += 1
    else:
        request = b"\x01" if mode == "rr1" else b"\x02" * 1024
        with connect(addr, port) as s:
            start = time.monotonic()
            while time.monotonic() < end:
                s.sendall(request)
                if read_exactly(s, len(request)) is None:
                    raise SystemExit("connection closed early")
                done += 1
    elapsed = time.monotonic() - start
    print("%.0f %.1f" % (done / elapsed, elapsed / max(done, 1) * 1e6))


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(sys.argv[2], int(sys.argv[3]))
    else:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
