#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Mutation test of the in-guest suites (not part of make test): plant one
# small defect ("mutant") at a time in a private copy of the drivers, build
# the copy, run the suite that should catch the defect and report "killed"
# (the suite failed) or "survived" (it passed).
#
#   mutants.sh [--list] [--baseline] [--keep] [--timeout SECONDS] [NAME...]
#
#   NAME        run only these mutants (default: all of them, in order)
#   --list      print the mutants and exit
#   --baseline  first run each selected suite and layout on an unmutated
#               copy: a suite that fails there cannot judge its mutants
#   --keep      keep each copy of the tree, not only its logs
#   --timeout   guest timeout instead of the suite's "hidma-timeout"
#
# The debug kernel and QEMU come from the bench cache as they are (run
# build-all.sh first); only the modules and the initramfs are built, in
# the copy. Everything goes under .build/mutants/<name>/: mutant.diff,
# build.log, suite.out (the suite's KTAP), run.err, guest.log. One guest
# runs at a time. The last line is "mutants: K killed / N total"; the exit
# status is 1 if a mutant survived, else 2 if one could not be judged (its
# edit did not apply exactly once, its build failed or warned, its suite
# fails unmutated), else 0.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITES=tools/testing/selftests/drivers/dma/hidma

# ------------------------------------------------------------------ table
#
# mutant NAME FILE SUITE LAYOUT DESCRIPTION OLD NEW: FILE is under
# drivers/dma/qcom, or a path from the top when it has a "/"; OLD must
# occur exactly once in it and is replaced by NEW. Each mutant builds without a warning. The comment above each entry
# says what in SUITE is expected to kill it.
M_NAME=() M_FILE=() M_SUITE=() M_LAYOUT=() M_DESC=() M_OLD=() M_NEW=()
mutant()
{
	M_NAME+=("$1") M_FILE+=("$2") M_SUITE+=("$3") M_LAYOUT+=("$4")
	M_DESC+=("$5") M_OLD+=("$6") M_NEW+=("$7")
}

# kmemleak: the bench's scan after the suite reports the descriptors of
# every completed transfer (run-guest exit 126).
mutant leak-completed hidma_dma.c chan-recovery guest \
	"freed descriptors are neither kept nor freed" \
	$'\tspin_lock_irqsave(&hdev->cache_lock, flags);\n\tlist_add(&vd->node, &hdev->desc_cache);\n' \
	$'\tspin_lock_irqsave(&hdev->cache_lock, flags);\n'

# kmemleak: the same scan reports the cached descriptors once the channel
# is freed.
mutant cache-never-drained hidma_dma.c chan-recovery guest \
	"the descriptor cache is never emptied" \
	$'\tlist_splice_init(&hdev->desc_cache, &list);\n' \
	$'\tINIT_LIST_HEAD(&list);\n'

# "freed descriptors are kept for reuse, no more than were in use": a
# prep that never takes a cached descriptor grows the cache by one per
# transfer (10 after 10).
mutant cache-bypassed hidma_dma.c chan-dmatest host \
	"prep never takes a cached descriptor" \
	$'\tdesc = list_first_entry_or_null(&hdev->desc_cache, struct hidma_desc,\n\t\t\t\t\tvd.node);\n' \
	$'\tdesc = NULL;\n'

# "a released channel keeps no cached descriptor"
mutant cache-kept-idle hidma_lifecycle.c chan-dmatest host \
	"a released channel keeps its cached descriptors" \
	$'\t/* An idle channel holds no descriptors. */\n\thidma_desc_cache_drain(hdev);\n' \
	''

# test=error: "N transfers reported result R" and the failed-transfer
# checks, for each injected cause.
mutant error-as-success hidma_dma.c chan-client guest \
	"a failed or aborted transfer completes with DMA_TRANS_NOERROR" \
	$'\tdesc->vd.tx_result.result = result;\n' \
	$'\tdesc->vd.tx_result.result = DMA_TRANS_NOERROR;\n'

# chan<N>/priority and weight: "write reaches the model" (the model's
# ch<N> register keeps its value) and the driver's read-back refuses it.
mutant qos-next-channel hidma_mgmt_core.c mgmt-sysfs host \
	"priority and weight are written to the next channel's QOS register" \
	$'\tvoid __iomem *addr = mdev->base + HIDMA_MGMT_QOS(ch);\n' \
	$'\tvoid __iomem *addr = mdev->base + HIDMA_MGMT_QOS(ch + 1);\n'

# "suspended again once released": the released channel stays active.
mutant pm-put-missing hidma_lifecycle.c chan-pm guest \
	"free_chan_resources() never drops the client's runtime PM reference" \
	$'\tpm_runtime_mark_last_busy(hdev->dev);\n\tpm_runtime_put_autosuspend(hdev->dev);\n' \
	$'\tpm_runtime_mark_last_busy(hdev->dev);\n'

# 4 dmatest threads per channel issue at once, and with the interrupt
# handler: lost or doubled TREs ("one TRE per transfer"), dmatest
# failures, list corruption or the handler's WARN on an empty active list.
mutant unlocked-issue hidma_dma.c chan-dmatest host \
	"issue_pending() moves descriptors to the ring without the channel lock" \
	$'\tspin_lock_irqsave(&hdev->vc.lock, flags);\n\tif (vchan_issue_pending(&hdev->vc))\n\t\thidma_feed(hdev);\n\tspin_unlock_irqrestore(&hdev->vc.lock, flags);\n' \
	$'\tlocal_irq_save(flags);\n\tif (vchan_issue_pending(&hdev->vc))\n\t\thidma_feed(hdev);\n\tlocal_irq_restore(flags);\n'

# chan<N>/priority and weight: "bad writes refused, nothing changed"
# (weight 0 and 16 are accepted).
mutant qos-no-range-check hidma_mgmt_core.c mgmt-sysfs host \
	"a priority or weight store skips the range check" \
	$'\telse\n\t\treturn -EINVAL;\n\tif (hidma_mgmt_check_value(id, val))\n\t\treturn -EINVAL;\n' \
	$'\telse\n\t\treturn -EINVAL;\n'

# test=highmem: neither transfer completes ("passed 0, failed 2"); the
# smallest suite that moves data.
mutant no-doorbell hidma_dma.c chan-highmem guest \
	"TREs are written to the ring but the doorbell is never rung" \
	$'\t\thdev->stats.submitted++;\n\t\tkick = true;\n' \
	$'\t\thdev->stats.submitted++;\n'

# test=pause: "residue: pending transfer reports 8188 (want 8192)".
mutant residue-off hidma_dma.c chan-client guest \
	"tx_status() reports the residue of a pending transfer 4 bytes short" \
	$'\tdma_set_residue(state, desc ? desc->len : 0);\n' \
	$'\tdma_set_residue(state, desc ? desc->len - 4 : 0);\n'

# Only if something sees the channel left enabled after unbind and rmmod
# (its rings are freed while the engine may still use them); every probe
# resets the channel before it programs it again.
mutant remove-no-reset hidma_lifecycle.c chan-lifecycle host \
	"remove() and runtime suspend leave the channel enabled instead of resetting it" \
	$'\tif (hidma_ll_reset(&hdev->ll))\n\t\tdev_warn(hdev->dev, "reset on power down failed\\n");\n' \
	''

# The core reads the channel after device_release() (see hidma_main.c):
# freeing it right there is a use-after-free that KASAN reports when a
# client releases a channel whose device was unbound under it (the hold
# client after chan-regress's unbind).
mutant release-frees-at-once hidma_main.c chan-regress host \
	"device_release() frees the channel at once instead of deferring it" \
	$'\tqueue_work(hidma_free_wq, &hdev->free_work);\n' \
	$'\tmutex_destroy(&hdev->hw_lock);\n\tput_device(hdev->dev);\n\tkfree(hdev);\n'

# test=rerun in chan-regress: out gets in's data.
mutant reset-before-reap hidma_lifecycle.c chan-regress host \
	"power down resets the channel without reading its events first" \
	$'\tif (from == HIDMA_RUNNING || from == HIDMA_PAUSED ||\n\t    from == HIDMA_RECOVERING)\n\t\thidma_stop_and_reap(hdev);\n' \
	''

# The old remove(): transfers on the ring complete (aborted) before the
# engine is stopped, so a client unmaps buffers the engine still writes.
# chan-regress's unbinds under traffic: early callbacks, an SMMU fault.
# Needs the preemptible debug kernel to open the window.
mutant complete-before-reset hidma_lifecycle.c chan-regress host \
	"power down completes the ring's transfers before it stops and resets the channel" \
	$'\tif (from == HIDMA_RUNNING || from == HIDMA_PAUSED ||\n\t    from == HIDMA_RECOVERING)\n\t\thidma_stop_and_reap(hdev);\n' \
	$'\tspin_lock_irq(&hdev->vc.lock);\n\thidma_ring_abandon(hdev);\n\tspin_unlock_irq(&hdev->vc.lock);\n'

# max_write_request / max_read_request: "write reaches the model" (the
# read-back sees the other field) and the burst counts of a 4 KiB memcpy.
mutant burst-swap hidma_mgmt_core.c mgmt-sysfs host \
	"the write and read burst sizes are encoded into each other's field" \
	$'\treturn reg | FIELD_PREP(HIDMA_MGMT_MAX_WR_REQ, wr_bytes) |\n\t       FIELD_PREP(HIDMA_MGMT_MAX_RD_REQ, rd_bytes);\n' \
	$'\treturn reg | FIELD_PREP(HIDMA_MGMT_MAX_WR_REQ, rd_bytes) |\n\t       FIELD_PREP(HIDMA_MGMT_MAX_RD_REQ, wr_bytes);\n'

# chan<N>/weight: "equals the model" (the model holds 0) and "write
# reaches the model".
mutant weight-zero hidma_mgmt_core.c mgmt-sysfs host \
	"every QOS register gets weight 0" \
	$'\t       FIELD_PREP(HIDMA_MGMT_QOS_WEIGHT, weight);\n' \
	$'\t       FIELD_PREP(HIDMA_MGMT_QOS_WEIGHT, 0);\n'

# test=highmem: "memset above 4 GiB" (every eighth byte is 0).
mutant memset-fill hidma_ll.c chan-highmem guest \
	"the memset pattern loses its lowest byte" \
	$'\treturn 0x0101010101010101ULL * value;\n' \
	$'\treturn 0x0101010101010100ULL * value;\n'

# test=highmem: no end-of-block interrupt, so no callback ever comes.
mutant no-ieob hidma_ll.c chan-highmem guest \
	"TREs do not request the end-of-block interrupt" \
	$'FIELD_PREP(HIDMA_TRE_CHID, chid & 0xff) | HIDMA_TRE_IEOB;\n' \
	$'FIELD_PREP(HIDMA_TRE_CHID, chid & 0xff);\n'

# "a second user finds the channel reset": the reset leaves the last
# owner's rings, which hidma_vfio's "reset the channel before use" sees.
mutant vfio-reset-keeps-rings drivers/vfio/platform/reset/vfio_platform_qcomhidma.c \
	vfio-platform vfio "the vfio-platform reset leaves the ring registers" \
	$'\t\twritel(0, win[i] + HIDMA_RING_LEN);\n' \
	$'\t\twritel(readl(win[i] + HIDMA_RING_LEN), win[i] + HIDMA_RING_LEN);\n'

# ---------------------------------------------------------------- helpers

# apply_edit FILE OLD NEW: replace OLD, which must occur exactly once.
apply_edit()
{
	python3 - "$@" <<'PY'
import sys
path, old, new = sys.argv[1:4]
with open(path) as f:
    text = f.read()
n = text.count(old)
if n != 1:
    sys.exit(f"{path}: the original text occurs {n} times, not once")
with open(path, "w") as f:
    f.write(text.replace(old, new))
PY
}

# run_one NAME FILE OLD NEW SUITE LAYOUT: copy the tree to
# .build/mutants/NAME, apply the edit (none if FILE is empty), build and
# run SUITE on LAYOUT. Returns 0 if the suite failed, 1 if it passed, 2 if
# the run could not be made; the reason is in .build/mutants/NAME/why.
# A subshell: the shared cache lock (no kernel or QEMU swapped under the
# run) is released when it ends.
run_one()
(
	local name=$1 file=$2 old=$3 new=$4 suite=$5 layout=$6
	local work="$HIDMA_BUILD/mutants/$1" tree sfile tmo mem rc=0

	tree="$work/tree"
	rm -rf "$work"
	mkdir -p "$work"
	cache_lock -s
	fail() { echo "$*" >"$work/why"; exit 2; }

	if [ -z "$(kernel_dir debug)" ] ||
	   [ ! -x "$HIDMA_CACHE/links/qemu/build/qemu-system-aarch64" ]; then
		fail "the bench is not built; run tools/testing/hidma/build-all.sh debug"
	fi
	rsync -a --exclude=.build --exclude=.git "$HIDMA_TOP/" "$tree/"
	if [ -n "$file" ]; then
		case "$file" in
		*/*) ;;
		*) file=drivers/dma/qcom/$file ;;
		esac
		[ "$old" != "$new" ] || fail "the replacement equals the original"
		cp "$tree/$file" "$work/orig"
		apply_edit "$tree/$file" "$old" "$new" 2>"$work/why" || exit 2
		diff -u --label "a/$file" --label "b/$file" \
			"$work/orig" "$tree/$file" >"$work/mutant.diff" || true
	fi

	sfile="$tree/$SUITES/$suite.sh"
	[ -f "$sfile" ] || fail "no suite $SUITES/$suite.sh"
	case " $(sed -n 's/^# hidma-layouts: //p' "$sfile") " in
	*" $layout "*) ;;
	*) fail "$suite does not run on the $layout layout" ;;
	esac
	tmo=${opt_timeout:-$(sed -n 's/^# hidma-timeout: //p' "$sfile")}
	mem=$(sed -n 's/^# hidma-mem: //p' "$sfile")

	log "$name: building the modules and the initramfs"
	"$tree/tools/testing/hidma/build-modules.sh" debug >"$work/build.log" 2>&1 ||
		fail "module build failed (see $work/build.log)"
	# A warning means the mutant is not the small clean edit it should be.
	if cat "$tree/.build/modules/debug/"{qcom,vfio-reset}.log 2>/dev/null |
	   grep -E 'warning:|error:' >>"$work/build.log"; then
		fail "the module build warns (see $work/build.log)"
	fi
	"$tree/tools/testing/hidma/build-initramfs.sh" debug >>"$work/build.log" 2>&1 ||
		fail "initramfs build failed (see $work/build.log)"

	log "$name: $suite on $layout (timeout ${tmo:-600} s)"
	HIDMA_PREBUILT=1 "$tree/tools/testing/hidma/run-guest" --layout "$layout" \
		--timeout "${tmo:-600}" --mem "${mem:-512M}" --log "$work/guest.log" \
		--cmd "sh /selftests/$suite.sh" >"$work/suite.out" 2>"$work/run.err" || rc=$?
	[ "$opt_keep" = 1 ] || rm -rf "$tree"
	echo "$rc" >"$work/rc"

	case $rc in
	0) echo "the suite passed" >"$work/why"; exit 1 ;;
	124) echo "the guest hung and was killed at the timeout" >"$work/why" ;;
	125) echo "the guest died" >"$work/why" ;;
	126) echo "the suite passed but the kernel log has a splat or leak" >"$work/why" ;;
	*) echo "the suite failed (exit $rc)" >"$work/why" ;;
	esac
	exit 0
)

# evidence NAME: the failed results and the runner's complaints
evidence()
{
	local work="$HIDMA_BUILD/mutants/$1" rc

	rc=$(cat "$work/rc" 2>/dev/null) || rc=""
	{
		# A suite can fail without a failed result (a bad plan count);
		# a hang, a death or a splat is told by the runner below.
		grep -m 8 -E '^not ok |^# planned ' "$work/suite.out" ||
			case $rc in
			124 | 125 | 126) ;;
			*) tail -n 3 "$work/suite.out" ;;
			esac || true
		grep -v '^\[bench\]' "$work/run.err" | head -n 6 || true
	} 2>/dev/null | cut -c1-200 | sed 's/^/#   /'
}

why()
{
	cat "$HIDMA_BUILD/mutants/$1/why" 2>/dev/null || echo "no reason recorded"
}

# ------------------------------------------------------------------- main

opt_list=0 opt_baseline=0 opt_keep=0 opt_timeout=""
names=()
while [ $# -gt 0 ]; do
	case "$1" in
	--list) opt_list=1 ;;
	--baseline) opt_baseline=1 ;;
	--keep) opt_keep=1 ;;
	--timeout) opt_timeout=${2:?--timeout needs seconds}; shift ;;
	-*) die "unknown option '$1' (see the header of $0)" ;;
	*) names+=("$1") ;;
	esac
	shift
done

sel=()
if [ ${#names[@]} -eq 0 ]; then
	sel=("${!M_NAME[@]}")
else
	for n in "${names[@]}"; do
		found=""
		for i in "${!M_NAME[@]}"; do
			[ "${M_NAME[$i]}" = "$n" ] && found=$i
		done
		[ -n "$found" ] || die "unknown mutant '$n' (see --list)"
		sel+=("$found")
	done
fi

if [ "$opt_list" = 1 ]; then
	for i in "${sel[@]}"; do
		printf '%-20s %-20s %-22s %s\n' "${M_NAME[$i]}" "${M_FILE[$i]}" \
			"${M_SUITE[$i]}@${M_LAYOUT[$i]}" "${M_DESC[$i]}"
	done
	exit 0
fi

# Unmutated runs first, once per suite and layout; a failing one makes
# the verdicts of its mutants meaningless.
bad_base=" "
if [ "$opt_baseline" = 1 ]; then
	done_base=" "
	for i in "${sel[@]}"; do
		key="${M_SUITE[$i]}@${M_LAYOUT[$i]}"
		case "$done_base" in *" $key "*) continue ;; esac
		done_base+="$key "
		rc=0
		run_one "baseline-${M_SUITE[$i]}-${M_LAYOUT[$i]}" "" "" "" \
			"${M_SUITE[$i]}" "${M_LAYOUT[$i]}" || rc=$?
		if [ $rc = 1 ]; then
			echo "baseline  $key: passes"
		else
			bad_base+="$key "
			echo "baseline  $key: FAILS unmutated: $(why "baseline-${M_SUITE[$i]}-${M_LAYOUT[$i]}")"
			evidence "baseline-${M_SUITE[$i]}-${M_LAYOUT[$i]}"
		fi
	done
fi

killed=0 survived=0 errors=0 summary=()
for i in "${sel[@]}"; do
	name=${M_NAME[$i]}
	key="${M_SUITE[$i]}@${M_LAYOUT[$i]}"
	echo "# $name (${M_FILE[$i]}): ${M_DESC[$i]}; $key"
	case "$bad_base" in
	*" $key "*)
		verdict=error
		mkdir -p "$HIDMA_BUILD/mutants/$name"
		echo "$key fails unmutated" >"$HIDMA_BUILD/mutants/$name/why"
		;;
	*)
		rc=0
		run_one "$name" "${M_FILE[$i]}" "${M_OLD[$i]}" "${M_NEW[$i]}" \
			"${M_SUITE[$i]}" "${M_LAYOUT[$i]}" || rc=$?
		case $rc in
		0) verdict=killed ;;
		1) verdict=survived ;;
		*) verdict=error ;;
		esac
		;;
	esac
	case $verdict in
	killed) killed=$((killed + 1)) ;;
	survived) survived=$((survived + 1)) ;;
	*) errors=$((errors + 1)) ;;
	esac
	printf '%-9s %s: %s\n' "$verdict" "$name" "$(why "$name")"
	[ "$verdict" = error ] || evidence "$name"
	summary+=("$(printf '%-9s %-20s %-22s %s' "$verdict" "$name" "$key" "$(why "$name")")")
done

echo "# summary (logs under ${HIDMA_BUILD#"$HIDMA_TOP"/}/mutants/<name>/)"
printf '# %s\n' "${summary[@]}"
[ "$errors" = 0 ] || echo "# $errors mutants could not be judged"
echo "mutants: $killed killed / ${#sel[@]} total"
[ "$survived" = 0 ] || exit 1
[ "$errors" = 0 ] || exit 2
