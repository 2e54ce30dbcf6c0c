#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Helpers of the in-guest halves of "make bench" (busybox ash). Sourced.
#
# Everything a bench script measures is printed on stdout as one line
#   RAW,<source>,<driver>,<op>,<size>,<channels>,<threads>,<mode>,<run>,
#       <tests>,<failures>,<iops>,<KiB/s>,<busy ticks>
# or MEM,... / ARB,... / NOTE,... lines; bench.sh on the host parses them.
# shellcheck source=/dev/null # in the initramfs
. /selftests/lib.sh

BENCH_P=/sys/module/dmatest/parameters
BENCH_KMSG=/tmp/bench-kmsg
BENCH_KMSG_PID=""

# An oops or a hung task ends the boot at once (panic=-1, -no-reboot)
# instead of hanging until the runner's timeout.
bench_guard()
{
	echo 1 > /proc/sys/kernel/panic_on_oops
	echo 1 > /proc/sys/kernel/hung_task_panic 2>/dev/null
	echo 30 > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
}

# Copy the kernel log to a file as it comes: dmatest prints its results
# there, and a long run would overflow the ring buffer.
bench_kmsg_start()
{
	: > "$BENCH_KMSG"
	cat /dev/kmsg > "$BENCH_KMSG" &
	BENCH_KMSG_PID=$!
}

# Splats seen during the run (the final dmesg may have lost them); the
# lines go to stdout so that the host sees them too.
bench_kmsg_stop()
{
	local splat n

	splat='BUG:|WARNING:|Oops|Internal error|Unable to handle|KASAN|'
	splat="${splat}INFO: task .* blocked|soft lockup|scheduling while atomic"
	n=$(grep -cE "$splat" "$BENCH_KMSG")
	if [ "$n" -gt 0 ]; then
		echo "NOTE,kernel log has $n splat lines"
		grep -E "$splat" "$BENCH_KMSG" | head -n 20 | sed 's/^[^;]*;/SPLAT,/'
	fi
	[ -n "$BENCH_KMSG_PID" ] && kill "$BENCH_KMSG_PID" 2>/dev/null
	BENCH_KMSG_PID=""
}

# Lines of the kernel log copy after line $1, without the record prefix.
bench_kmsg_since()
{
	tail -n +$(($1 + 1)) "$BENCH_KMSG" | sed -n 's/^[0-9]*,[0-9]*,[0-9]*,[^;]*;//p'
}

bench_kmsg_mark()
{
	wc -l < "$BENCH_KMSG"
}

# Non-idle time of all CPUs in USER_HZ ticks (user nice system irq softirq steal).
bench_busy()
{
	local _cpu user nice sys idle iowait irq sirq steal

	# shellcheck disable=SC2034 # idle and iowait are read to skip them
	read -r _cpu user nice sys idle iowait irq sirq steal _ < /proc/stat
	echo $((user + nice + sys + irq + sirq + steal))
}

bench_memfree_kb()
{
	sed -n 's/^MemFree: *\([0-9]*\) kB$/\1/p' /proc/meminfo
}

# Size of a loaded module in bytes (the third column of /proc/modules).
bench_modsize()
{
	awk -v m="$1" '$1 == m { print $2; found = 1 } END { if (!found) print 0 }' /proc/modules
}

# Which module drives the channel $1: hidma (ours) or hdma (in-kernel).
bench_chan_module()
{
	local d

	d=$(readlink -f "/sys/class/dma/$1/device/driver/module" 2>/dev/null)
	echo "${d##*/}"
}

# Channels of a driver module (hidma or hdma).
bench_channels()
{
	local c

	for c in /sys/class/dma/dma*chan*; do
		[ -e "$c" ] || continue
		[ "$(bench_chan_module "${c##*/}")" = "$1" ] && echo "${c##*/}"
	done
}

# Hardware channel index of a dmaengine channel (model counter index).
bench_chid()
{
	local f=/sys/class/dma/$1/device/chid

	if [ -r "$f" ]; then
		cat "$f"
	else
		echo "${1##*chan}"
	fi
}

# The first $1 words of the rest of the arguments.
bench_first()
{
	local n=$1 out=""

	shift
	while [ "$n" -gt 0 ] && [ $# -gt 0 ]; do
		out="$out $1"
		n=$((n - 1))
		shift
	done
	echo "$out"
}

# bench_dmatest_setup OP SIZE THREADS MODE ITERATIONS CHAN...: configure
# dmatest for a run of fixed-size transfers that ends by itself.
bench_dmatest_setup()
{
	local op=$1 size=$2 threads=$3 mode=$4 iter=$5 c

	shift 5
	grep -q '^dmatest ' /proc/modules || modprobe dmatest || return 1
	echo 0 > "$BENCH_P/run"
	if [ "$op" = memset ]; then echo 1; else echo 0; fi > $BENCH_P/dmatest
	echo "$size" > $BENCH_P/test_buf_size
	echo 0 > $BENCH_P/transfer_size
	echo 1 > $BENCH_P/norandom
	echo 1 > $BENCH_P/noverify
	# Every size is a multiple of 64: same 64-byte alignment for both
	# drivers (the in-kernel one asks for 256, which would turn a 64-byte
	# test into a 256-byte one).
	echo 6 > $BENCH_P/alignment
	echo "$iter" > $BENCH_P/iterations
	echo 0 > $BENCH_P/max_channels
	echo "$threads" > $BENCH_P/threads_per_chan
	echo 5000 > $BENCH_P/timeout
	if [ "$mode" = poll ]; then echo 1; else echo 0; fi > $BENCH_P/polled
	for c in "$@"; do
		echo "$c" > $BENCH_P/channel || return 1
	done
}

# bench_dmatest_go THREADS: one dmatest run, as configured, on the
# channels at once, waited for until every thread ended by itself (at most
# 120 s) and its THREADS summaries reached the log copy (at most 5 s more).
# Sets BENCH_RUN_MARK (where its kernel log starts) and BENCH_BUSY
# (the busy ticks it took). Stopping threads with run=0 is unsafe, so it
# is only the last resort against a hang: kthread_stop() interrupts
# dmatest's wait for the callback, and dmatest then frees buffers that a
# transfer in flight still writes.
bench_dmatest_go()
{
	local b0 i=0

	BENCH_RUN_MARK=$(bench_kmsg_mark)
	b0=$(bench_busy)
	echo 1 > "$BENCH_P/run"
	while [ "$(cat "$BENCH_P/run")" = Y ] && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ $i -ge 1200 ]; then
		echo "NOTE,dmatest run did not end within 120 s; stopped"
		echo 0 > "$BENCH_P/run"
	fi
	BENCH_BUSY=$(($(bench_busy) - b0))
	i=0
	while [ "$(bench_kmsg_since "$BENCH_RUN_MARK" | grep -c 'dmatest: .*summary')" -lt "$1" ] &&
	      [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# Per-thread iterations for a run of about $2 seconds at the rate (iops
# per thread) seen in the summaries after mark $1; at least 20.
bench_iterations()
{
	bench_kmsg_since "$1" | grep 'summary .* tests' | awk -v secs="$2" '
		{ for (i = 1; i < NF; i++) if ($(i + 1) == "iops") { r += $i; n++ } }
		END { it = n ? r / n * secs : 0; if (it < 20) it = 20; printf "%d\n", it }'
}

# bench_point DRIVER OP SIZE THREADS MODE RUN SECONDS CHAN...
# One run of dmatest on the channels at once, of about SECONDS; prints a
# RAW line with the sums over all threads. The first time a point runs, it
# is sized by a short run (2 MiB per thread, 20 to 400 iterations) whose
# rate is not reported; later rounds reuse that size.
bench_point()
{
	local drv=$1 op=$2 size=$3 threads=$4 mode=$5 run=$6 secs=$7
	local want iter sized

	shift 7
	want=$(($# * threads))
	sized=/tmp/bench-iter-$drv-$op-$size-$#-$threads-$mode-$secs
	if [ -s "$sized" ]; then
		iter=$(cat "$sized")
	else
		iter=$((2097152 / size))
		[ "$iter" -ge 20 ] || iter=20
		[ "$iter" -le 400 ] || iter=400
		if ! bench_dmatest_setup "$op" "$size" "$threads" "$mode" "$iter" "$@"; then
			echo "NOTE,dmatest setup failed: $drv $op $size $threads $mode $*"
			return 1
		fi
		bench_dmatest_go "$want"
		iter=$(bench_iterations "$BENCH_RUN_MARK" "$secs")
		echo "$iter" > "$sized"
	fi
	# dmatest copies its parameters when a channel is added, and a run
	# that ended released its channels: set up afresh.
	if ! bench_dmatest_setup "$op" "$size" "$threads" "$mode" "$iter" "$@"; then
		echo "NOTE,dmatest setup failed: $drv $op $size $threads $mode $*"
		return 1
	fi
	bench_dmatest_go "$want"
	bench_kmsg_since "$BENCH_RUN_MARK" | grep 'summary .* tests' |
		awk -v pre="RAW,dma,$drv,$op,$size,$#,$threads,$mode,$run" \
		    -v busy="$BENCH_BUSY" -v want="$want" '
		{
			for (i = 1; i <= NF; i++) {
				if ($(i + 1) == "tests,") t += $i
				if ($(i + 1) == "failures") f += $i
				if ($(i + 1) == "iops") ops += $i
				if ($(i + 1) == "KB/s") kbs += $i
			}
			n++
		}
		END {
			if (n != want)
				printf "NOTE,%s: %d of %d dmatest summaries\n", pre, n, want
			printf "%s,%d,%d,%.2f,%d,%d\n", pre, t, f, ops, kbs, busy
		}'
}
