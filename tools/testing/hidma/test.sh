#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test: every test, as KTAP, ending with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$HIDMA_BENCH/ktap-pool.sh"

start=$(date +%s)
# Exclusive while building, shared while the guests use the builds.
cache_lock -x
log "building the bench (cached builds take seconds)"
"$HIDMA_BENCH/build-all.sh" || die "bench build failed"
cache_lock -s
log "bench ready after $(($(date +%s) - start)) s"
export HIDMA_PREBUILT=1
run="$HIDMA_BENCH/run-guest"
suites="$HIDMA_TOP/tools/testing/selftests/drivers/dma/hidma"
qemu_dir="$HIDMA_CACHE/links/qemu/build"

# expect_status WANT COMMAND...: passes when COMMAND exits with WANT.
expect_status()
{
	local want=$1 rc
	shift
	"$@" >/dev/null 2>&1
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "# expected exit status $want, got $rc"
	return 1
}

# expect_hang WANT COMMAND...: passes when the guest started its command
# (the runner's start marker is in its log) and COMMAND exits with WANT.
expect_hang()
{
	local want=$1 log rc
	shift
	log=$(mktemp "${TMPDIR:-/tmp}/hidma-hang.XXXXXX")
	"$@" --log "$log" >/dev/null 2>&1
	rc=$?
	if ! grep -q '^HIDMA-BEGIN$' "$log"; then
		echo "# the guest never started its command (status $rc)"
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
	[ "$rc" = "$want" ] && return 0
	echo "# expected exit status $want, got $rc"
	return 1
}

# expect_error TEXT COMMAND...: passes when COMMAND fails saying TEXT.
expect_error()
{
	local text=$1 out
	shift
	out=$("$@" 2>&1) && { echo "# unexpected success"; return 1; }
	printf '%s\n' "$out" | grep -q "$text" && return 0
	echo "# wrong message: $out"
	return 1
}

# cache_prune_check: in a scratch directory, four builds of one kind, one
# of another and a work tree; pruning after the newest keeps it and the two
# of its kind used last, and nothing of the others.
cache_prune_check()
{
	local d b rc=0

	d=$(mktemp -d "${TMPDIR:-/tmp}/hidma-prune.XXXXXX")
	for b in 1111111111111111 2222222222222222 3333333333333333 \
		 4444444444444444 arm64-5555555555555555 work; do
		mkdir "$d/$b"
	done
	touch -d '4 hours ago' "$d/1111111111111111/.used"
	touch -d '3 hours ago' "$d/2222222222222222/.used"
	touch -d '2 hours ago' "$d/3333333333333333/.used"
	touch -d '5 hours ago' "$d/arm64-5555555555555555/.used"
	HIDMA_CACHE_KEEP=2 cache_prune "$d/4444444444444444" 2>/dev/null
	for b in 2222222222222222 3333333333333333 4444444444444444 \
		 arm64-5555555555555555 work; do
		[ -d "$d/$b" ] || { echo "# $b was removed"; rc=1; }
	done
	[ ! -e "$d/1111111111111111" ] || { echo "# the oldest build was kept"; rc=1; }
	[ -e "$d/4444444444444444/.used" ] ||
		{ echo "# the current build is not marked used"; rc=1; }
	rm -rf "$d"
	return "$rc"
}

# Every job is added unconditionally: a missing script or binary fails
# its job, with the shell's "No such file" as the diagnostic.

# Static gates, each its own KTAP result; a gate that cannot run fails.
job_add "static gates" env HIDMA_CHECK_ALL=1 "$HIDMA_BENCH/check.sh"

# The model's qtest.
job_add "qtest qcom-hidma" env QTEST_QEMU_BINARY="$qemu_dir/qemu-system-aarch64" \
	"$qemu_dir/tests/qtest/qcom-hidma-test" --tap -k

# Smoke: the perf kernel boots on every layout and dmatest loads, clean
# log (every suite below boots the debug kernel on its layouts). The
# nested layout is the vfio layout's kernel and machine with a bigger
# initramfs: its boot proves nothing new.
for layout in $HIDMA_LAYOUTS; do
	# nested, host-msi, acpi-msi: kernels and boards that other layouts boot
	case "$layout" in nested | *-msi) continue ;; esac
	job_add "smoke: perf kernel boots the $layout layout" \
		"$run" --layout "$layout" --flavour perf --timeout 300 \
		--cmd 'modprobe dmatest && grep -q "^dmatest " /proc/modules'
done

# The runner itself. Its status handling is the same for both kernels:
# those cases boot the perf kernel (2 s, no kmemleak scans); splats,
# leaks and SMMU faults need the debug kernel's checks.
job_add "runner: a failing guest command gives its status" \
	expect_status 3 "$run" --flavour perf --timeout 300 --cmd 'exit 3'
job_add "runner: a kernel splat fails the run" \
	expect_status 126 "$run" --timeout 300 \
	--cmd "insmod /lib/modules/hidma/bench_splat.ko"
job_add "runner: a booted guest that hangs is killed at the timeout" \
	expect_hang 124 "$run" --flavour perf --timeout 30 --cmd 'sleep 1000'
job_add "runner: a guest that dies before its command ends gives 125" \
	expect_status 125 "$run" --flavour perf --timeout 300 --cmd 'poweroff -f'
job_add "runner: a kernel memory leak fails the run" \
	expect_status 126 "$run" --timeout 300 \
	--cmd "insmod /lib/modules/hidma/bench_leak.ko"
job_add "runner: an SMMU fault that no test announced fails the run" \
	expect_status 126 "$run" --timeout 300 \
	--cmd "insmod /lib/modules/hidma/hidma_mgmt.ko &&
	       insmod /lib/modules/hidma/hidma.ko &&
	       insmod /lib/modules/hidma/hidma_test_client.ko channel=dma0chan0 test=iommu-fault"
job_add "cache: old builds of a kind are pruned, the ones used last kept" \
	cache_prune_check
job_add "runner: an unknown layout is rejected" \
	expect_error "unknown layout 'moon'" "$run" --layout moon --cmd true
job_add "runner: an unknown flavour is rejected" \
	expect_error "unknown kernel flavour" "$run" --flavour fast --cmd true
job_add "runner: a HIDMA_KDIR that is not a kernel build tree is rejected" \
	expect_error "HIDMA_KDIR '/nonexistent' is not a kernel build tree" \
	env HIDMA_KDIR=/nonexistent "$HIDMA_BENCH/build-modules.sh" debug
job_add "runner: an exported KDIR does not take over the bench's build" \
	env KDIR=/nonexistent "$HIDMA_BENCH/build-modules.sh" debug

# MSI-capable channels on a board without an ITS fall back to wired
# (probe, data, remove: the run's kmemleak scan covers the error path).
job_add "chan-msi on host-msi without an ITS" "$run" --layout host-msi --its off \
	--timeout 600 --cmd "sh /selftests/chan-msi.sh"

# The demo boots twice in a row: start it early.
job_add "make demo" env HIDMA_DEMO_COPIES=20 "$HIDMA_BENCH/demo.sh"

# In-guest suites, on the layouts each one names; the longest (by their
# timeout) first, so that the two slots finish together. 512 MiB unless a
# suite names more ("# hidma-mem:"): the two kmemleak scans that end every
# debug guest walk the memory map, and take 5 s each at 512 MiB against 7
# at 1 GiB.
for suite in $(for f in "$suites"/*.sh; do
	echo "$(sed -n 's/^# hidma-timeout: //p' "$f") $f"
done | sort -k1,1nr -k2 | cut -d' ' -f2); do
	name=$(basename "$suite" .sh)
	[ "$name" = lib ] && continue
	layouts=$(sed -n 's/^# hidma-layouts: //p' "$suite")
	tmo=$(sed -n 's/^# hidma-timeout: //p' "$suite")
	mem=$(sed -n 's/^# hidma-mem: //p' "$suite")
	for layout in ${layouts:-host}; do
		job_add "$name on $layout" "$run" --layout "$layout" \
			--timeout "${tmo:-600}" --mem "${mem:-512M}" --cmd "sh /selftests/$name.sh"
	done
done

jobs_run
log "make test took $(($(date +%s) - start)) s"
skipped=""
[ "$POOL_SKIPPED" -gt 0 ] && skipped=", $POOL_SKIPPED skipped"
echo "$POOL_PASSED passed, $POOL_FAILED failed$skipped"
[ "$POOL_FAILED" = 0 ]
