#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Load order on the ACPI host layout, where the channels are enumerated on
# their own: with the management block not enabled yet the channels defer
# with a clear reason, and they probe as soon as the management driver
# has enabled the engine.
# hidma-layouts: acpi
# hidma-timeout: 300
. "$(dirname "$0")/lib.sh"

ktap_plan 5
hidma_unload
hidma_insmod hidma
ktap_result $? "load hidma alone"
n=$(hidma_channels hidma | wc -w)
ktap_expect_eq "$n" 0 "no channel before the management block is enabled"
reason=$(grep -ci "management block not enabled" /sys/kernel/debug/devices_deferred 2>/dev/null)
ktap_diag "$reason channels deferred with the management reason"
[ "$reason" -gt 0 ]
ktap_result $? "deferred with a clear reason"
hidma_insmod hidma_mgmt
i=0
while [ $i -lt 50 ] && [ "$(hidma_channels hidma | wc -w)" -lt "${HIDMA_CHANNELS:-1}" ]; do
	sleep 0.1
	i=$((i + 1))
done
ktap_expect_eq "$(hidma_channels hidma | wc -w)" "${HIDMA_CHANNELS:-1}" "every channel probed once the management driver is in"
hidma_unload
ktap_result $? "unload drivers"
ktap_finish
