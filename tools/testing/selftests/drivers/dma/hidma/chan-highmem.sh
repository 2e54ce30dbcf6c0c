#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memcpy and memset with source and destination above 4 GiB: the driver
# programs the high address words (the guest has 5 GiB of RAM). Only on
# the guest layout, where bus addresses are physical: behind the SMMU
# every run already gets IOVAs above 4 GiB (iommu.forcedac=1).
# hidma-layouts: guest
# hidma-timeout: 300
# hidma-mem: 5G
. "$(dirname "$0")/lib.sh"

CLIENT=hidma_test_client
P=/sys/module/$CLIENT/parameters

ktap_plan 3
hidma_load
c=$(hidma_channels hidma | head -n 1)
[ -n "$c" ]
ktap_result $? "a channel is present ($c)"

ok=0 bad=1 skipped=0
if insmod "$HIDMA_MODDIR/$CLIENT.ko" channel="$c" test=highmem; then
	ok=$(cat $P/passed)
	bad=$(cat $P/failed)
	skipped=$(cat $P/skipped)
	hidma_rmmod $CLIENT || bad=$((bad + 1))
fi
dmesg | grep "$CLIENT: " | tail -n 6 | sed 's/^/# /'
[ "$bad" -eq 0 ] && [ "$skipped" -eq 0 ] && [ "$ok" -eq 2 ]
ktap_result $? "$c: memcpy and memset above 4 GiB (passed $ok, failed $bad, skipped $skipped)"

hidma_unload
ktap_result $? "unload drivers"
ktap_finish
