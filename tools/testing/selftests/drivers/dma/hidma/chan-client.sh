#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The test client on every channel: results of every callback, pause and
# resume, residue, terminate_all + synchronize mid-stream. On the first
# and last channel, each injected error cause must reach the client as
# the right tx_result, on the failed transfer only; the transfers queued
# behind it complete normally and the channel keeps working by itself.
# On host (SMMU, wired), host-msi and acpi-msi (each error cause on an
# MSI vector of its own; there the first and last channel stand for all
# six). Not on acpi: the client sees the same driver there; nor on the
# guest layout, whose data path without SMMU and hidma_mgmt chan-highmem,
# chan-recovery and the kunit suite exercise.
# hidma-layouts: host host-msi acpi-msi
# hidma-timeout: 900
. "$(dirname "$0")/lib.sh"

# chan_index CHAN: hardware index of a dmaengine channel
chan_index()
{
	cat "/sys/class/dma/$1/device/chid"
}

# error_case CHAN CAUSE RESULT NAME
error_case()
{
	local c=$1 cause=$2 res=$3 name=$4 idx failed0 failed1 rc

	idx=$(chan_index "$c")
	failed0=$(qom_get "x-ch$idx-tres-failed") &&
		qom_set_all "x-ch$idx-fail-cause" "$cause" "x-ch$idx-fail-count" 1
	rc=$?
	if [ $rc -eq 0 ]; then
		hidma_client channel="$c" test=error expect="$res" nfail=1
		rc=$?
	fi
	ktap_result $rc "$c: $name reported as result $res, the rest completes"
	failed1=$(qom_get "x-ch$idx-tres-failed")
	ktap_expect_eq "$((failed1 - failed0))" 1 "$c: the model failed exactly one TRE"
	qom_set "x-ch$idx-fail-count" 0
	ktap_result $? "$c: fault injection disarmed"
}

hidma_load
load_rc=$?
chans=$(hidma_channels hidma)
n=$(echo "$chans" | wc -w)
# shellcheck disable=SC2086 # one argument per channel
sel=$(hidma_first_last $chans)
nsel=$(echo "$sel" | wc -w)

nall=$n
case "$HIDMA_LAYOUT" in
*-msi) nall=$nsel ;;
esac
ktap_plan $((2 + nall * 2 + nsel * 12 + 1))
ktap_result $load_rc "load drivers"
ktap_result $((n == 0)) "channels present ($n)"

# The MSI layouts repeat the host's data path: the first and last
# channel suffice there.
all=$chans
case "$HIDMA_LAYOUT" in
*-msi) all=$sel ;;
esac
for c in $all; do
	hidma_client channel="$c" test=all
	ktap_result $? "$c: basic, pause/resume, residue, highmem"
	# terminate_all on a slow bus, so that it really cuts a stream
	# (64 x 64 KiB at 20 bytes/us take 200 ms: ample time to cut in)
	qom_set x-bus-bytes-per-us 20 && hidma_client channel="$c" test=terminate
	rc=$?
	qom_set x-bus-bytes-per-us 0 || rc=1
	ktap_result $rc "$c: terminate_all + synchronize on a slow bus"
done

# 9 TRE read error and 14 invalid TRE moved no data: ABORTED (3);
# 10 data read error: READ_FAILED (1); 11 data write error: WRITE_FAILED (2)
for c in $sel; do
	error_case "$c" 9 3 "TRE read error"
	error_case "$c" 10 1 "data read error"
	error_case "$c" 11 2 "data write error"
	error_case "$c" 14 3 "invalid TRE"
done

hidma_unload
ktap_result $? "unload drivers"
ktap_finish
