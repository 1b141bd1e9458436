#!/usr/bin/env bash
# Builds the microvm provider's guest from Debian packages into OUT_DIR:
#   rootfs.ext4  debootstrap --variant=minbase (bash, coreutils, git, ca-certificates, …), user runner (1001)
#   initrd.cpio  busybox-static + the virtio modules of the host's cloud kernel + init (below)
#   vmlinuz      the host's linux-image-cloud-amd64 kernel
# Usage: build-image.sh OUT_DIR KERNEL_RELEASE. Needs root, debootstrap, busybox-static, cpio, mkfs.ext4.
# The provider runs this under a lock into a directory keyed by a hash of this file and the kernel release.
set -euo pipefail
out=$1
kver=$2
suite=${GANTRY_MICROVM_SUITE:-bookworm}
mirror=${GANTRY_MICROVM_MIRROR:-http://deb.debian.org/debian}
packages=git,ca-certificates,curl,xz-utils,procps
work=$(mktemp -d "${out}.build-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Root filesystem: read-only in the guest; the job writes only its workspace, /tmp and HOME.
debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log" >&2; exit 1; }
chroot "$work/root" /usr/sbin/groupadd -g 1001 runner
chroot "$work/root" /usr/sbin/useradd -u 1001 -g 1001 -d /home/runner -s /bin/bash runner
mkdir -p "$work/root/home/runner" "$work/root/run"
# The guest's own name files (egress none: a loopback only); a networked exec binds its own over them.
rm -f "$work/root/etc/hosts" "$work/root/etc/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$work/root/etc/hosts"
: >"$work/root/etc/resolv.conf"
rm -rf "$work/root/var/cache/apt/archives"/*.deb "$work/root/var/lib/apt/lists"/*
size_mb=$(( $(du -sm "$work/root" | cut -f1) * 13 / 10 + 64 ))
mkfs.ext4 -q -F -O ^has_journal -L gantry-root -d "$work/root" "$work/rootfs.ext4" "${size_mb}M"

# Initramfs: loads virtio (modules in the cloud kernel), mounts the disks, runs one exec, reports, powers off.
init=$work/initrd
mkdir -p "$init"/{bin,proc,sys,dev,newroot,vol,modules}
cp /bin/busybox "$init/bin/busybox"
for m in virtio_ring virtio virtio_mmio virtio_blk virtio_console failover net_failover virtio_net; do
  cp "$(find "/lib/modules/$kver/kernel" -name "$m.ko" | head -1)" "$init/modules/"
done
cat >"$init/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_mmio virtio_blk virtio_console failover net_failover virtio_net; do insmod /modules/$m.ko; done
report() { echo "GANTRY-EXIT $1" >/dev/ttyS0; sync; poweroff -f; }
n=0
while [ ! -b /dev/vdb ] || ! ls /dev/vport*p1 >/dev/null 2>&1; do
  n=$((n + 1)); [ $n -gt 500 ] && { echo "GANTRY-ERROR devices did not appear" >/dev/ttyS0; report 125; }
  usleep 20000
done
out=$(ls /dev/vport*p1 | head -1)
mount -t ext4 -o ro,noload /dev/vda /newroot || report 125
mount -t ext4 -o nosuid,nodev /dev/vdb /vol || report 125
r=/newroot
mount -t proc proc $r/proc; mount -t sysfs -o ro sys $r/sys; mount -t devtmpfs dev $r/dev
mount -t tmpfs -o mode=755 run $r/run
# HOME lives on the job's disk, kept across the job's execs (one VM each) as on GitHub's runners (~/.npm, ~/.cache).
mount --bind /vol/home $r/home/runner
mkdir -p $r/home/runner/work $r/home/runner/_temp
chown 1001:1001 $r/home/runner
mount --bind /vol/workspace $r/home/runner/work
mount --bind /vol/runner $r/home/runner/_temp
mount --bind /vol/tmp $r/tmp
mkdir -p $r/run/gantry
ip link set lo up
# Egress (allowlist, open): the host wrote the guest's address, gateway and name files; QEMU's user-mode stack
# is the other end of eth0, and the host's nftables decide what its sockets reach.
if [ -e /vol/.gantry/net ]; then
  read -r address gateway </vol/.gantry/net
  n=0
  while [ ! -e /sys/class/net/eth0 ]; do
    n=$((n + 1)); [ $n -gt 250 ] && { echo "GANTRY-ERROR eth0 did not appear" >/dev/ttyS0; report 125; }
    usleep 20000
  done
  ip link set eth0 up && ip addr add "$address/24" dev eth0 && ip route add default via "$gateway" || report 125
  mount --bind /vol/.gantry/hosts $r/etc/hosts
  mount --bind /vol/.gantry/resolv.conf $r/etc/resolv.conf
fi
cp /vol/.gantry/request.sh $r/run/gantry/step.sh
chown 1001:1001 $r/run/gantry/step.sh; chmod 600 $r/run/gantry/step.sh
hostname gantry
chroot $r /usr/sbin/chroot --userspec=1001:1001 / /bin/bash /run/gantry/step.sh <$r/dev/null >$out 2>&1
code=$?
# Nothing the job started outlives it; then flush the workspace disk before the host reads it.
kill -9 -1 2>/dev/null
umount $r/tmp $r/home/runner/_temp $r/home/runner/work $r/home/runner
[ -e /vol/.gantry/net ] && umount $r/etc/hosts $r/etc/resolv.conf
umount /vol
report $code
INIT
chmod 755 "$init/init"
(cd "$init" && find . | cpio -o -H newc --quiet) >"$work/initrd.cpio"

cp "/boot/vmlinuz-$kver" "$work/vmlinuz"
mkdir -p "$out"
mv "$work/rootfs.ext4" "$work/initrd.cpio" "$work/vmlinuz" "$out/"
echo "$kver" >"$out/ready"
