#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 15 load/unload and 15 unbind/bind cycles of hidma_mgmt: every bind
# brings back the whole sysfs tree and the firmware configuration, and
# kmemleak finds nothing afterwards (the bench also scans the log). The
# acpi layout differs only in probe, which mgmt-sysfs and mgmt-live
# cover there.
# hidma-layouts: host
# hidma-timeout: 600
. "$(dirname "$0")/lib.sh"

CYCLES=15
DRV=/sys/bus/platform/drivers/hidma-mgmt

# tree_ok DIR: the attributes and every chanops/chan<N> are there
tree_ok()
{
	local i=0 n f

	for f in hw_version_major hw_version_minor dma_channels \
		 max_write_request max_read_request max_wr_xactions \
		 max_rd_xactions chreset_timeout_cycles; do
		[ -f "$1/$f" ] || return 1
	done
	n=$(cat "$1/dma_channels")
	while [ $i -lt "$n" ]; do
		[ -f "$1/chanops/chan$i/priority" ] &&
			[ -f "$1/chanops/chan$i/weight" ] || return 1
		i=$((i + 1))
	done
	[ ! -e "$1/chanops/chan$n" ]
}

ktap_plan 7

hidma_insmod hidma_mgmt
dir=$(hidma_mgmt_dir)
if [ -z "$dir" ]; then
	ktap_not_ok "management device bound"
	ktap_finish
fi
ktap_ok "management device bound"
dev=$(basename "$(readlink -f "$dir")")
fw=$(cat "$dir/max_write_request")

bad=0
i=0
while [ $i -lt $CYCLES ]; do
	# Change something so that a reload has to put the firmware value back
	echo 128 > "$dir/max_write_request"
	rmmod hidma_mgmt || bad=$((bad + 1))
	[ -e "$DRV" ] && bad=$((bad + 1))
	insmod "$HIDMA_MODDIR/hidma_mgmt.ko" || bad=$((bad + 1))
	dir=$(hidma_mgmt_dir)
	if [ -z "$dir" ] || ! tree_ok "$dir" ||
	   [ "$(cat "$dir/max_write_request")" != "$fw" ]; then
		bad=$((bad + 1))
	fi
	i=$((i + 1))
done
ktap_diag "$bad failures in $CYCLES load/unload cycles"
ktap_result $bad "$CYCLES load/unload cycles"
ktap_expect_eq "$(qom_get x-reg-max-write-burst-bytes)" "$fw" "model has the firmware value after reloads"

bad=0
i=0
while [ $i -lt $CYCLES ]; do
	echo 256 > "$DRV/$dev/max_write_request"
	echo "$dev" > "$DRV/unbind" || bad=$((bad + 1))
	[ -e "$DRV/$dev" ] && bad=$((bad + 1))
	echo "$dev" > "$DRV/bind" || bad=$((bad + 1))
	if ! tree_ok "$DRV/$dev" ||
	   [ "$(cat "$DRV/$dev/max_write_request")" != "$fw" ]; then
		bad=$((bad + 1))
	fi
	i=$((i + 1))
done
ktap_diag "$bad failures in $CYCLES unbind/bind cycles"
ktap_result $bad "$CYCLES unbind/bind cycles"
ktap_expect_eq "$(qom_get x-reg-max-write-burst-bytes)" "$fw" "model has the firmware value after rebinds"

# The channels still work after all this
hidma_insmod hidma
# shellcheck disable=SC2046 # one channel per word
set -- $(hidma_channels hidma)
if [ $# -gt 0 ]; then
	dmatest_run memcpy 10 1 "$@" && hidma_rmmod dmatest && hidma_rmmod hidma
	ktap_result $? "dmatest on all channels after the cycles, then unload"
else
	ktap_not_ok "dmatest on all channels after the cycles, then unload # no hidma channel"
fi
hidma_rmmod hidma

# Objects must be older than kmemleak's minimum age before a scan
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c 'hidma' /sys/kernel/debug/kmemleak)
	[ "$leaks" -eq 0 ] || grep -B2 -A12 'unreferenced' /sys/kernel/debug/kmemleak |
		head -n 40 | sed 's/^/# /'
	ktap_expect_eq "$leaks" 0 "kmemleak: no leak from the hidma drivers"
else
	ktap_not_ok "kmemleak: no leak from the hidma drivers # no kmemleak"
fi

ktap_finish
