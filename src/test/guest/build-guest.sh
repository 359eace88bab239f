#!/usr/bin/env bash
# Builds a tiny Linux guest for the real-peer tests into OUTDIR (default: the checkout's target/guest,
# where the tests and bench/ look):
#   OUTDIR/vmlinuz            Debian's cloud kernel (linux-image-cloud-amd64)
#   OUTDIR/initramfs.cpio.gz  busybox-static, virtio_net, 8021q and their dependencies, /init
# Boot it with: qemu-system-x86_64 -kernel OUTDIR/vmlinuz -initrd OUTDIR/initramfs.cpio.gz
#   -append "console=ttyS0 vnet.name=NAME vnet.ip=A.B.C.D/NN" -serial stdio ...
# The guest prints "VNET4J-GUEST-READY name=NAME" and then runs a shell on ttyS0
# (no prompt, no echo) that reads one command per line.
# Idempotent: does nothing when OUTDIR is up to date with this script, kernel and busybox.
set -euo pipefail

OUT=${1:-$(readlink -f "$(dirname "$0")/../../..")/target/guest}
SELF=$(readlink -f "$0")

die() { echo "build-guest.sh: $*" >&2; exit 1; }

KERNEL=$(ls -1 /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$KERNEL" ] || die "no /boot/vmlinuz-*-cloud-amd64: apt-get install linux-image-cloud-amd64"
KVER=${KERNEL#/boot/vmlinuz-}
MODDIR=/lib/modules/$KVER
[ -f "$MODDIR/modules.dep" ] || die "no $MODDIR/modules.dep: reinstall linux-image-$KVER"
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "no $BUSYBOX: apt-get install busybox-static"
# busybox must be static: the initramfs has no libc
if ldd "$BUSYBOX" >/dev/null 2>&1; then die "$BUSYBOX is dynamic: apt-get install busybox-static"; fi
command -v cpio >/dev/null || die "no cpio: apt-get install cpio"

# Up-to-date check: one stamp line naming the inputs.
STAMP="$KVER $(stat -c %Y:%s "$KERNEL") $(stat -c %Y:%s "$BUSYBOX") $(cat "$SELF" "$(dirname "$SELF")/udpecho.c" | sha256sum | cut -c1-16)"
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$STAMP" ] \
   && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initramfs.cpio.gz" ]; then
  exit 0
fi

# Module load order: depth-first over modules.dep, dependencies before dependants.
declare -A SEEN=()
ORDER=()
resolve() { # $1: module path relative to MODDIR, as in modules.dep
  local mod=$1 line deps d
  [ -n "${SEEN[$mod]:-}" ] && return 0
  SEEN[$mod]=1
  line=$(grep -m1 "^${mod}:" "$MODDIR/modules.dep") || die "$mod not in modules.dep"
  deps=${line#*:}
  for d in $deps; do resolve "$d"; done
  ORDER+=("$mod")
}
find_mod() { # $1: module name -> path in modules.dep (any compression suffix)
  grep -oE "^[^:]*/$1\.ko(\.xz|\.zst|\.gz)?:" "$MODDIR/modules.dep" | head -n1 | tr -d : \
    || true
}
for name in virtio_pci virtio_net 8021q; do   # 8021q: VLAN sub-interfaces (vconfig add eth0 N)
  p=$(find_mod "$name")
  if [ -z "$p" ]; then
    # built into the kernel: nothing to load
    grep -q "/$name.ko" "$MODDIR/modules.builtin" 2>/dev/null || die "module $name not found in $MODDIR"
    continue
  fi
  resolve "$p"
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,www,lib/modules,usr/bin,usr/sbin}
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$ROOT/bin/$applet"
done

: > "$ROOT/lib/modules/load-order"
for mod in "${ORDER[@]}"; do
  base=$(basename "$mod")
  case "$base" in
    *.ko.xz)  xz -dc "$MODDIR/$mod" > "$ROOT/lib/modules/${base%.xz}" ;;
    *.ko.zst) zstd -qdc "$MODDIR/$mod" > "$ROOT/lib/modules/${base%.zst}" ;;
    *.ko.gz)  gzip -dc "$MODDIR/$mod" > "$ROOT/lib/modules/${base%.gz}" ;;
    *.ko)     cp "$MODDIR/$mod" "$ROOT/lib/modules/$base" ;;
    *) die "unexpected module file $mod" ;;
  esac
  echo "${base%.ko*}.ko" >> "$ROOT/lib/modules/load-order"
done

cat > "$ROOT/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo 1 > /proc/sys/kernel/printk
for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m || echo "init: insmod $m failed"; done
NAME=guest; IP=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    vnet.name=*) NAME=${arg#vnet.name=} ;;
    vnet.ip=*) IP=${arg#vnet.ip=} ;;
  esac
done
hostname "$NAME"
ip link set lo up
i=0; while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ip link set eth0 up || echo "init: no eth0"
[ -n "$IP" ] && ip addr add "$IP" dev eth0
echo "<html><body>hello from $NAME</body></html>" > /www/index.html
stty -F /dev/ttyS0 -echo -onlcr 2>/dev/null
echo "VNET4J-GUEST-READY name=$NAME ip=$IP" > /dev/ttyS0
# A shell that reads one command line at a time from the serial console (not through
# `cat /dev/ttyS0 | sh`: that delivers each line only when the next one arrives).
# stdout is a pipe, so the shell is non-interactive: no banner, no prompt
while true; do sh < /dev/ttyS0 2>&1 | cat > /dev/ttyS0; done
EOF
chmod 755 "$ROOT/init"

# a UDP echo server (busybox has none), for the hostfwd=udp test
command -v gcc >/dev/null || die "no gcc: apt-get install gcc libc6-dev (to build the guest's udpecho)"
gcc -static -O2 -o "$ROOT/bin/udpecho" "$(dirname "$SELF")/udpecho.c" || die "cannot build udpecho"

# udhcpc's hook: configures eth0 from the lease and keeps every option it saw in /tmp/dhcp.env
mkdir -p "$ROOT/etc/udhcpc"
cat > "$ROOT/etc/udhcpc/default.script" <<'EOF'
#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    env | sort > /tmp/dhcp.env
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    : > /etc/resolv.conf
    [ -n "$domain" ] && echo "search $domain $search" >> /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    ;;
esac
exit 0
EOF
chmod 755 "$ROOT/etc/udhcpc/default.script"  # Debian's busybox looks here

mkdir -p "$OUT"
(cd "$ROOT" && find . -print0 | cpio --null -o -H newc --quiet | gzip -6) > "$OUT/initramfs.cpio.gz.tmp"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
cp "$KERNEL" "$OUT/vmlinuz.tmp" && mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
echo "$STAMP" > "$OUT/stamp"
echo "build-guest.sh: guest for $KVER in $OUT (modules: ${ORDER[*]##*/})"
