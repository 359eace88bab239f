#!/usr/bin/env python3
"""DNS lookups from a guest's namespace, for bench/dns-vs-peers.sh.

  dns-rr.py SERVER NAME COUNT

Asks SERVER (port 53) for NAME's A record COUNT times in each of three shapes, one after another:
  udp  a query in one datagram from a new socket (a new source port, as glibc and musl use per lookup);
  crr  DNS over TCP: connect, one query, close (glibc's `options use-vc`, a truncated answer's retry);
  rr   DNS over TCP: queries one after another over one connection (dig +tcp +keepopen, a forwarder); a
       connection the server ends is replaced, and the query that met the end not timed.
Prints one line: "first_udp_ms udp_median_ms crr_median_ms rr_median_ms", the first being the very first
lookup (what a quiet network's first lookup pays), the medians over the last nine tenths of each shape.
Every answer is checked (its id, NOERROR, an answer record); a query left unanswered 2 s, or refused, fails
its shape, which prints "-" (and why, on standard error).
"""
import socket
import statistics
import struct
import sys
import time


def query(qid, name):
    q = struct.pack('>HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    for label in name.split('.'):
        q += bytes([len(label)]) + label.encode()
    return q + b'\0' + struct.pack('>HH', 1, 1)


def check(answer, qid):
    if (len(answer) < 12 or struct.unpack('>H', answer[:2])[0] != qid or answer[3] & 0x0f != 0
            or struct.unpack('>H', answer[6:8])[0] < 1):
        raise ValueError("a bad answer to query %d: %r" % (qid, answer[:32]))


def read_exactly(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def ask_tcp(sock, qid, name):
    q = query(qid, name)
    sock.sendall(struct.pack('>H', len(q)) + q)
    check(read_exactly(sock, struct.unpack('>H', read_exactly(sock, 2))[0]), qid)


def tcp_connection(server):
    sock = socket.create_connection((server, 53), timeout=2)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def timed(f):
    start = time.perf_counter()
    f()
    return (time.perf_counter() - start) * 1000


def udp_lookup(server, qid, name):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(query(qid, name), (server, 53))
        check(sock.recv(4096), qid)


def crr_lookup(server, qid, name):
    with tcp_connection(server) as sock:
        ask_tcp(sock, qid, name)


def median(samples):
    return statistics.median(samples[len(samples) // 10:])


def shape(what, lookups):
    """The round trips of a shape's lookups, ms; None (said on standard error) when one failed."""
    try:
        return lookups()
    except (OSError, EOFError, ValueError) as e:
        print("dns-rr.py: %s: %s" % (what, str(e) or type(e).__name__), file=sys.stderr)
        return None


def rr_lookups(server, name, count):
    """Queries over one connection; when the server ends it (dnsmasq does after a number of queries), the next
    goes over a new one and is not timed."""
    samples = []
    sock = tcp_connection(server)
    try:
        for i in range(count):
            try:
                samples.append(timed(lambda: ask_tcp(sock, i, name)))
            except (EOFError, ConnectionResetError):
                sock.close()
                sock = tcp_connection(server)
    finally:
        sock.close()
    return samples


def main():
    server, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    udp = shape("udp", lambda: [timed(lambda i=i: udp_lookup(server, i, name)) for i in range(count)])
    crr = shape("crr", lambda: [timed(lambda i=i: crr_lookup(server, i, name)) for i in range(count)])
    rr = shape("rr", lambda: rr_lookups(server, name, count))
    text = lambda v: "-" if v is None else "%.3f" % v
    print(" ".join(text(v) for v in (udp and udp[0], udp and median(udp), crr and median(crr), rr and median(rr))))


if __name__ == '__main__':
    main()
