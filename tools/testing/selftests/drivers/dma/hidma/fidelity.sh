#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fidelity of the model: the in-kernel 6.12 HIDMA drivers (hdma_mgmt,
# hdma), which were validated on real silicon, probe on the ACPI layout
# and dmatest memcpy passes on every channel, with 4 threads per channel
# so that the ring holds several transfers at once.
# hidma-layouts: acpi
# hidma-timeout: 900
. "$(dirname "$0")/lib.sh"

ktap_plan 5

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

if [ $# -gt 0 ]; then
	modprobe dmatest
	echo 4096 > /sys/module/dmatest/parameters/test_buf_size
	before=$(qom_get ch0-tres-completed)
	dmatest_run memcpy 200 4 "$@"
	rc=$?
	after=$(qom_get ch0-tres-completed)
	ktap_diag "model channel 0 completed $((after - before)) TREs"
	[ "$rc" -eq 0 ] && [ "$after" -gt "$before" ]
	ktap_result $? "dmatest memcpy passes on every channel with the in-kernel driver"
else
	ktap_skip "dmatest memcpy passes on every channel with the in-kernel driver" \
		"no channel registered"
fi

rmmod dmatest hdma hdma_mgmt 2>/dev/null
ktap_finish
