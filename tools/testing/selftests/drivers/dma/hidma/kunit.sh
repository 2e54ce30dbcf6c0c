#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Load the KUnit modules of both drivers and report every test case.
# hidma-layouts: guest
. "$(dirname "$0")/lib.sh"

echo "TAP version 13"
# The tests link against the drivers' KUnit-only exports.
hidma_insmod hidma_mgmt || ktap_not_ok "load hidma_mgmt"
hidma_insmod hidma || ktap_not_ok "load hidma"
nmod=0
for ko in "$HIDMA_MODDIR"/*_kunit.ko; do
	[ -e "$ko" ] || continue
	nmod=$((nmod + 1))
	insmod "$ko" || ktap_not_ok "load $(basename "$ko")"
done
[ "$nmod" -gt 0 ] || ktap_not_ok "no KUnit modules in $HIDMA_MODDIR"

# A suite's results file (lib/kunit/debugfs.c) is KTAP: the suite's line
# at column 0, its cases indented by 4 and the parameters of a
# parameterised case by 8. Only the cases count (a parameterised case
# once); a suite that failed outside its cases counts as one failure.
nsuite=0
for results in /sys/kernel/debug/kunit/*/results; do
	[ -e "$results" ] || continue
	nsuite=$((nsuite + 1))
	suite=$(basename "$(dirname "$results")")
	cases=0
	failed=0
	while IFS= read -r line; do
		case "$line" in
		"    ok "[0-9]*)
			cases=$((cases + 1))
			line=${line#    ok }
			ktap_ok "$suite.${line#* }"
			;;
		"    not ok "[0-9]*)
			cases=$((cases + 1))
			failed=$((failed + 1))
			line=${line#    not ok }
			ktap_not_ok "$suite.${line#* }"
			;;
		"not ok "[0-9]*)
			[ "$failed" -gt 0 ] || ktap_not_ok "$suite # the suite failed outside its cases"
			;;
		esac
	done < "$results"
	[ "$cases" -gt 0 ] || ktap_not_ok "$suite # no test case ran"
done
[ "$nsuite" -ge "$nmod" ] || ktap_not_ok "$nmod KUnit modules but $nsuite suites ran"
echo "1..$KTAP_NUM"
ktap_finish
