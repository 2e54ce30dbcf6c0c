#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A channel reset that never completes: the error is reported against the
# failed transfer, the others complete or are aborted, nobody waits
# forever and the channel is marked failed with a clear message. The
# client's terminate_sync resets it again, and it works.
# hidma-layouts: guest host
# hidma-timeout: 300
. "$(dirname "$0")/lib.sh"

ktap_plan 9
hidma_load
c=$(hidma_channels hidma | head -n 1)
if [ -z "$c" ]; then
	ktap_not_ok "a channel is present"
	ktap_finish
fi
ktap_ok "a channel is present ($c)"
idx=$(cat "/sys/class/dma/$c/device/chid")
# Keep the channel powered, so that the hanging reset is the one of the
# error recovery and not the one of a runtime resume.
ctl=/sys/class/dma/$c/device/power/control
echo on > "$ctl"

resets0=$(qom_get "x-ch$idx-resets") &&
	qom_set_all "x-ch$idx-hang-next-reset" true "x-ch$idx-fail-cause" 10 \
		"x-ch$idx-fail-count" 1
ktap_result $? "$c: model armed: next TRE fails, next reset hangs"
mark=$(dmesg | wc -l)
hidma_client channel="$c" test=after-fail expect=1
ktap_result $? "$c: error with a hanging reset: every client callback came"
resets1=$(qom_get "x-ch$idx-resets")
hung=$(qom_get "x-ch$idx-hang-next-reset")
ktap_diag "resets: $resets0 before, $resets1 after the error; hang armed: $hung"
[ "$resets1" -gt "$resets0" ] && [ "$hung" = false ]
ktap_result $? "$c: the driver reset the channel after the error, and that reset hung"
dmesg | tail -n +$((mark + 1)) | grep -q "marked failed"
ktap_result $? "$c: clear message that the channel failed"
qom_set_all "x-ch$idx-hang-next-reset" false "x-ch$idx-fail-count" 0
rc=$?
echo auto > "$ctl" || rc=1
ktap_result $rc "$c: model disarmed"

hidma_client channel="$c" test=basic
ktap_result $? "$c: the next client finds the channel working"
hidma_client channel="$c" test=basic
ktap_result $? "$c: and keeps working"

hidma_unload
ktap_result $? "unload drivers"
ktap_finish
