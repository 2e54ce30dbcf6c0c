#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the bench initramfs. The runner appends a small archive with
# /hidma-run.env (HIDMA_LAYOUT, HIDMA_CHANNELS, HIDMA_IOMMU, HIDMA_MODE) and, in
# command mode, /hidma-run.sh, whose output goes between markers.

/bin/busybox mkdir -p /proc /sys /dev /tmp /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
# One kmemleak scan, at the end: the periodic ones only cost guest time.
[ -e /sys/kernel/debug/kmemleak ] && echo scan=off > /sys/kernel/debug/kmemleak

# shellcheck source=/dev/null # written by run-guest
. /hidma-run.env
export HIDMA_LAYOUT HIDMA_CHANNELS HIDMA_IOMMU HIDMA_MODDIR=/lib/modules/hidma
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=${TERM:-vt100}
mkdir -p "$HOME"
cd /selftests 2>/dev/null || cd /

# Let virtio-mmio settle so that /dev/hvc0 exists for the host agent.
i=0
while [ ! -c /dev/hvc0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done

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

# kmemleak reports an object only when it is older than 5 s and was
# unreferenced in two scans in a row (the first records its checksum):
# scan, let the youngest object age, scan again.
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /tmp/kmemleak
fi
echo "HIDMA-DMESG-BEGIN"
dmesg
[ -s /tmp/kmemleak ] && cat /tmp/kmemleak
echo "HIDMA-DMESG-END"
poweroff -f
