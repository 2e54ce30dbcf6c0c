#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fidelity of the model: the in-kernel 6.12 HIDMA drivers (hdma_mgmt,
# hdma), which were validated on real silicon, probe on the ACPI layout
# and dmatest memcpy passes on every channel, with 4 threads per channel
# so that the ring holds several transfers at once.
# hidma-layouts: acpi
# hidma-timeout: 900
. "$(dirname "$0")/lib.sh"

ITER=100

ktap_plan 7

modprobe hdma_mgmt
ktap_result $? "in-kernel hdma_mgmt loads"
# It needs the management interrupt in QCOM8060's _CRS to probe.
ls -d /sys/bus/platform/drivers/hidma-mgmt/QCOM8060:* > /dev/null 2>&1
ktap_result $? "in-kernel hdma_mgmt binds the QCOM8060 device"
modprobe hdma
ktap_result $? "in-kernel hdma loads"

# Both drivers name themselves like ours; only theirs is loaded here.
# shellcheck disable=SC2046 # one channel per word
set -- $(hidma_channels hidma)
ktap_expect_eq "$#" "${HIDMA_CHANNELS:-6}" "in-kernel hdma registers every channel"

# model_counters PROP: the model's PROP of every channel, space separated
model_counters()
{
	local i=0 v out=""

	while [ $i -lt "${HIDMA_CHANNELS:-6}" ]; do
		v=$(qom_get "x-ch$i-$1") || return 1
		out="$out $v"
		i=$((i + 1))
	done
	echo "$out"
}

# dmatest_fallout: reads dmatest's lines on stdin and prints
# "FAILURES SUMMARIES OWN" and then, one per line, "CHANNEL SUBMIT_ERRORS".
# 6.12's hidma_tx_status() reads the channel's cookies without its lock:
# a dmatest thread preempted between the two reads (the debug kernel is
# preemptible) sees its finished transfer in progress ('completion busy
# status'). A thread that failed ends with dmaengine_terminate_sync() on
# the channel it shares: the other threads' transfers then in flight
# complete with an error, and their next submits may fail. Those failures
# are the driver's and dmatest's, not the model's; OWN counts all others.
dmatest_fallout()
{
	awk '
	function chan(line) {
		sub(/.*dmatest: /, "", line)
		sub(/-copy[0-9]+:.*/, "", line)
		return line
	}
	/dmatest: .* summary [0-9]+ tests, [0-9]+ failures/ {
		n = $0
		sub(/.* tests, /, "", n)
		n += 0
		failures += n
		summaries++
		if (n)
			terminated[chan($0)] = 1
		next
	}
	/dmatest: .* result #/ {
		c = chan($0)
		if ($0 ~ /completion busy status/)
			next
		if (terminated[c] && $0 ~ /submit error/) {
			submit[c]++
			next
		}
		if (terminated[c] && $0 ~ /completion error status/)
			next
		own++
	}
	END {
		print failures + 0, summaries + 0, own + 0
		for (c in submit)
			print c, submit[c]
	}'
}

# sorted LIST: the numbers of LIST in ascending order
sorted()
{
	echo "$1" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' '
}

modprobe dmatest
echo 4096 > /sys/module/dmatest/parameters/test_buf_size
before=$(model_counters tres-completed)
mark=$(dmesg | wc -l)
dmatest_run memcpy $ITER 4 "$@"
rc=$?
after=$(model_counters tres-completed)
ktap_diag "model TREs completed per channel: before$before, after$after"
fallout=$(dmesg | tail -n +$((mark + 1)) | dmatest_fallout)
read -r failures summaries own <<EOF
$(echo "$fallout" | head -n 1)
EOF
if [ "$rc" -ne 0 ]; then
	ktap_diag "$failures failures, $own of them not the in-kernel driver's (unlocked cookie read, terminate by a failed thread)"
	[ "$own" -eq 0 ] && [ "$summaries" -eq $(($# * 4)) ] && rc=0
fi
# Every TRE submitted ran: 4 x ITER per channel, less its refused submits.
want=""
for c in "$@"; do
	s=$(echo "$fallout" | awk -v c="$c" '$1 == c { print $2 }')
	want="$want $((4 * ITER - ${s:-0}))"
done
ktap_diag "TREs submitted per channel:$want"
bad=0
[ -n "$before" ] && [ -n "$after" ] && [ $# -gt 0 ] || bad=1
got=""
# shellcheck disable=SC2086 # one counter per word
set -- $before
for a in $after; do
	got="$got $((a - $1))"
	shift
done
# dmaN need not be the model's channel N: compare the counts as sets.
[ "$(sorted "$got")" = "$(sorted "$want")" ] || bad=1
[ "$rc" -eq 0 ] && [ $bad -eq 0 ]
ktap_result $? "dmatest memcpy passes, every submitted TRE completed (4 x $ITER per channel), with the in-kernel driver"

hwm=$(model_counters ring-hwm)
ktap_diag "most TREs queued at once per channel:$hwm"
bad=0
[ -n "$hwm" ] || bad=1
for h in $hwm; do
	[ "$h" -ge 2 ] || bad=1
done
ktap_result $bad "every channel's ring held several transfers at once"

# The in-kernel hdma never frees its kfifo (one 1 KiB leak per channel
# on remove, a known 6.12 defect): it stays loaded, so that the bench's
# leak gate keeps judging the model and not that driver.
hidma_rmmod dmatest
ktap_result $? "dmatest unloads"
ktap_finish
