#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# MSI-capable channels (qcom,hidma-1.1 on host-msi, QCOM8063 on acpi-msi):
# every channel signals through ITS vectors, one per interrupt cause, and
# not through its wired line; completions and an injected error arrive on
# their own vectors; the channel index comes from the identity register
# on QCOM8063. With --its off (no MSI controller) the same channels fall
# back to their wired interrupt, say so once, and still move data. The
# runner's kmemleak scan covers both paths, probe and remove.
# hidma-layouts: host-msi acpi-msi
# hidma-timeout: 600
. "$(dirname "$0")/lib.sh"

# Causes the driver enables: end of block, event write, TRE read, data
# read, data write, invalid TRE.
NCAUSES=6

# irq_lines DEV [CAUSE]: /proc/interrupts lines of a device, or of the
# MSI vector named after CAUSE
irq_lines()
{
	if [ -n "$2" ]; then
		grep " $1:$2\$" /proc/interrupts
	else
		grep -E " $1(:[a-z-]+)?\$" /proc/interrupts
	fi
}

# irq_count LINE: interrupts taken on all CPUs
irq_count()
{
	echo "$1" | awk '{ n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }'
}

hidma_load
load_rc=$?
chans=$(hidma_channels hidma)
n=$(echo "$chans" | wc -w)
ktap_plan $((3 + n * 3 + 4))
ktap_result $load_rc "load drivers"
ktap_expect_eq "$n" "${HIDMA_CHANNELS:-$n}" "one dmaengine channel per hardware channel"
fallbacks=$(dmesg | grep -c 'hidma .*: using the wired interrupt')
if [ "$HIDMA_ITS" = off ]; then
	ktap_expect_eq "$fallbacks" "$n" "no ITS: each channel fell back to wired, once"
else
	ktap_expect_eq "$fallbacks" 0 "no channel fell back to wired"
fi

i=0
for c in $chans; do
	dev=$(basename "$(readlink "/sys/class/dma/$c/device")")
	idx=$(cat "/sys/class/dma/$c/device/chid")
	# the channels probe in firmware order: index i is the i-th channel
	ktap_expect_eq "$idx" "$i" "$c: channel index $idx read from the hardware"
	i=$((i + 1))
	lines=$(irq_lines "$dev")
	its=$(echo "$lines" | grep -c 'ITS-')
	if [ "$HIDMA_ITS" = off ]; then
		ktap_expect_eq "$(echo "$lines" | grep -c .):$its" "1:0" \
			"$c ($dev): one wired interrupt, no ITS vector"
	else
		named=$(echo "$lines" | grep -cE " $dev:(eob|event-write|tre-read|data-read|data-write|invalid-tre)\$")
		ktap_expect_eq "$(echo "$lines" | grep -c .):$its:$named" \
			"$NCAUSES:$NCAUSES:$NCAUSES" \
			"$c ($dev): $NCAUSES ITS-MSI vectors, one per cause, named after it"
	fi
	[ -n "$lines" ] && ktap_diag "$(echo "$lines" | head -n 1)"

	msis0=$(qom_get "x-ch$idx-msis")
	hidma_client channel="$c" test=basic
	rc=$?
	msis1=$(qom_get "x-ch$idx-msis")
	if [ "$HIDMA_ITS" = off ]; then
		[ "$rc" = 0 ] && [ "$msis1" = 0 ]
	else
		# completions signalled by MSI, counted on the end of block vector
		[ "$rc" = 0 ] && [ "$msis1" -gt "$msis0" ] &&
			[ "$(irq_count "$(irq_lines "$dev" eob)")" -gt 0 ]
	fi
	ktap_result $? "$c: transfers complete ($HIDMA_ITS ITS: model sent $((msis1 - msis0)) MSIs)"
done

# An error cause on its own vector: the data write error (cause 11)
c=$(echo "$chans" | head -n 1)
idx=$(cat "/sys/class/dma/$c/device/chid")
dev=$(basename "$(readlink "/sys/class/dma/$c/device")")
before=$(irq_lines "$dev" data-write)
qom_set_all "x-ch$idx-fail-cause" 11 "x-ch$idx-fail-count" 1 &&
	hidma_client channel="$c" test=error expect=2 nfail=1
ktap_result $? "$c: an injected data write error is reported as a write failure"
after=$(irq_lines "$dev" data-write)
if [ "$HIDMA_ITS" = off ]; then
	ktap_skip "$c: the data write error arrived on its own vector" "no ITS"
else
	ktap_expect_eq "$(($(irq_count "$after") - $(irq_count "$before")))" 1 \
		"$c: the data write error arrived on its own vector"
fi

# shellcheck disable=SC2086 # one argument per channel
dmatest_run memcpy 20 2 $chans
ktap_result $? "dmatest memcpy on every channel, 2 threads x 20 iterations, 0 failures"
hidma_rmmod dmatest
hidma_unload
ktap_result $? "unload drivers: handlers and vectors freed"
ktap_finish
