#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Regressions of the channel driver's lifecycle, on the strict IOMMU host
# layout where a DMA after an unmap faults: no transfer runs twice across
# a suspend; nothing is unmapped or completed while the engine may still
# write (terminate, unbind); a late SUSPEND; a skipped event slot; prep's
# bound; one TRE above 64 MiB; no sleep under the dmaengine core's mutex.
# hidma-layouts: host
# hidma-timeout: 600
. "$(dirname "$0")/lib.sh"

DRV=/sys/bus/platform/drivers/hidma
P=/sys/module/hidma_test_client/parameters

ktap_plan 20
hidma_insmod hidma_mgmt && hidma_insmod hidma desc_count=8
ktap_result $? "load drivers, 8 descriptors per channel"
c=$(hidma_channels hidma | head -n 1)
idx=$(cat "/sys/class/dma/$c/device/chid")
dev=$(basename "$(readlink -f "/sys/class/dma/$c/device")")

# smmu_quiet MARK: no SMMU event since line MARK of dmesg.
smmu_quiet()
{
	[ -z "$(smmu_event_sids "$1")" ]
}

# A suspend of the devices between two chained transfers and their events
echo devices > /sys/power/pm_test && echo 0 > /sys/module/suspend/parameters/pm_test_delay
hidma_client channel="$c" test=rerun
ktap_result $? "$c: suspend with finished transfers unread: none runs twice"
echo none > /sys/power/pm_test

# An event write that fails after the event ring wrapped: its slot still
# holds the last lap's "complete".
hidma_client channel="$c" test=basic
ktap_result $? "$c: 16 transfers: the 9-slot event ring wrapped"
qom_set_all "x-ch$idx-fail-cause" 1 "x-ch$idx-fail-count" 1
ktap_result $? "$c: model armed: the next event write fails"
hidma_client channel="$c" test=error expect=3 nfail=1
ktap_result $? "$c: the transfer whose event was lost is the one aborted"
qom_set "x-ch$idx-fail-count" 0 && qom_set "x-ch$idx-fail-cause" 10
ktap_result $? "$c: model disarmed"

# A slow transfer: one byte per microsecond on the shared bus.
qom_set x-bus-bytes-per-us 1
ktap_result $? "bus paced"
failed0=$(qom_get "x-ch$idx-tres-failed")
mark=$(dmesg | wc -l)
hidma_client channel="$c" test=terminate-unmap
ktap_result $? "$c: terminate a running transfer that carries unmap data"
failed1=$(qom_get "x-ch$idx-tres-failed")
ktap_expect_eq "$failed1" "$failed0" "$c: its pages stayed mapped while it ran (no TRE failed)"
smmu_quiet "$mark"
ktap_result $? "$c: no SMMU fault"

# Unbind under a stream of 64 KiB transfers unmapped by their callback,
# UNBINDS times; timer interrupts every 10 us let the completion tasklet
# run as soon as remove() raises it.
UNBINDS=4
qom_set x-bus-bytes-per-us 10
mark=$(dmesg | wc -l)
rc=0 early=0 tmo=0 bad=0 ok=0 n=0
while [ $n -lt $UNBINDS ]; do
	hidma_rmmod hidma_test_client
	insmod "$HIDMA_MODDIR/hidma_test_client.ko" channel="$c" test=hold \
		hold_len=65536 hold_tick_us=10 || rc=1
	sleep 1
	echo "$dev" > $DRV/unbind || rc=1
	ok=$((ok + $(cat $P/hold_ok)))
	tmo=$((tmo + $(cat $P/hold_timeouts)))
	bad=$((bad + $(cat $P/hold_bad_data)))
	early=$((early + $(cat $P/hold_early)))
	hidma_rmmod hidma_test_client || rc=1
	echo "$dev" > $DRV/bind || rc=1
	for d in "/sys/bus/platform/devices/$dev/dma/"dma*; do
		c=${d##*/}
	done
	n=$((n + 1))
done
ktap_result $rc "$c: $UNBINDS unbinds under traffic, bound again each time"
failed2=$(qom_get "x-ch$idx-tres-failed")
ktap_diag "hold: $ok ok, $tmo timeouts, $bad wrong data, $early early callbacks"
[ "$failed2" = "$failed1" ] && [ "$early" = 0 ]
ktap_result $? "$c: callbacks of aborted transfers came after the engine stopped, no TRE failed"
smmu_quiet "$mark"
ktap_result $? "$c: no SMMU fault"
[ "$tmo" = 0 ] && [ "$bad" = 0 ]
ktap_result $? "$c: every callback came, no wrong data"
qom_set x-bus-bytes-per-us 0
ktap_result $? "$c: bus unpaced"

qom_set "x-ch$idx-suspend-delay-us" 5000
hidma_client channel="$c" test=pause-late
ktap_result $? "$c: a SUSPEND slower than the driver's poll"
qom_set "x-ch$idx-suspend-delay-us" 0

hidma_client channel="$c" test=prep-limit
ktap_result $? "$c: prep refuses past its bound"
hidma_client channel="$c" test=large
ktap_result $? "$c: one memset of 64 MiB + 4 KiB"
hidma_client channel="$c" test=nosleep
ktap_result $? "$c: request and release do not sleep"

hidma_unload
ktap_result $? "unload drivers"
ktap_finish
