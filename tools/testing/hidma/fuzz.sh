#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make fuzz: QEMU's generic fuzzer (libFuzzer, ASan, UBSan) on the HIDMA
# model, one fuzzer per layout, side by side (one core each).
#
#   FUZZ_MINUTES=N   minutes per layout (default 10)
#   FUZZ_LAYOUTS=..  "host guest" (default): the generic-fuzz configs
#                    qcom-hidma and qcom-hidma-guest of QEMU patch 0006
#
# The corpus lives in tools/testing/hidma/fuzz/<layout>/: each run starts
# from it, and at the end the inputs that add coverage are merged back
# (commit them). Findings (crash-*, timeout-*, leak-*, oom-*) land in
# .build/fuzz/<layout>/; each one becomes a qtest reproducer and a fix.
# Exits non-zero when a run found something or could not run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

minutes=${FUZZ_MINUTES:-10}
layouts=${FUZZ_LAYOUTS:-host guest}
case "$minutes" in
'' | *[!0-9]* | 0) die "FUZZ_MINUTES must be a whole number of minutes above 0, got '$minutes'" ;;
esac
for layout in $layouts; do
	case "$layout" in
	host | guest) ;;
	*) die "FUZZ_LAYOUTS: unknown layout '$layout' (host, guest)" ;;
	esac
done

qemu=$("$HIDMA_BENCH/build-qemu.sh" fuzz) || die "building the fuzzing QEMU failed"
fuzzer="$qemu/build/qemu-fuzz-aarch64"
[ -x "$fuzzer" ] || die "$fuzzer is missing"

# run_one LAYOUT: one bounded libFuzzer run, then the merge into the tree
run_one()
{
	local layout=$1 target=generic-fuzz-qcom-hidma corpus work
	[ "$layout" = guest ] && target=generic-fuzz-qcom-hidma-guest
	corpus="$HIDMA_BENCH/fuzz/$layout"
	work="$HIDMA_BUILD/fuzz/$layout"
	rm -rf "$work"
	mkdir -p "$corpus" "$work/corpus" "$work/artifacts"
	cp -r "$corpus/." "$work/corpus/"
	# The fuzzer's own 100 ms timeout would end a slow input silently:
	# libFuzzer's, 20 s, reports it as a hang instead.
	QEMU_FUZZ_TIMEOUT=0 "$fuzzer" --fuzz-target="$target" \
		-max_total_time=$((minutes * 60)) -timeout=20 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
		"$work/corpus" >"$work/fuzz.log" 2>&1
	echo $? >"$work/rc"
	"$fuzzer" --fuzz-target="$target" -merge=1 "$corpus" "$work/corpus" \
		>"$work/merge.log" 2>&1 || echo "merge failed" >>"$work/fuzz.log"
}

log "fuzzing the model for $minutes min per layout: $layouts"
pids=()
for layout in $layouts; do
	run_one "$layout" &
	pids+=($!)
done
wait "${pids[@]}"

failed=0
for layout in $layouts; do
	work="$HIDMA_BUILD/fuzz/$layout"
	last=$(grep -E '^#[0-9]+' "$work/fuzz.log" | tail -n1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
	findings=$(find "$work/artifacts" -type f | wc -l)
	echo "$layout: ${execs:-?} executions; last status: ${last:-none}"
	echo "$layout: corpus $(find "$HIDMA_BENCH/fuzz/$layout" -type f | wc -l) inputs in tools/testing/hidma/fuzz/$layout"
	if [ "$findings" -gt 0 ]; then
		echo "$layout: $findings findings in ${work#"$HIDMA_TOP"/}/artifacts:"
		find "$work/artifacts" -type f -printf '  %f\n'
		failed=1
	elif [ "$(cat "$work/rc")" != 0 ] || [ -z "$execs" ]; then
		echo "$layout: the fuzzer failed (exit $(cat "$work/rc")); see ${work#"$HIDMA_TOP"/}/fuzz.log"
		tail -n 5 "$work/fuzz.log" | sed 's/^/  /'
		failed=1
	else
		echo "$layout: no findings"
	fi
done
exit $failed
