#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the host layout, load both drivers, show and tune the
# management parameters, run dmatest on every channel; then the same with
# only hidma.ko in the guest layout. HIDMA_DEMO_COPIES (100): dmatest copies
# per channel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
"$HIDMA_BENCH/build-all.sh" debug
rc=0
for layout in host guest; do
	echo
	echo "######## $layout layout: $( [ $layout = host ] &&
		echo "management block + 6 channels, as the QDF2400 host sees them" ||
		echo "6 channels alone, as a VFIO-assigned guest sees them")"
	HIDMA_PREBUILT=1 "$HIDMA_BENCH/run-guest" --layout "$layout" --timeout 600 \
		--cmd "HIDMA_DEMO_COPIES=${HIDMA_DEMO_COPIES:-100} sh /bench/demo.sh" || rc=$?
done
echo
if [ "$rc" = 0 ]; then
	echo "demo: all channels passed on both layouts ($(($(date +%s) - start)) s)"
else
	echo "demo: FAILED (status $rc); logs in $HIDMA_BUILD/logs"
fi
exit "$rc"
