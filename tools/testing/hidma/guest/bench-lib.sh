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

# bench_dmatest_setup OP SIZE THREADS MODE CHAN...: configure dmatest for a
# duration run (iterations=0, stopped with run=0) of fixed-size transfers.
bench_dmatest_setup()
{
	local op=$1 size=$2 threads=$3 mode=$4 c

	shift 4
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
	echo 0 > $BENCH_P/iterations
	echo 0 > $BENCH_P/max_channels
	echo "$threads" > $BENCH_P/threads_per_chan
	echo 5000 > $BENCH_P/timeout
	if [ "$mode" = poll ]; then echo 1; else echo 0; fi > $BENCH_P/polled
	for c in "$@"; do
		echo "$c" > $BENCH_P/channel || return 1
	done
}

# bench_point DRIVER OP SIZE THREADS MODE RUN SECONDS CHAN...
# One duration run of dmatest on the channels at once; prints a RAW line
# with the sums over all threads.
bench_point()
{
	local drv=$1 op=$2 size=$3 threads=$4 mode=$5 run=$6 secs=$7
	local mark b0 b1 want got i

	shift 7
	bench_dmatest_setup "$op" "$size" "$threads" "$mode" "$@" || {
		echo "NOTE,dmatest setup failed: $drv $op $size $threads $mode $*"
		echo 0 > "$BENCH_P/run"
		return 1
	}
	mark=$(bench_kmsg_mark)
	b0=$(bench_busy)
	echo 1 > "$BENCH_P/run"
	sleep "$secs"
	echo 0 > "$BENCH_P/run"
	b1=$(bench_busy)
	want=$(($# * threads))
	i=0
	while :; do
		got=$(bench_kmsg_since "$mark" | grep -c 'dmatest: .*summary')
		[ "$got" -ge "$want" ] || [ $i -ge 50 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	bench_kmsg_since "$mark" | grep 'summary .* tests' |
		awk -v pre="RAW,dma,$drv,$op,$size,$#,$threads,$mode,$run" \
		    -v busy=$((b1 - b0)) -v want="$want" '
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
