#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dmatest memcpy and memset on every HIDMA channel at once: 120
# iterations per thread, 4 threads per channel, every summary line with
# 0 failures and one summary line per thread (1 KiB buffers: dmatest
# fills and checks its whole buffers on the CPU, which under TCG + KASAN
# costs more than the copies). The model's counters must show that the
# channels really moved the data. Freed descriptors wait in a channel's
# cache, no more than were in use at once, while dmatest holds the
# channel, and are freed when it lets it go. (The guest layout runs the
# same data path without hidma_mgmt; chan-highmem, chan-recovery and
# kunit cover it there. On the acpi layout only the probe differs:
# chan-iommu, fidelity, chan-pm and vfio-platform move data on its
# channels. On host-msi and acpi-msi every completion arrives by MSI.)
# hidma-layouts: host host-msi acpi-msi
# hidma-timeout: 1200
. "$(dirname "$0")/lib.sh"

ITER=120
THREADS=4

# tres_total: sum of tres-completed over the model's channels
tres_total()
{
	local i=0 sum=0 v

	while [ $i -lt "${HIDMA_CHANNELS:-0}" ]; do
		v=$(qom_get "x-ch$i-tres-completed") || return 1
		sum=$((sum + v))
		i=$((i + 1))
	done
	echo $sum
}

# descriptors_cached: sum of the channels' cached descriptors (debugfs)
descriptors_cached()
{
	cat /sys/kernel/debug/dmaengine/*/stats 2>/dev/null |
		awk '/^descriptors_cached: / { n += $2; seen = 1 }
		     END { if (seen) print n; else exit 1 }'
}

ktap_plan 8

hidma_load
ktap_result $? "load drivers"
chans=$(hidma_channels hidma)
n=$(echo "$chans" | wc -w)
ktap_expect_eq "$n" "${HIDMA_CHANNELS:-$n}" "one dmaengine channel per hardware channel"
if [ "$n" -eq 0 ]; then
	ktap_finish
fi

before=$(tres_total)
# dmatest_run keeps the buffer size of the loaded dmatest.
hidma_rmmod dmatest
modprobe dmatest test_buf_size=1024
# shellcheck disable=SC2086 # one argument per channel
dmatest_run memcpy $ITER $THREADS $chans
ktap_result $? "dmatest memcpy: $n channels x $THREADS threads x $ITER iterations, 0 failures"
# shellcheck disable=SC2086
dmatest_run memset $ITER $THREADS $chans
ktap_result $? "dmatest memset: $n channels x $THREADS threads x $ITER iterations, 0 failures"
after=$(tres_total)

# Exactly one TRE per transfer: none lost, none run twice.
want=$((n * THREADS * ITER * 2))
if [ -n "$before" ] && [ -n "$after" ]; then
	ktap_diag "model completed $((after - before)) TREs, dmatest ran $want transfers"
	ktap_expect_eq $((after - before)) $want "the model completed one TRE per transfer"
else
	ktap_not_ok "the model completed one TRE per transfer # counters unreadable"
fi

# A short run waited for through "wait", which leaves dmatest holding the
# channel (reading "run" after the end lets the channels go).
cache_check()
{
	local p=/sys/module/dmatest/parameters chan=$1 i=0 cached

	dmatest_fresh || return 1
	echo 0 > $p/dmatest
	echo 10 > $p/iterations
	echo 1 > $p/threads_per_chan
	echo "$chan" > $p/channel || return 1
	echo 1 > $p/run
	cat $p/wait > /dev/null
	# the last descriptor is freed just after its callback returned
	while cached=$(descriptors_cached) && [ "$cached" -eq 0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ktap_diag "descriptors cached after 10 transfers on $chan: $cached"
	# one transfer at a time: its descriptor, and at most one more that a
	# prep allocated while the last one's free was still to come
	[ "${cached:-0}" -ge 1 ] && [ "$cached" -le 2 ]
}
# shellcheck disable=SC2086 # the first of the channels
cache_check "$(echo $chans | cut -d' ' -f1)"
ktap_result $? "freed descriptors are kept for reuse, no more than were in use"
cat /sys/module/dmatest/parameters/run > /dev/null
ktap_expect_eq "$(descriptors_cached)" 0 "a released channel keeps no cached descriptor"
hidma_rmmod dmatest
hidma_unload
ktap_result $? "unload drivers"
ktap_finish
