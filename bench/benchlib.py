"""What the Python bench scripts share (they import it from their own directory): the default network's
command line, and a start of slirp4netns's command line on a network namespace made for it."""
import os
import subprocess
import time


def default_network(directory):
    """bin/vnet4j's arguments for the default network's shape: a user network, a stream server for VMs on a
    unix socket and the control socket, both in `directory`."""
    return ["-netdev", "user,id=u", "-netdev",
            "stream,id=s,server=on,addr.type=unix,addr.path=" + os.path.join(directory, "vms.sock"),
            "--control", os.path.join(directory, "control.sock")]


def start_in_namespace(command, ns):
    """Makes network namespace `ns`, spawns `command -c -r FD --netns-type=path /run/netns/NS tap0`
    (slirp4netns's command line; vnet4j's drop-in takes the same) and waits for the "1" on its ready
    descriptor. Returns (process, milliseconds from the spawn to the ready byte); the caller stops the
    process and deletes the namespace. When it does not start, the process is killed, the namespace
    deleted, and the script exits naming the command."""
    subprocess.run(["ip", "netns", "add", ns], check=True)
    r, w = os.pipe()
    p = None
    started = False
    try:
        t0 = time.monotonic()
        p = subprocess.Popen([command, "-c", "-r", str(w), "--netns-type=path", "/run/netns/" + ns, "tap0"],
                             pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        w = None
        if os.read(r, 1) != b"1":
            raise SystemExit(f"{command} wrote no ready byte")
        started = True
        return p, (time.monotonic() - t0) * 1000
    finally:
        os.close(r)
        if w is not None:
            os.close(w)
        if not started:
            if p is not None:
                p.kill()
                p.wait()
            subprocess.run(["ip", "netns", "del", ns])
