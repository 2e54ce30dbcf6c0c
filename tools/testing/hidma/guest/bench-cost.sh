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
# Then the guest CPU time of each driver's own paths, one transfer at a
# time: the submit path (prep, tx_submit and issue_pending, each timed by
# bench_submit.ko with interrupts off) and the interrupt path (the
# irq_handler_entry/exit tracepoints of the channel's interrupt, filtered
# by its number, during a dmatest run):
#   TIME,<clock>,<driver>,<submits>,<submit ns>,<prep ns>,<tx_submit ns>,
#       <issue_pending ns>,<tres>,<handler ns>,<handlers>
# <clock> names how the guest's clock ran (BENCH_COST_CLOCK): "tcg", host
# time, or "icount", QEMU's -icount, where it counts instructions.
# Environment: BENCH_COST_TRES [1600] transfers per cost point,
# BENCH_TIME_TRES [400] per timing run, BENCH_COST_PARTS ["count time"]
# which of the two to measure, BENCH_COST_CLOCK [tcg].
# shellcheck source=/dev/null # in the initramfs
. /bench/bench-lib.sh

TRES=${BENCH_COST_TRES:-1600}
TIME_TRES=${BENCH_TIME_TRES:-400}
PARTS=${BENCH_COST_PARTS:-count time}
CLOCK=${BENCH_COST_CLOCK:-tcg}
TRACE=/sys/kernel/tracing
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

# The time from each handler entry of the channels' interrupts to the
# exit that follows on the same CPU (hard interrupts do not nest), in ns
# and how many: "NS N". The trace prints microseconds.
handler_time()
{
	awk '
	function ts(line) {
		if (!match(line, / [0-9]+\.[0-9]+: /))
			return -1
		return substr(line, RSTART + 1, RLENGTH - 3) + 0
	}
	function cpu(line) {
		match(line, /\[[0-9]+\]/)
		return substr(line, RSTART, RLENGTH)
	}
	/ irq_handler_entry: / { start[cpu($0)] = ts($0); next }
	/ irq_handler_exit: / {
		c = cpu($0)
		if (c in start) {
			ns += (ts($0) - start[c]) * 1e9
			n++
			delete start[c]
		}
	}
	END { printf "%d %d\n", ns, n }' "$TRACE/trace"
}

# Interrupts taken so far, per interrupt line that names a HIDMA channel
# (ours names them after the device, the in-kernel driver "qcom-hidma"):
# "IRQ COUNT" lines.
irq_counts()
{
	awk '/qcom-hidma|QCOM806/ {
		n = 0
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++)
			n += $i
		sub(":", "", $1)
		print $1, n
	}' /proc/interrupts
}

time_point()
{
	local drv=$1 chan=$2 mark sub before after irq ev irqs0 line

	[ -d "$TRACE/events/irq" ] || mount -t tracefs nodev "$TRACE" 2>/dev/null
	if [ ! -d "$TRACE/events/irq" ]; then
		echo "NOTE,cost: no irq tracepoints in this kernel: no timings"
		return 1
	fi
	mark=$(bench_kmsg_mark)
	irqs0=$(irq_counts)
	insmod "$HIDMA_MODDIR/bench_submit.ko" channel="$chan" \
		count="$TIME_TRES" size=4096 || return 1
	rmmod bench_submit
	sub=$(bench_kmsg_since "$mark" |
		sed -n 's/.*bench_submit: SUBMIT,[^,]*,\([0-9,]*\)$/\1/p')
	[ -n "$sub" ] || return 1
	# the channel's interrupt: the line that took the run's interrupts
	line=$( (echo "$irqs0"; echo; irq_counts) | awk '
		!NF { after = 1; next }
		!after { n0[$1] = $2; next }
		$2 - n0[$1] > best { best = $2 - n0[$1]; irq = $1 }
		END { if (best) print irq }')
	if [ -z "$line" ]; then
		echo "NOTE,cost: $drv: no interrupt line took the submit run's interrupts"
		return 1
	fi

	ev=$TRACE/events/irq
	echo 0 > "$TRACE/tracing_on"
	echo 4096 > "$TRACE/buffer_size_kb"
	: > "$TRACE/trace"
	# A number compare: the entry's filter runs inside the timed window.
	# Exits need none: hard interrupts do not nest.
	echo "irq == $line" > "$ev/irq_handler_entry/filter"
	echo 1 > "$ev/irq_handler_entry/enable"
	echo 1 > "$ev/irq_handler_exit/enable"
	bench_dmatest_setup memcpy 4096 1 irq "$TIME_TRES" "$chan" || return 1
	before=$(cost_snapshot) || return 1
	echo 1 > "$TRACE/tracing_on"
	bench_dmatest_go 1
	echo 0 > "$TRACE/tracing_on"
	after=$(cost_snapshot) || return 1
	echo 0 > "$ev/irq_handler_entry/enable"
	echo 0 > "$ev/irq_handler_exit/enable"
	echo 0 > "$ev/irq_handler_entry/filter"
	irq=$(handler_time)
	: > "$TRACE/trace"
	# tres-completed is the first counter of each snapshot
	echo "TIME,$CLOCK,$drv,$sub,$(echo "$before $after" |
		awk '{ print $(NF / 2 + 1) - $1 }'),${irq% *},${irq#* }"
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
		case " $PARTS " in
		*" count "*)
			for depth in 1 16; do
				cost_point "$drv" "$depth" "$chan" || {
					echo "NOTE,cost: $drv depth $depth failed"
					status=1
				}
			done
			;;
		esac
		case " $PARTS " in
		*" time "*)
			time_point "$drv" "$chan" || {
				echo "NOTE,cost: $drv timing ($CLOCK) failed"
				status=1
			}
			;;
		esac
	fi
	case "$drv" in
	hidma) rmmod hidma && rmmod hidma_mgmt ;;
	hdma) rmmod hdma && rmmod hdma_mgmt ;;
	esac || { echo "NOTE,cost: $drv did not unload"; status=1; }
done
bench_kmsg_stop
exit $status
