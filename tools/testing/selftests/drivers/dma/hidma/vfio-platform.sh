#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A channel handed to user space with vfio-platform and back, as a host
# hands it to a VMM: driver_override, unbind from hidma, bind to
# vfio-platform. vfio-platform resets the channel before and after its
# user (devicetree: vfio_platform_qcomhidma.ko; ACPI: the channel's
# _RST). The user (hidma_vfio) drives the channel through its own rings,
# including a stray transfer the SMMU stops. hidma_mgmt and the other
# channels, busy with dmatest all along, do not notice. The channel then
# goes back to hidma and works.
# hidma-layouts: vfio acpi
# hidma-timeout: 600
. "$(dirname "$0")/lib.sh"

# virt's platform stream IDs start here, in channel order (QEMU patch 0003)
SID_BASE=65536
# hidma_vfio's checks, and the stray transfers it makes (write and read)
USER_CHECKS=9
USER_FAULTS=2
ROUNDS=8
# each user batch holds 5 TREs; memcpy and memset, then one more batch
USER_TRES=$((ROUNDS * 5 * 2 + 5))
RESET_MOD=vfio_platform_qcomhidma

hidma_load
load_rc=$?
chans=$(hidma_channels hidma)
n=$(echo "$chans" | wc -w)
ktap_plan 17
ktap_result $load_rc "load drivers"
ktap_expect_eq "$n" "$HIDMA_CHANNELS" "every channel is present"

# the last channel goes to user space; dmatest keeps the others busy
victim=$(echo "$chans" | tr ' ' '\n' | tail -n 1)
others=$(echo "$chans" | tr ' ' '\n' | grep -vx "$victim" | tr '\n' ' ')
dev=$(readlink -f "/sys/class/dma/$victim/device")
idx=$(cat "$dev/chid")
dev=${dev##*/}
mgmt=$(hidma_mgmt_dir)
mgmt_before=$(hidma_mgmt_state "$mgmt")
ktap_diag "$victim is $dev (channel $idx); dmatest on $others"
out=$(mktemp)
# shellcheck disable=SC2086 # one argument per channel
dmatest_rounds_start "$out.others" $others

if [ "$HIDMA_LAYOUT" = acpi ]; then
	ktap_skip "devicetree: vfio-platform refuses the channel without its reset" \
		"ACPI: the _RST method resets it"
else
	hidma_bind_driver "$dev" vfio-platform
	rc=$?
	dmesg | grep -q "No reset function found for device $dev"
	ktap_expect_eq "$rc/$?" "1/0" \
		"devicetree: vfio-platform refuses the channel without its reset"
	hidma_insmod $RESET_MOD
fi

hidma_bind_driver "$dev" vfio-platform
ktap_result $? "the channel moves to vfio-platform"
# A wired interrupt is no MSI, but type1 only knows that no MSI controller
# isolates this device's: it refuses until the admin says so (QDF2400 hosts
# with qcom,hidma-1.0 channels boot with this on the command line).
unsafe=/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
echo N > $unsafe
hidma_vfio "$dev" 1 > "$out" 2>&1
rc=$?
grep -q "attaching group .*: Operation not permitted" "$out"
ktap_expect_eq "$rc/$?" "1/0" \
	"type1 refuses the channel's group until unsafe interrupts are allowed"
echo Y > $unsafe
resets0=$(qom_get "x-ch$idx-resets")
done0=$(qom_get "x-ch$idx-tres-completed")
failed0=$(qom_get "x-ch$idx-tres-failed")

mark=$(dmesg | wc -l)
smmu_expect begin
hidma_vfio "$dev" $ROUNDS > "$out" 2>&1
user_rc=$?
sed 's/^/# user: /' "$out"
ktap_expect_eq "$user_rc/$(grep -c '^ok ' "$out")" "0/$USER_CHECKS" \
	"user space drives the channel through VFIO ($USER_CHECKS checks)"
ktap_expect_eq "$(($(qom_get "x-ch$idx-resets") - resets0))" 2 \
	"vfio-platform reset the channel when the user came and when it left"
ktap_expect_eq "$(($(qom_get "x-ch$idx-tres-completed") - done0))" $USER_TRES \
	"the model completed the user's $USER_TRES TREs"
ktap_expect_eq "$(($(qom_get "x-ch$idx-tres-failed") - failed0))" $USER_FAULTS \
	"the model failed the user's $USER_FAULTS stray TREs"

# the same channel again: a second user finds it clean as well
hidma_vfio "$dev" 1 > "$out" 2>&1
rc=$?
grep '^not ok' "$out" | sed 's/^/# user: /'
ktap_expect_eq "$rc" 0 "a second user finds the channel reset and working"
# the SMMU driver logs from its event thread: wait for all of them
faults=$((USER_FAULTS * 2))
i=0
while [ "$(smmu_event_sids "$mark" | wc -l)" -lt $faults ] && [ $i -lt 20 ]; do
	sleep 0.5
	i=$((i + 1))
done
smmu_expect end
sids=$(smmu_event_sids "$mark")
sid=$((SID_BASE + idx))
ktap_expect_eq "$(echo "$sids" | grep -cx "$sid")/$(echo "$sids" | grep -v '^$' | grep -vcx "$sid")" \
	"$faults/0" "the SMMU logged the users' $faults faults, for stream ID $sid only"

hidma_bind_driver "$dev" ""
ktap_result $? "the channel goes back to hidma"
dmatest_rounds_stop "$out.others"
ktap_result $? "dmatest on the other channels ran throughout and passed"
back=""
for c in $(hidma_channels hidma); do
	[ "$(cat "/sys/class/dma/$c/device/chid")" = "$idx" ] && back=$c
done
[ -n "$back" ] && dmatest_run memset 200 1 "$back"
ktap_result $? "hidma runs dmatest on the channel it got back ($back)"
if [ "$HIDMA_LAYOUT" = acpi ]; then
	ktap_skip "the reset module unloads" "ACPI: no reset module"
else
	hidma_rmmod $RESET_MOD
	ktap_result $? "the reset module unloads"
fi

[ -n "$mgmt" ] && [ -e "$mgmt/driver" ] && [ "$(hidma_mgmt_state "$mgmt")" = "$mgmt_before" ]
ktap_result $? "hidma_mgmt stayed bound, its settings unchanged"
rm -f "$out"

hidma_unload
ktap_result $? "unload drivers"
ktap_finish
