#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A channel reset that never completes: the error is reported against the
# failed transfer, the others complete or are aborted, nobody waits
# forever and the channel is marked failed with a clear message. Once the
# client is gone the channel is set up again on its next use.
# hidma-layouts: guest host
# hidma-timeout: 300
. "$(dirname "$0")/lib.sh"

ktap_plan 6
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

if ! qom_set "ch$idx-hang-next-reset" true >/dev/null; then
	ktap_skip "error with a hanging reset" "no QOM access"
	ktap_skip "clear message" "no QOM access"
	ktap_skip "channel works again" "no QOM access"
	ktap_skip "channel works again, twice" "no QOM access"
	hidma_unload
	ktap_ok "unload drivers"
	ktap_finish
fi
qom_set "ch$idx-fail-cause" 10 >/dev/null
qom_set "ch$idx-fail-count" 1 >/dev/null
mark=$(dmesg | wc -l)
hidma_client channel="$c" test=after-fail expect=1
ktap_result $? "$c: error with a hanging reset: every client callback came"
dmesg | tail -n +$((mark + 1)) | grep -q "marked failed"
ktap_result $? "$c: clear message that the channel failed"
qom_set "ch$idx-hang-next-reset" false >/dev/null
qom_set "ch$idx-fail-count" 0 >/dev/null
echo auto > "$ctl"

hidma_client channel="$c" test=basic
ktap_result $? "$c: the channel works again after it was released"
hidma_client channel="$c" test=basic
ktap_result $? "$c: and keeps working"

hidma_unload
ktap_result $? "unload drivers"
ktap_finish
