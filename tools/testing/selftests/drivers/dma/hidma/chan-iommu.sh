#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The channels behind the SMMUv3, as on QDF2400. Every channel has its own
# stream ID, IOMMU group and strict DMA domain; the management block is no
# bus master. A transfer to a bus address outside the client's mappings
# faults in the SMMU with the channel's stream ID, fails with the result of
# the side that faulted, leaves the memory behind that address alone, and
# the channel works again after it.
# hidma-layouts: host acpi
# hidma-timeout: 600
. "$(dirname "$0")/lib.sh"

# virt gives the HIDMA channels platform stream IDs from 0x10000 up, in
# channel order (QEMU patch 0003).
SID_BASE=65536
# write, memset and read to the stray address
FAULTS=3

# of_sid DEV: the stream ID in DEV's devicetree "iommus" (phandle, SID)
of_sid()
{
	# shellcheck disable=SC2046 # one word per byte
	set -- $(od -An -tu1 -v "$1/of_node/iommus")
	[ $# -eq 8 ] || return 1
	echo $(($5 << 24 | $6 << 16 | $7 << 8 | $8))
}

hidma_load
load_rc=$?
chans=$(hidma_channels hidma)
n=$(echo "$chans" | wc -w)
# shellcheck disable=SC2086 # one argument per channel
sel=$(hidma_first_last $chans)
nsel=$(echo "$sel" | wc -w)

ktap_plan $((6 + n * 2 + nsel * 4))
ktap_result $load_rc "load drivers"
ktap_expect_eq "$HIDMA_IOMMU" smmuv3 "the layout has the SMMU"
ktap_expect_eq "$n" "$HIDMA_CHANNELS" "every channel is present"

mgmt=$(hidma_mgmt_dir)
[ -n "$mgmt" ] && [ ! -e "$mgmt/iommu_group" ]
ktap_result $? "the management device is no IOMMU client"

groups=""
for c in $chans; do
	dev=$(readlink -f "/sys/class/dma/$c/device")
	idx=$(cat "$dev/chid")
	group=$(readlink -f "$dev/iommu_group" 2>/dev/null)
	type=$(cat "$group/type" 2>/dev/null)
	# DMA is the strict domain; DMA-FQ would be the lazy one
	ktap_expect_eq "$type" DMA "$c: strict DMA domain (${group##*/})"
	groups="$groups ${group##*/}"
	if [ "$HIDMA_LAYOUT" = acpi ]; then
		ktap_skip "$c: devicetree stream ID" "ACPI: the IORT maps it"
	else
		ktap_expect_eq "$(of_sid "$dev")" $((SID_BASE + idx)) \
			"$c: devicetree stream ID"
	fi
done
ngroups=$(echo "$groups" | tr ' ' '\n' | grep -v '^$' | sort -u | wc -l)
ktap_expect_eq "$ngroups" "$n" "every channel has its own IOMMU group"

for c in $sel; do
	idx=$(cat "/sys/class/dma/$c/device/chid")
	sid=$((SID_BASE + idx))
	failed0=$(qom_get "x-ch$idx-tres-failed")
	mark=$(dmesg | wc -l)
	smmu_expect begin
	hidma_client channel="$c" test=iommu-fault
	ktap_result $? "$c: stray transfers fail, canary intact, channel recovers"
	# The SMMU driver logs from its event thread: wait for all of them.
	i=0
	while [ "$(smmu_event_sids "$mark" | wc -l)" -lt $FAULTS ] && [ $i -lt 20 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	smmu_expect end
	sids=$(smmu_event_sids "$mark")
	ktap_diag "$c: SMMU events from stream IDs: $(echo "$sids" | tr '\n' ' ')"
	ktap_expect_eq "$(echo "$sids" | grep -cx "$sid")" $FAULTS \
		"$c: the SMMU logged $FAULTS faults of stream ID $sid"
	ktap_expect_eq "$(echo "$sids" | grep -v '^$' | grep -vcx "$sid")" 0 \
		"$c: no fault from any other stream ID"
	failed1=$(qom_get "x-ch$idx-tres-failed")
	ktap_expect_eq "$((failed1 - failed0))" $FAULTS \
		"$c: the model failed exactly $FAULTS TREs"
done

hidma_unload
ktap_result $? "unload drivers"
ktap_finish
