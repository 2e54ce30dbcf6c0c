#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In-guest half of the bench's "cost" stage: what each driver costs per
# transfer, counted by the model, for memcpy of 4 KiB on one channel at
# queue depth 1 (one dmatest thread) and 16 (16 threads). Counts, not
# timings: they hold on silicon, where an MMIO read costs hundreds of ns.
# Both drivers are given 32 descriptors, so that neither runs out at
# depth 16 (the in-kernel default of 10 would).
# One line per driver and depth:
#   COST,<driver>,<depth>,<tres>,<trca reads>,<evca reads>,<trca writes>,
#       <evca writes>,<doorbells>,<interrupts>,<failures>
# Environment: BENCH_COST_TRES [1600] transfers per point.
# shellcheck source=/dev/null # in the initramfs
. /bench/bench-lib.sh

TRES=${BENCH_COST_TRES:-1600}
COUNTERS="tres-completed trca-reads evca-reads trca-writes evca-writes doorbells irqs"

# Every counter summed over all channels: only the measured one moves.
cost_snapshot()
{
	local name i v sum out=""

	for name in $COUNTERS; do
		sum=0
		i=0
		while [ $i -lt "$HIDMA_CHANNELS" ]; do
			v=$(qom_get "x-ch$i-$name") || return 1
			sum=$((sum + v))
			i=$((i + 1))
		done
		out="$out $sum"
	done
	echo "$out"
}

cost_point()
{
	local drv=$1 depth=$2 chan=$3 before after fails

	bench_dmatest_setup memcpy 4096 "$depth" irq $((TRES / depth)) "$chan" ||
		return 1
	before=$(cost_snapshot) || return 1
	bench_dmatest_go "$depth"
	after=$(cost_snapshot) || return 1
	fails=$(bench_kmsg_since "$BENCH_RUN_MARK" |
		sed -n 's/.*summary [0-9]* tests, \([0-9]*\) failures.*/\1/p' |
		awk '{ n += $1 } END { print n + 0 }')
	echo "$before" "$after" | awk -v pre="COST,$drv,$depth" -v f="$fails" '{
		n = NF / 2
		line = pre
		for (i = 1; i <= n; i++)
			line = line "," ($(i + n) - $i)
		print line "," f
	}'
}

bench_guard
bench_kmsg_start
modprobe dmatest || exit 1
status=0
for drv in hidma hdma; do
	case "$drv" in
	hidma)
		insmod "$HIDMA_MODDIR/hidma_mgmt.ko" &&
			insmod "$HIDMA_MODDIR/hidma.ko" desc_count=32
		;;
	hdma)
		modprobe hdma_mgmt && modprobe hdma nr_desc_prm=32
		;;
	esac || { echo "NOTE,cost: $drv did not load"; status=1; continue; }
	sleep 1
	chan=$(bench_channels "$drv" | head -n 1)
	if [ -z "$chan" ]; then
		echo "NOTE,cost: $drv has no channel"
		status=1
	else
		for depth in 1 16; do
			cost_point "$drv" "$depth" "$chan" || {
				echo "NOTE,cost: $drv depth $depth failed"
				status=1
			}
		done
	fi
	case "$drv" in
	hidma) rmmod hidma && rmmod hidma_mgmt ;;
	hdma) rmmod hdma && rmmod hdma_mgmt ;;
	esac || { echo "NOTE,cost: $drv did not unload"; status=1; }
done
bench_kmsg_stop
exit $status
