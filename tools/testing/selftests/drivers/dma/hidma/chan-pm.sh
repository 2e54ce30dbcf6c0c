#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runtime PM of the channels: idle channels autosuspend; a client makes
# its channel active and the channel works after every resume (the rings
# are reprogrammed); released channels suspend again. On host (devicetree)
# and acpi: the guest layout's channels suspend and resume the same way.
# hidma-layouts: host acpi
# hidma-timeout: 600
. "$(dirname "$0")/lib.sh"

CLIENT=hidma_test_client
P=/sys/module/$CLIENT/parameters

status()
{
	cat "/sys/class/dma/$1/device/power/runtime_status"
}

# wait_status CHAN WANT: poll for up to 10 s
wait_status()
{
	local i=0

	while [ $i -lt 100 ]; do
		[ "$(status "$1")" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

hidma_load
chans=$(hidma_channels hidma)
n=$(echo "$chans" | wc -w)
ktap_plan $((1 + n * 6 + 1))
ktap_result $((n == 0)) "channels present ($n)"

for c in $chans; do
	wait_status "$c" suspended
	ktap_result $? "$c: idle channel autosuspends"

	# A client streaming verified transfers until it is unloaded.
	hidma_rmmod $CLIENT
	insmod "$HIDMA_MODDIR/$CLIENT.ko" channel="$c" test=hold
	sleep 2
	st=$(status "$c")
	ktap_expect_eq "$st" active "$c: active while a client has work"
	held=0 errs=1 tmo=1 bad=1
	if [ -d $P ]; then
		held=$(cat $P/hold_ok)
		errs=$(cat $P/hold_errors)
		tmo=$(cat $P/hold_timeouts)
		bad=$(cat $P/hold_bad_data)
	fi
	hidma_rmmod $CLIENT || errs=$((errs + 1))
	ktap_diag "$c: hold: $held ok, $errs errors, $tmo timeouts, $bad wrong data"
	[ "$held" -gt 0 ] && [ "$errs" = 0 ] && [ "$tmo" = 0 ] && [ "$bad" = 0 ]
	ktap_result $? "$c: the client's transfers completed with the right data"

	wait_status "$c" suspended
	ktap_result $? "$c: suspended again once released"

	hidma_client channel="$c" test=basic
	ktap_result $? "$c: transfers work after resume"
	wait_status "$c" suspended
	ktap_result $? "$c: suspended after the client left"
done

hidma_unload
ktap_result $? "unload drivers"
ktap_finish
