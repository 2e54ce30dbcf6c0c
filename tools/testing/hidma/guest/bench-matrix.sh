#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In-guest half of "make bench": the dmatest matrix, our driver and the
# in-kernel 6.12 one side by side in one boot (acpi layout: the only one the
# in-kernel driver supports). The drivers take turns, one full pass of the
# matrix each per round, in alternating order, so that slow phases of the
# host hit both alike. Environment (defaults in brackets):
#   BENCH_RUNS [3] rounds   BENCH_SECS [0.5] seconds per point
#   BENCH_SIZES [64 512 4096 65536 1048576]   BENCH_OPS [memcpy memset]
#   BENCH_NCH [1 2 all]   BENCH_THREADS [1 4]   BENCH_MODES [irq poll]
#   BENCH_DRIVERS [hidma hdma]
#   BENCH_SKIP [0] skip the points numbered up to this (resume after a crash)
#   BENCH_AVOID ["" ] words DRIVER:MODE:THREADS whose points are skipped
# Every point is announced with a PT line first, so that the host can tell
# which point took the guest down; any oops or hung task panics the guest
# (so that it ends at once, instead of at the timeout).
# shellcheck source=/dev/null # in the initramfs
. /bench/bench-lib.sh

RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECS:-0.5}
SIZES=${BENCH_SIZES:-64 512 4096 65536 1048576}
OPS=${BENCH_OPS:-memcpy memset}
NCHS=${BENCH_NCH:-1 2 all}
THREADS=${BENCH_THREADS:-1 4}
MODES=${BENCH_MODES:-irq poll}
DRIVERS=${BENCH_DRIVERS:-hidma hdma}
SKIP=${BENCH_SKIP:-0}
AVOID=${BENCH_AVOID:-}
IDX=0

# Load the management and channel drivers of $1; print a MEM line with
# the free-memory delta of the channel driver's probe (all channels).
load_driver()
{
	local drv=$1 run=$2 m0 m1 m2 n i chans

	case "$drv" in
	hidma)
		insmod "$HIDMA_MODDIR/hidma_mgmt.ko" || return 1
		sleep 0.5
		m0=$(bench_memfree_kb)
		insmod "$HIDMA_MODDIR/hidma.ko" || return 1
		;;
	hdma)
		modprobe hdma_mgmt || return 1
		sleep 0.5
		m0=$(bench_memfree_kb)
		modprobe hdma || return 1
		;;
	*) return 1 ;;
	esac
	i=0
	n=0
	while [ $i -lt 20 ]; do
		n=$(bench_channels "$drv" | wc -l)
		[ "$n" -ge "$HIDMA_CHANNELS" ] && break
		sleep 0.2
		i=$((i + 1))
	done
	[ "$n" -gt 0 ] || return 1
	sleep 0.3
	m1=$(bench_memfree_kb)
	# Channels held by a client (alloc_chan_resources) with one idle
	# dmatest thread each: the thread's own cost is the same for both.
	chans=$(bench_channels "$drv")
	# shellcheck disable=SC2086 # one word per channel
	bench_dmatest_setup memcpy 64 1 irq 1 $chans || return 1
	sleep 0.3
	m2=$(bench_memfree_kb)
	echo 0 > "$BENCH_P/run"
	ring_slots "$drv" "$run"
	echo "MEM,$drv,$run,$n,$(((m0 - m1) * 1024)),$(bench_modsize "$drv"),$(((m1 - m2) * 1024))"
}

# Our driver's ring size per channel, from its debugfs (slots x (TRE 32 +
# EVRE 16 bytes)), as a cross-check of the measured memory.
ring_slots()
{
	local f slots

	[ "$1" = hidma ] && [ "$2" = 1 ] || return 0
	for f in /sys/kernel/debug/dmaengine/*/ring; do
		[ -r "$f" ] || continue
		slots=$(sed -n 's/^slots: //p' "$f")
		[ -n "$slots" ] && echo "RING,hidma,$(basename "$(dirname "$f")"),$slots"
	done
}

unload_driver()
{
	case "$1" in
	hidma) rmmod hidma && rmmod hidma_mgmt ;;
	hdma) rmmod hdma && rmmod hdma_mgmt ;;
	esac
}

# One pass of the matrix on the loaded driver $1; with $3 = count, only
# advance the point numbers (the driver did not load: keep the numbering).
matrix()
{
	local drv=$1 run=$2 dry=${3:-} all op size nch chans thr mode n

	all=$(bench_channels "$drv")
	n=$(echo "$all" | wc -w)
	[ -n "$dry" ] && n=$HIDMA_CHANNELS
	for op in $OPS; do
		for size in $SIZES; do
			for nch in $NCHS; do
				[ "$nch" = all ] && nch=$n
				[ "$nch" -le "$n" ] || continue
				# shellcheck disable=SC2086 # one word per channel
				chans=$(bench_first "$nch" $all)
				for thr in $THREADS; do
					for mode in $MODES; do
						IDX=$((IDX + 1))
						[ -z "$dry" ] || continue
						[ "$IDX" -le "$SKIP" ] && continue
						case " $AVOID " in
						*" $drv:$mode:$thr "*) continue ;;
						esac
						# Polled dmatest terminates the channel after
						# each transfer, aborting the other threads'.
						[ "$mode" = poll ] && [ "$thr" -gt 1 ] && continue
						echo "PT,$IDX,$drv,$op,$size,$nch,$thr,$mode"
						# shellcheck disable=SC2086
						bench_point "$drv" "$op" "$size" "$thr" \
							"$mode" "$run" "$SECS" $chans
					done
				done
			done
		done
	done
}

[ "$HIDMA_LAYOUT" = acpi ] ||
	echo "NOTE,layout $HIDMA_LAYOUT: the in-kernel driver binds only on acpi"
bench_guard
bench_kmsg_start
modprobe dmatest || exit 1
echo "NOTE,polled mode runs 1 thread per channel only: dmatest terminates the channel after every polled transfer, which aborts the transfers of other threads on it"
echo "NOTE,matrix runs=$RUNS secs=$SECS sizes=$SIZES ops=$OPS nch=$NCHS threads=$THREADS modes=$MODES"
status=0
run=1
while [ $run -le "$RUNS" ]; do
	order=$DRIVERS
	if [ $((run % 2)) = 0 ]; then
		order=""
		for d in $DRIVERS; do order="$d $order"; done
	fi
	for drv in $order; do
		t0=$(cut -d' ' -f1 /proc/uptime)
		if load_driver "$drv" "$run"; then
			matrix "$drv" "$run"
		else
			echo "NOTE,$drv: could not load the driver or find its channels"
			matrix "$drv" "$run" count
			status=1
		fi
		unload_driver "$drv" || {
			echo "NOTE,$drv: unload failed"
			status=1
		}
		echo "NOTE,round $run $drv took $(awk -v a="$t0" '{ printf "%.0f", $1 - a }' /proc/uptime) s"
	done
	run=$((run + 1))
done
bench_kmsg_stop
exit $status
