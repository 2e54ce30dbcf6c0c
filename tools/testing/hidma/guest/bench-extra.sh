#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In-guest half of "make bench", second boot: the CPU memcpy reference
# (bench_memcpy.ko); arbitration with our drivers: two backlogged
# channels on a paced bus, weights and priority set through our sysfs,
# byte shares read from the model's counters; and our throughput against
# the ring depth (desc_count). Environment:
#   BENCH_RUNS [3]  BENCH_CPU_MS [200] ms per CPU memcpy point
#   BENCH_ARB_SECS [2] measured seconds per arbitration setting
#   BENCH_ARB_RATE [64] x-bus-bytes-per-us while measuring arbitration
#   BENCH_SIZES [64 512 4096 65536 1048576]
#   BENCH_DEPTHS [10 32 127 512] ring depths (hidma desc_count) to compare
#   BENCH_DEPTH_SECS [2] seconds per ring depth point
# shellcheck source=/dev/null # in the initramfs
. /bench/bench-lib.sh

RUNS=${BENCH_RUNS:-3}
CPU_MS=${BENCH_CPU_MS:-200}
ARB_SECS=${BENCH_ARB_SECS:-2}
ARB_RATE=${BENCH_ARB_RATE:-64}
SIZES=${BENCH_SIZES:-64 512 4096 65536 1048576}
DEPTHS=${BENCH_DEPTHS:-10 32 127 512}
DEPTH_SECS=${BENCH_DEPTH_SECS:-2}

cpu_memcpy()
{
	local mark

	mark=$(bench_kmsg_mark)
	insmod "$HIDMA_MODDIR/bench_memcpy.ko" duration_ms="$CPU_MS" runs="$RUNS" \
		sizes="$(echo "$SIZES" | tr ' ' ,)" || {
		echo "NOTE,bench_memcpy.ko failed to load"
		return 1
	}
	sleep 0.2
	bench_kmsg_since "$mark" | grep '^RAW,cpu,'
	rmmod bench_memcpy
}

# arb_set MGMT CHID PRIORITY WEIGHT
arb_set()
{
	echo "$3" > "$1/chanops/chan$2/priority" &&
		echo "$4" > "$1/chanops/chan$2/weight"
}

# arb_point NAME MGMT CHAN_A CHID_A CHAN_B CHID_B PRIO_A WEIGHT_A PRIO_B WEIGHT_B
arb_point()
{
	local name=$1 mgmt=$2 ca=$3 a=$4 cb=$5 b=$6 pa=$7 wa=$8 pb=$9 wb=${10}
	local ba0 bb0 ga0 gb0 ba1 bb1 ga1 gb1 mw iter i=0

	if ! { arb_set "$mgmt" "$a" "$pa" "$wa" && arb_set "$mgmt" "$b" "$pb" "$wb"; }; then
		echo "NOTE,arbitration $name: sysfs write refused"
		return 1
	fi
	mw="$(qom_get "x-ch$a-priority")/$(qom_get "x-ch$a-weight"):$(qom_get "x-ch$b-priority")/$(qom_get "x-ch$b-weight")"
	# 1 MiB copies, 4 threads per channel: 4 TREs queued on each channel,
	# far more than the paced bus drains while the guest refills. Enough
	# iterations that even a channel with all of the bus stays backlogged
	# through the window (30% margin); the run then ends by itself (see
	# bench_dmatest_go for why it is not stopped).
	iter=$(awk -v r="$ARB_RATE" -v s="$ARB_SECS" 'BEGIN { printf "%d", r * (s + 0.5) * 1.3 / 4 + 1 }')
	bench_dmatest_setup memcpy 1048576 4 irq "$iter" "$ca" "$cb" || {
		echo "NOTE,arbitration $name: dmatest setup failed"
		return 1
	}
	echo 1 > "$BENCH_P/run"
	sleep 0.5
	ba0=$(qom_get "x-ch$a-bytes")
	bb0=$(qom_get "x-ch$b-bytes")
	ga0=$(qom_get "x-ch$a-bus-grants")
	gb0=$(qom_get "x-ch$b-bus-grants")
	sleep "$ARB_SECS"
	ba1=$(qom_get "x-ch$a-bytes")
	bb1=$(qom_get "x-ch$b-bytes")
	ga1=$(qom_get "x-ch$a-bus-grants")
	gb1=$(qom_get "x-ch$b-bus-grants")
	while [ "$(cat "$BENCH_P/run")" = Y ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 600 ] || echo "NOTE,arbitration $name: dmatest did not end"
	echo "ARB,$name,$pa,$wa,$pb,$wb,$((ba1 - ba0)),$((bb1 - bb0)),$((ga1 - ga0)),$((gb1 - gb0)),$mw"
}

arbitration()
{
	local mgmt chans a b ca cb

	if ! { insmod "$HIDMA_MODDIR/hidma_mgmt.ko" &&
	       insmod "$HIDMA_MODDIR/hidma.ko"; }; then
		echo "NOTE,arbitration: our drivers failed to load"
		return 1
	fi
	sleep 0.5
	mgmt=$(hidma_mgmt_dir) || {
		echo "NOTE,arbitration: no hidma_mgmt sysfs"
		return 1
	}
	chans=$(bench_channels hidma)
	# shellcheck disable=SC2086 # one word per channel
	set -- $chans
	[ $# -ge 2 ] || {
		echo "NOTE,arbitration: fewer than 2 channels"
		return 1
	}
	ca=$1
	cb=$2
	a=$(bench_chid "$ca")
	b=$(bench_chid "$cb")
	qom_set x-bus-bytes-per-us "$ARB_RATE" || {
		echo "NOTE,arbitration: the model refused x-bus-bytes-per-us"
		return 1
	}
	echo "NOTE,arbitration on $ca (ch$a) and $cb (ch$b), bus $(qom_get x-bus-bytes-per-us) bytes/us, ${ARB_SECS}s each"
	arb_point "1:1" "$mgmt" "$ca" "$a" "$cb" "$b" 0 1 0 1
	arb_point "3:1" "$mgmt" "$ca" "$a" "$cb" "$b" 0 3 0 1
	arb_point "15:1" "$mgmt" "$ca" "$a" "$cb" "$b" 0 15 0 1
	arb_point "high-priority" "$mgmt" "$ca" "$a" "$cb" "$b" 1 1 0 1
	arb_set "$mgmt" "$a" 0 1
	arb_set "$mgmt" "$b" 0 1
	qom_set x-bus-bytes-per-us 0
	rmmod hidma && rmmod hidma_mgmt
}

# Ring depth: our driver loaded with desc_count=N, dmatest memcpy of 4 KiB
# with 16 threads on one channel (16 transfers in flight at most), so that
# a ring shallower than the clients' queue shows. One DEPTH line per
# point: DEPTH,N,<the fields of a RAW line after the driver name>.
ring_depth()
{
	local n run=1 c

	insmod "$HIDMA_MODDIR/hidma_mgmt.ko" || {
		echo "NOTE,ring depth: hidma_mgmt failed to load"
		return 1
	}
	while [ $run -le "$RUNS" ]; do
		for n in $DEPTHS; do
			if ! insmod "$HIDMA_MODDIR/hidma.ko" desc_count="$n"; then
				echo "NOTE,ring depth $n: hidma refused desc_count=$n"
				continue
			fi
			sleep 0.5
			# shellcheck disable=SC2046 # one word per channel
			set -- $(bench_channels hidma)
			c=$1
			bench_point hidma memcpy 4096 16 irq "$run" "$DEPTH_SECS" "$c" |
				sed "s/^RAW,dma,hidma,/DEPTH,$n,/"
			rmmod dmatest
			rmmod hidma
		done
		run=$((run + 1))
	done
	rmmod hidma_mgmt
}

bench_guard
bench_kmsg_start
status=0
cpu_memcpy || status=1
arbitration || status=1
ring_depth || status=1
bench_kmsg_stop
exit $status
