#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Taking hidma_mgmt away (rmmod, unbind) while every channel runs dmatest
# does not disturb the channels: all threads finish with 0 failures, the
# block stays enabled, and loading it again reapplies the firmware values.
# Host only: ACPI changes where the firmware values come from, which
# mgmt-sysfs checks on acpi, not how a reload applies them.
# hidma-layouts: host
# hidma-timeout: 600
. "$(dirname "$0")/lib.sh"

P=/sys/module/dmatest/parameters

# summaries MARK: dmatest summary lines logged after dmesg line MARK
summaries()
{
	dmesg | tail -n +$(($1 + 1)) | grep 'dmatest: .*summary'
}

# start_dmatest ITER CHAN...: start dmatest in the background
start_dmatest()
{
	local iter=$1 c
	shift

	dmatest_fresh || return 1
	echo 0 > $P/dmatest
	echo "$iter" > $P/iterations
	echo 1 > $P/threads_per_chan
	echo 0 > $P/norandom
	echo 16384 > $P/test_buf_size
	echo 10000 > $P/timeout
	for c in "$@"; do
		echo "$c" > $P/channel || return 1
	done
	echo 1 > $P/run
}

# finish_dmatest MARK NCHAN DESC: wait, then check every thread passed
finish_dmatest()
{
	local lines

	dmatest_wait
	lines=$(summaries "$1")
	echo "$lines" | sed 's/^/# /'
	if [ "$(echo "$lines" | grep -c summary)" -eq "$2" ] &&
	   [ "$(echo "$lines" | grep -vc ' 0 failures')" -eq 0 ]; then
		ktap_ok "$3"
	else
		ktap_not_ok "$3"
	fi
}

ktap_plan 8

hidma_load
dir=$(hidma_mgmt_dir)
# shellcheck disable=SC2046 # one channel per word
set -- $(hidma_channels hidma)
if [ -z "$dir" ] || [ $# -eq 0 ]; then
	ktap_not_ok "management device and channels present"
	ktap_finish
fi
ktap_ok "management device and $# channels present"
n=$#
dev=$(basename "$(readlink -f "$dir")")
fw=$(cat "$dir/max_write_request")

# dmatest_running: true while the dmatest run has not ended
dmatest_running()
{
	[ "$(cat $P/run)" = Y ]
}

# rmmod while every channel runs
echo 256 > "$dir/max_write_request" &&
	[ "$(qom_get x-reg-max-write-burst-bytes)" = 256 ]
ktap_result $? "max_write_request 256 reached the hardware"
mark=$(dmesg | wc -l)
start_dmatest 400 "$@"
sleep 1
dmatest_running
ktap_result $? "dmatest still runs when hidma_mgmt is removed"
hidma_rmmod hidma_mgmt
ktap_result $? "rmmod hidma_mgmt while dmatest runs"
finish_dmatest "$mark" "$n" "dmatest clean through rmmod hidma_mgmt"

# Loading again reapplies the firmware configuration
hidma_insmod hidma_mgmt
dir=$(hidma_mgmt_dir)
if [ -n "$dir" ] && [ "$(cat "$dir/max_write_request")" = "$fw" ] &&
   [ "$(qom_get x-reg-max-write-burst-bytes)" = "$fw" ]; then
	ktap_ok "reload reapplies the firmware values"
else
	ktap_not_ok "reload reapplies the firmware values"
fi

# unbind and bind while every channel runs
mark=$(dmesg | wc -l)
start_dmatest 400 "$@"
sleep 1
ok=0
dmatest_running || { ktap_diag "dmatest ended before the unbinds"; ok=1; }
for _ in 1 2 3 4 5; do
	echo "$dev" > /sys/bus/platform/drivers/hidma-mgmt/unbind || ok=1
	echo "$dev" > /sys/bus/platform/drivers/hidma-mgmt/bind || ok=1
done
dmatest_running || { ktap_diag "dmatest ended during the unbinds"; ok=1; }
ktap_result $ok "unbind/bind hidma_mgmt 5 times while dmatest runs"
finish_dmatest "$mark" "$n" "dmatest clean through unbind/bind"

ktap_finish
