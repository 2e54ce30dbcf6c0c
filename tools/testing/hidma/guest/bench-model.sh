#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In-guest half of the bench's "model" stage, run once with the model's
# copy thread and once without (BENCH_MODEL names the boot): our driver,
# perf kernel.
# 1. vCPU responsiveness: how long a read of an idle channel's register
#    takes while two other channels copy BENCH_MMIO_SIZE [64 MiB] TREs,
#    against the same reads with the engine idle (bench_mmio.ko):
#      MMIO,<model>,<idle median ns>,<idle p99>,<idle max>,<idle mean>,
#           <busy median>,<busy p99>,<busy max>,<busy mean>,<busy reads>,
#           <copies>
# 2. Bandwidth: dmatest memcpy, noverify, 1 MiB, 4 threads on each of two
#    channels, as a matrix RAW line whose driver is hidma-<model>.
# shellcheck source=/dev/null # in the initramfs
. /bench/bench-lib.sh

MODEL=${BENCH_MODEL:-thread}
MMIO_SIZE=${BENCH_MMIO_SIZE:-67108864}
MMIO_READS=${BENCH_MMIO_READS:-20000}

# The first MMIO window (the TRCA) of the device behind dmaengine channel
# $1, from /proc/iomem, in hex without 0x.
chan_trca()
{
	local dev

	dev=$(readlink -f "/sys/class/dma/$1/device")
	awk -v d="${dev##*/}" '$NF == d { split($1, r, "-"); print r[1]; exit }' /proc/iomem
}

mmio_point()
{
	local copy1=$1 copy2=$2 idle=$3 base mark line

	base=$(chan_trca "$idle")
	if [ -z "$base" ]; then
		echo "NOTE,model: no MMIO window of $idle in /proc/iomem"
		return 1
	fi
	mark=$(bench_kmsg_mark)
	insmod "$HIDMA_MODDIR/bench_mmio.ko" probe="0x$base" \
		chans="$copy1,$copy2" size="$MMIO_SIZE" reads="$MMIO_READS" || return 1
	rmmod bench_mmio
	line=$(bench_kmsg_since "$mark" | sed -n 's/.*bench_mmio: MMIO,//p')
	[ -n "$line" ] || return 1
	echo "MMIO,$MODEL,$line"
}

bench_guard
bench_kmsg_start
modprobe dmatest || exit 1
status=0
if ! insmod "$HIDMA_MODDIR/hidma_mgmt.ko" || ! insmod "$HIDMA_MODDIR/hidma.ko"; then
	echo "NOTE,model: hidma did not load"
	exit 1
fi
sleep 1
# shellcheck disable=SC2046 # three words
set -- $(bench_channels hidma | head -n 3)
if [ $# -lt 3 ]; then
	echo "NOTE,model: $# hidma channels, 3 needed"
	status=1
else
	mmio_point "$1" "$2" "$3" || {
		echo "NOTE,model: MMIO latency ($MODEL) failed"
		status=1
	}
	run=1
	while [ "$run" -le "${BENCH_RUNS:-3}" ]; do
		bench_point "hidma-$MODEL" memcpy 1048576 4 irq "$run" \
			"${BENCH_SECS:-0.5}" "$1" "$2" ||
			status=1
		run=$((run + 1))
	done
fi
rmmod hidma && rmmod hidma_mgmt
bench_kmsg_stop
exit $status
