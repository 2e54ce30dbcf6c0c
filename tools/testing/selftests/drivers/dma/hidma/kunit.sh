#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Load the KUnit modules of both drivers and report every test case.
# hidma-layouts: guest
. "$(dirname "$0")/lib.sh"

echo "TAP version 13"
# The tests link against the drivers' KUnit-only exports.
hidma_insmod hidma_mgmt
hidma_insmod hidma
found=0
for ko in "$HIDMA_MODDIR"/*_kunit.ko; do
	[ -e "$ko" ] || continue
	found=1
	insmod "$ko" || ktap_not_ok "load $(basename "$ko")"
done
[ "$found" = 1 ] || ktap_not_ok "no KUnit modules in $HIDMA_MODDIR"

# Each suite's results file is KTAP: the indented lines are its cases.
for results in /sys/kernel/debug/kunit/*/results; do
	[ -e "$results" ] || continue
	suite=$(basename "$(dirname "$results")")
	while read -r line; do
		case "$line" in
		"ok "[0-9]*) ktap_ok "$suite.${line#ok [0-9]* }" ;;
		"not ok "[0-9]*) ktap_not_ok "$suite.${line#not ok [0-9]* }" ;;
		esac
	done <<KTAP
$(grep -E '^[[:space:]]+(not )?ok [0-9]+ ' "$results")
KTAP
done
echo "1..$KTAP_NUM"
ktap_finish
