#!/usr/bin/env python3
"""A QEMU guest (TCG) boots over the network, through QEMU's own -netdev user and through vnet4j's user network
(the guest attached over a unix stream socket), in turns; prints medians and ratios. Needs root, QEMU with its
iPXE ROMs (ipxe-qemu) and the test guest's packages (see .ci/run); nothing leaves the machine.

  bench/pxe-vs-qemu.py [ROUNDS]

The NIC's iPXE ROM takes a DHCP lease naming boot.ipxe, fetches it by TFTP, and the script the test guest's
kernel (14 MB) and initramfs (1.5 MB); the guest's init prints its ready line on the serial console. Each round:

- qemu: QEMU's -netdev user,tftp=DIR,bootfile=boot.ipxe;
- vnet4j, at ready: a fresh bin/vnet4j (its warm-up on, as a user runs it) with -netdev user,tftp=DIR,
  bootfile=boot.ipxe and a stream server; QEMU starts when the daemon says "ready";
- vnet4j, second boot: another guest on the same daemon once the first has gone (the TFTP path compiled);
- vnet4j vhost-user, third boot: a guest on the same daemon's vhost-user netdev (memfd memory, vectors=0).

For each: QEMU's spawn to the guest's ready line, and the TFTP phase (first to last TFTP datagram in a
filter-dump capture, QEMU's on the guest's netdev or, for vhost-user, where QEMU carries no frame, vnet4j's:
lock-step blocks of 1,432 bytes, each waiting for the guest's ACK, so it measures round trips).
"""
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
READY = "VNET4J-GUEST-READY"
SCRIPT = "#!ipxe\nkernel vmlinuz console=ttyS0 quiet panic=-1 no_timer_check vnet.name=pxe\ninitrd initramfs.cpio.gz\nboot\n"


def tftp_seconds(pcap):
    """First to last UDP datagram from or to port 69 in a classic pcap of Ethernet frames (IPv4 only)."""
    with open(pcap, "rb") as f:
        data = f.read()
    first = last = None
    at = 24
    while at + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack_from("<IIII", data, at)
        frame = data[at + 16:at + 16 + incl]
        at += 16 + incl
        if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
            continue
        ihl = (frame[14] & 0x0F) * 4
        sport, dport = struct.unpack_from("!HH", frame, 14 + ihl)
        if 69 in (sport, dport):
            t = sec + usec / 1e6
            first = t if first is None else first
            last = t
    return None if first is None else last - first


def boot(netdev, pcap, vhost_user=None):
    """Boots one guest over `netdev` (QEMU -netdev options without id), captured by QEMU into `pcap`, or over
    vnet4j's vhost-user socket `vhost_user` (captured by vnet4j into `pcap`); returns (seconds to ready, tftp
    seconds)."""
    cmd = ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-display", "none", "-accel", "tcg", "-m", "128",
           "-smp", "1", "-no-reboot", "-boot", "n", "-serial", "stdio"]
    if vhost_user:
        cmd += ["-object", "memory-backend-memfd,id=mem,size=128M,share=on", "-machine", "memory-backend=mem",
                "-chardev", "socket,id=vu0,path=" + vhost_user, "-netdev", "vhost-user,chardev=vu0,id=n0",
                "-device", "virtio-net-pci,id=nic0,netdev=n0,vectors=0"]
    else:
        cmd += ["-netdev", netdev + ",id=n0", "-device", "virtio-net-pci,id=nic0,netdev=n0",
                "-object", "filter-dump,id=f,netdev=n0,file=" + pcap]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        for line in p.stdout:
            if READY.encode() in line:
                ready = time.monotonic() - t0
                break
            if time.monotonic() - t0 > 120:
                raise SystemExit("no guest ready within 120 s over " + netdev)
        else:
            raise SystemExit("QEMU exited before the guest was ready over " + netdev)
    finally:
        p.kill()
        p.wait()
    if vhost_user:
        time.sleep(1)  # vnet4j's capture writes its buffers each second
    return ready, tftp_seconds(pcap)


def daemon(tmp, tftp, vhost_user_pcap):
    """Starts bin/vnet4j with the user network serving `tftp`, a stream server and a vhost-user netdev captured
    into `vhost_user_pcap`; returns (the process, QEMU's stream netdev options, the vhost-user socket) once it
    says ready. Its standard error goes on being read, so that it never blocks."""
    sock = os.path.join(tmp, "vms.sock")
    vu = os.path.join(tmp, "vu.sock")
    p = subprocess.Popen([os.path.join(HERE, "bin/vnet4j"), "--control", "none",
                          "-netdev", "user,id=u,tftp=" + tftp + ",bootfile=boot.ipxe",
                          "-netdev", "stream,id=vms,server=on,addr.type=unix,addr.path=" + sock,
                          "-netdev", "vhost-user,id=vm,path=" + vu,
                          "-object", "filter-dump,id=cap,netdev=vm,file=" + vhost_user_pcap],
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in p.stderr:
        if line.strip().endswith("ready"):
            threading.Thread(target=p.stderr.read, daemon=True).start()
            return p, "stream,server=off,addr.type=unix,addr.path=" + sock, vu
    raise SystemExit("bin/vnet4j did not start")


def main():
    subprocess.run(["bash", os.path.join(HERE, "src/test/guest/build-guest.sh"), os.path.join(HERE, "target/guest")],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([os.path.join(HERE, "bin/vnet4j"), "--version"], check=True, stdout=subprocess.DEVNULL)
    tmp = tempfile.mkdtemp(prefix="pxe-vs-qemu-")
    try:
        tftp = os.path.join(tmp, "tftp")
        os.mkdir(tftp)
        for name in ("vmlinuz", "initramfs.cpio.gz"):
            shutil.copy(os.path.join(HERE, "target/guest", name), tftp)
        with open(os.path.join(tftp, "boot.ipxe"), "w") as f:
            f.write(SCRIPT)
        results = {"qemu -netdev user": [], "vnet4j, at ready": [], "vnet4j, second boot": [],
                   "vnet4j vhost-user": []}
        pcap = os.path.join(tmp, "guest.pcap")
        vu_pcap = os.path.join(tmp, "vhost-user.pcap")
        for r in range(ROUNDS):
            results["qemu -netdev user"].append(boot("user,tftp=" + tftp + ",bootfile=boot.ipxe", pcap))
            p, netdev, vu = daemon(tmp, tftp, vu_pcap)
            try:
                results["vnet4j, at ready"].append(boot(netdev, pcap))
                results["vnet4j, second boot"].append(boot(netdev, pcap))
                results["vnet4j vhost-user"].append(boot(None, vu_pcap, vhost_user=vu))
            finally:
                p.terminate()
                p.wait()
            print(f"round {r + 1}: " + "; ".join(f"{k} {v[-1][0]:.2f} s (tftp {v[-1][1]:.2f})"
                                                  for k, v in results.items()), flush=True)
        base = statistics.median(x[1] for x in results["qemu -netdev user"])
        print(f"\nmedians of {ROUNDS} rounds | boot to ready (s) | TFTP phase (s) | TFTP vs QEMU's")
        for k, v in results.items():
            t = statistics.median(x[1] for x in v)
            print(f"{k:22} | {statistics.median(x[0] for x in v):6.2f} [{min(x[0] for x in v):.2f}-"
                  f"{max(x[0] for x in v):.2f}] | {t:5.2f} [{min(x[1] for x in v):.2f}-{max(x[1] for x in v):.2f}]"
                  f" | {t / base:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
