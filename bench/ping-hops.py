#!/usr/bin/env python3
"""The hops of each ping in a `perf script` trace of bench/ping-hops.sh, as median and 90th-percentile microseconds
(the 90th shows where a run of slow pings spends its time: on the development VM a quiet daemon's slow pings took
their extra time between poll's return and the read, docs/benchmarks.md, fiftieth pass).

  perf script -i DATA | bench/ping-hops.py SERVER_THREAD_NAME

A ping is followed from busybox's sendto: the server thread's wake-up, its switch in, poll's (or
epoll_wait's) return, its
read, its write (the echo reply), and busybox's recvfrom returning with the reply. Other processes' events
(perf's own writes among them) are ignored; a ping whose events are not all found is skipped.
"""
import re
import statistics
import sys

HOPS = ["guest's sendto -> server thread woken", "woken -> running", "running -> poll returns",
        "poll returns -> read enters",
        "read (system call)", "read returns -> write enters (the server's processing)",
        "write (system call, runs the guest's receive path)", "write returns -> the guest has the reply",
        "total: sendto enters -> recvfrom returns"]
LINE = re.compile(r'\s*(\S+)\s+(\d+)\s+\[\d+\]\s+([\d.]+):\s+(\S+):\s*(.*)')
INTERRUPTED = '0xfffffffffffffe00'  # recvfrom's -ERESTARTSYS on the ping timer's signal


def events(lines, server):
    for line in lines:
        m = LINE.match(line)
        if m and (m.group(1) in ('busybox', server) or m.group(1).startswith('swapper')):
            yield float(m.group(3)) * 1e6, m.group(1), m.group(4), m.group(5)


def pings(ev, server):
    i = 0
    while i < len(ev):
        t0, comm, name, _ = ev[i]
        i += 1
        if comm != 'busybox' or name != 'syscalls:sys_enter_sendto':
            continue
        s = {}
        j = i
        while j < len(ev) and j < i + 60:
            t, c, n, rest = ev[j]
            j += 1
            if 'wake' not in s:
                if n == 'sched:sched_wakeup' and 'comm=' + server in rest:
                    s['wake'] = t
            elif c == server and n in ('syscalls:sys_exit_poll', 'syscalls:sys_exit_epoll_wait') and 'pollx' not in s:
                s['pollx'] = t
            elif n == 'sched:sched_switch' and 'next_comm=' + server in rest and 'run' not in s:
                s['run'] = t
            elif c == server and n == 'syscalls:sys_enter_read' and 'pollx' in s and 'rd' not in s:
                s['rd'] = t
            elif c == server and n == 'syscalls:sys_exit_read' and 'rd' in s and 'rdx' not in s:
                s['rdx'] = t
            elif c == server and n == 'syscalls:sys_enter_write' and 'rdx' in s and 'wr' not in s:
                s['wr'] = t
            elif c == server and n == 'syscalls:sys_exit_write' and 'wr' in s and 'wrx' not in s:
                s['wrx'] = t
            elif c == 'busybox' and n == 'syscalls:sys_exit_recvfrom' and 'wr' in s and rest.strip() != INTERRUPTED:
                s['done'] = t
            if 'done' in s and 'wrx' in s:
                break
        if len(s) == 8 or (len(s) == 7 and 'run' not in s):
            run = s.get('run', s['pollx'])
            yield [s['wake'] - t0, run - s['wake'], s['pollx'] - run, s['rd'] - s['pollx'], s['rdx'] - s['rd'], s['wr'] - s['rdx'],
                   s['wrx'] - s['wr'], max(0.0, s['done'] - s['wrx']), s['done'] - t0]
        i = j


def main():
    server = sys.argv[1]
    found = list(pings(list(events(sys.stdin, server)), server))
    print(f"{len(found)} pings; microseconds per hop: median, 90th percentile")
    for k, hop in enumerate(HOPS):
        if found:
            values = sorted(p[k] for p in found)
            print(f"  {hop:58s} {statistics.median(values):7.1f} {values[(len(values) - 1) * 9 // 10]:7.1f}")


if __name__ == '__main__':
    main()
