#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 10 load/unload cycles of hidma.ko and 10 unbind/bind cycles of its
# channels (each unbound twice), some of them with a client streaming
# transfers on the channel while it is unbound. Nothing may crash, hang or leak (the bench scans
# the log and kmemleak), and every channel works at the end. On the host
# layout only: the channels are behind the SMMU there, and nothing here
# depends on hidma_mgmt (the guest and acpi layouts differ in probe, which
# the other suites cover there).
# hidma-layouts: host
# hidma-timeout: 1200
. "$(dirname "$0")/lib.sh"

CYCLES=10
CLIENT=hidma_test_client
P=/sys/module/$CLIENT/parameters
DRV=/sys/bus/platform/drivers/hidma

nchan()
{
	hidma_channels hidma | wc -w
}

# desc_count is checked when it is given: a bad value is refused with
# EINVAL and nothing is left loaded; a good one sizes every ring.
params_ok()
{
	local v out slots f n=0

	for v in 3 4096 abc -1 99999999999 ""; do
		out=$(insmod "$HIDMA_MODDIR/hidma.ko" desc_count="$v" 2>&1) && {
			ktap_diag "desc_count='$v' was accepted"
			rmmod hidma
			return 1
		}
		case "$out" in
		*"Invalid argument"*) ;;
		*) ktap_diag "desc_count='$v': $out"; return 1 ;;
		esac
		grep -q '^hidma ' /proc/modules && return 1
	done
	hidma_insmod hidma desc_count=16 || return 1
	for f in /sys/kernel/debug/dmaengine/*/ring; do
		[ -r "$f" ] || continue
		slots=$(sed -n 's/^slots: //p' "$f")
		[ "$slots" = 17 ] || { ktap_diag "$f: $slots slots"; rmmod hidma; return 1; }
		n=$((n + 1))
	done
	rmmod hidma
	[ "$n" -gt 0 ]
}

ktap_plan 9
[ "$HIDMA_LAYOUT" = guest ] || hidma_insmod hidma_mgmt
params_ok
ktap_result $? "desc_count: bad values refused with EINVAL, 16 gives 16 + 1 ring slots"
hidma_insmod hidma
want=$(nchan)
ktap_result $((want == 0)) "channels present ($want)"

# Load/unload; every 10th cycle moves data on every channel first.
bad=0
i=0
while [ $i -lt $CYCLES ]; do
	if [ $((i % 10)) -eq 0 ]; then
		for c in $(hidma_channels hidma); do
			hidma_client channel="$c" test=basic || bad=$((bad + 1))
		done
	fi
	rmmod hidma || bad=$((bad + 1))
	[ "$(nchan)" -eq 0 ] || bad=$((bad + 1))
	hidma_insmod hidma || bad=$((bad + 1))
	[ "$(nchan)" -eq "$want" ] || bad=$((bad + 1))
	i=$((i + 1))
done
ktap_diag "$bad failures in $CYCLES load/unload cycles"
ktap_result $bad "$CYCLES load/unload cycles, some after traffic"

# Unbind/bind, cycling through the channel devices; every 5th cycle a
# client streams on the channel while it is unbound under it.
devs=""
for c in $(hidma_channels hidma); do
	devs="$devs $(basename "$(readlink -f "/sys/class/dma/$c/device")")"
done
bad=0
held=0
noreset=0
timeouts=0
i=0
while [ $i -lt $CYCLES ]; do
	for d in $devs; do
		[ $i -lt $CYCLES ] || break
		c=""
		for x in $(hidma_channels hidma); do
			[ "$(basename "$(readlink -f "/sys/class/dma/$x/device")")" = "$d" ] && c=$x
		done
		traffic=0
		if [ $((i % 5)) -eq 0 ] && [ -n "$c" ]; then
			hidma_rmmod $CLIENT || bad=$((bad + 1))
			if insmod "$HIDMA_MODDIR/$CLIENT.ko" channel="$c" test=hold; then
				traffic=1
				sleep 0.3
			else
				bad=$((bad + 1))
			fi
		fi
		# remove() stops the engine: the model sees a channel reset.
		idx=$(cat "$DRV/$d/chid")
		r0=$(qom_get "x-ch$idx-resets") || bad=$((bad + 1))
		echo "$d" > $DRV/unbind || bad=$((bad + 1))
		r1=$(qom_get "x-ch$idx-resets") || bad=$((bad + 1))
		if [ "${r1:-0}" -le "${r0:-0}" ]; then
			ktap_diag "$d: unbind did not reset channel $idx"
			noreset=$((noreset + 1))
		fi
		if [ $traffic = 1 ]; then
			sleep 0.2
			ok=$(cat $P/hold_ok)
			timeouts=$((timeouts + $(cat $P/hold_timeouts)))
			# a transfer that said success must have copied
			bad=$((bad + $(cat $P/hold_bad_data)))
			[ "$ok" -gt 0 ] && held=$((held + 1))
			rmmod $CLIENT || bad=$((bad + 1))
		fi
		echo "$d" > $DRV/bind || bad=$((bad + 1))
		[ "$(nchan)" -eq "$want" ] || bad=$((bad + 1))
		i=$((i + 1))
	done
done
ktap_diag "$bad failures in $CYCLES unbind/bind cycles; $held had traffic"
ktap_result $bad "$CYCLES unbind/bind cycles"
ktap_result $((held == 0)) "clients moved data right up to the unbind ($held cycles)"
ktap_expect_eq "$timeouts" 0 "no client waited for a callback that never came"
ktap_expect_eq "$noreset" 0 "every unbind reset its channel in the model"

bad=0
for c in $(hidma_channels hidma); do
	hidma_client channel="$c" test=basic || bad=$((bad + 1))
done
ktap_result $bad "every channel works at the end"

hidma_unload
ktap_result $? "unload drivers"
ktap_finish
