#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the bench initramfs. The runner appends a small archive with
# /hidma-run.env (HIDMA_LAYOUT, HIDMA_CHANNELS, HIDMA_IOMMU, HIDMA_ITS, HIDMA_MODE,
# optionally HIDMA_CONSOLE) and, in
# command mode, /hidma-run.sh, whose output goes between markers.

/bin/busybox mkdir -p /proc /sys /dev /tmp /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
# kmemleak scans at the end only: the periodic ones only cost guest time.
# A guest booted with kmemleak=off (the nested layout's L2) scans nowhere.
kmemleak=/sys/kernel/debug/kmemleak
grep -qw kmemleak=off /proc/cmdline && kmemleak=""
[ -n "$kmemleak" ] && [ -e "$kmemleak" ] && echo scan=off > "$kmemleak"

# shellcheck source=/dev/null # written by run-guest
. /hidma-run.env
export HIDMA_LAYOUT HIDMA_CHANNELS HIDMA_IOMMU HIDMA_ITS HIDMA_MODDIR=/lib/modules/hidma
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=${TERM:-vt100}
mkdir -p "$HOME"
cd /selftests 2>/dev/null || cd /

# Let virtio-mmio settle so that /dev/hvc0 exists for the host agent.
# A guest that names its own console (the nested layout's L2, whose PL011
# costs an exit per character) talks there, and waits longer for it:
# virtio-console adds its ports too late for the kernel's /dev/console.
i=0 tenths=50
[ -n "${HIDMA_CONSOLE:-}" ] && tenths=300
while [ ! -c "${HIDMA_CONSOLE:-/dev/hvc0}" ] && [ $i -lt $tenths ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -n "${HIDMA_CONSOLE:-}" ] && [ -c "$HIDMA_CONSOLE" ]; then
	exec > "$HIDMA_CONSOLE" 2>&1
fi

if [ "$HIDMA_MODE" = shell ]; then
	# shellcheck source=/dev/null # in the initramfs
	. /selftests/lib.sh
	[ "$HIDMA_NOLOAD" = 1 ] || hidma_load
	echo "HIDMA $HIDMA_LAYOUT layout; modules in $HIDMA_MODDIR, suites in /selftests."
	echo "Exit the shell to power off."
	setsid cttyhack sh -l
else
	echo "HIDMA-BEGIN"
	sh /hidma-run.sh
	echo "HIDMA-END rc=$?"
fi

# uptime_cs: the guest's uptime in hundredths of a second
uptime_cs()
{
	local up

	read -r up _ < /proc/uptime
	echo $((${up%.*} * 100 + 1${up#*.} - 100))
}

# kmemleak reports an object only when it is older than 5 s and was
# unreferenced in two scans in a row (the first records its checksum).
# The youngest object of the command is older than the first scan, and
# a scan takes seconds: the second starts 6 s after the first did.
if [ -n "$kmemleak" ] && [ -e "$kmemleak" ]; then
	scan1=$(uptime_cs)
	echo scan > "$kmemleak"
	wait_cs=$((scan1 + 600 - $(uptime_cs)))
	[ "$wait_cs" -le 0 ] || sleep $(((wait_cs + 99) / 100))
	echo scan > "$kmemleak"
	cat "$kmemleak" > /tmp/kmemleak
fi
echo "HIDMA-DMESG-BEGIN"
dmesg
[ -s /tmp/kmemleak ] && cat /tmp/kmemleak
echo "HIDMA-DMESG-END"
poweroff -f
