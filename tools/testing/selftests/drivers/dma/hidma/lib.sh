#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the in-guest HIDMA suites (busybox ash). Sourced.
#
# Environment set by the bench's init:
#   HIDMA_LAYOUT    host | guest | acpi | vfio | nested | host-msi | acpi-msi
#   HIDMA_CHANNELS  number of channels the model has
#   HIDMA_IOMMU     smmuv3 (channels behind the SMMU) | none
#   HIDMA_ITS       on | off (the board's GICv3 ITS, for MSIs)
#   HIDMA_MODDIR    where hidma.ko, hidma_mgmt.ko and the test modules are

HIDMA_MODDIR=${HIDMA_MODDIR:-/lib/modules/hidma}
HIDMA_QOM_PATH=${HIDMA_QOM_PATH:-/machine/peripheral/hidma0}
KTAP_NUM=0
KTAP_FAILED=0
KTAP_PLANNED=""

ktap_plan()
{
	KTAP_PLANNED=$1
	echo "TAP version 13"
	echo "1..$1"
}

ktap_diag()
{
	echo "# $*"
}

ktap_ok()
{
	KTAP_NUM=$((KTAP_NUM + 1))
	echo "ok $KTAP_NUM $*"
}

ktap_not_ok()
{
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_FAILED=$((KTAP_FAILED + 1))
	echo "not ok $KTAP_NUM $*"
}

# ktap_skip DESC REASON
ktap_skip()
{
	KTAP_NUM=$((KTAP_NUM + 1))
	echo "ok $KTAP_NUM $1 # SKIP $2"
}

# ktap_result STATUS DESC: ok when STATUS is 0.
ktap_result()
{
	if [ "$1" -eq 0 ]; then
		ktap_ok "$2"
	else
		ktap_not_ok "$2"
	fi
}

# ktap_expect_eq GOT WANT DESC
ktap_expect_eq()
{
	if [ "$1" = "$2" ]; then
		ktap_ok "$3"
	else
		ktap_diag "$3: got '$1', want '$2'"
		ktap_not_ok "$3"
	fi
}

# ktap_finish: exit 0 only if every planned result was printed and passed
ktap_finish()
{
	if [ -n "$KTAP_PLANNED" ] && [ "$KTAP_NUM" -ne "$KTAP_PLANNED" ]; then
		ktap_diag "planned $KTAP_PLANNED results, printed $KTAP_NUM"
		exit 1
	fi
	[ "$KTAP_FAILED" -eq 0 ]
	exit $?
}

# Talk to the QEMU model through the host agent on /dev/hvc0.
# The reply is "ok VALUE" or "err MESSAGE"; no reply within
# QOM_TIMEOUT seconds (a dead agent) is an error, not a hang.
QOM_TIMEOUT=${QOM_TIMEOUT:-30}
qom_request()
{
	local reply=""

	[ -c /dev/hvc0 ] || {
		echo "qom: no host agent (/dev/hvc0)" >&2
		return 1
	}
	exec 3<>/dev/hvc0
	# No echo: a reply echoed back would reach the agent as a request.
	stty raw -echo <&3 2>/dev/null
	echo "$*" >&3
	# shellcheck disable=SC3045 # busybox ash has read -t
	if ! read -r -t "$QOM_TIMEOUT" reply <&3; then
		exec 3>&-
		echo "qom: $* -> no reply from the host agent in ${QOM_TIMEOUT}s" >&2
		return 1
	fi
	exec 3>&-
	case "$reply" in
	"ok "*) echo "${reply#ok }" ;;
	ok) ;;
	*)
		echo "qom: $* -> $reply" >&2
		return 1
		;;
	esac
}

# qom_get PROP [PATH]
qom_get()
{
	qom_request get "${2:-$HIDMA_QOM_PATH}" "$1"
}

# qom_set PROP VALUE [PATH]
qom_set()
{
	qom_request set "${3:-$HIDMA_QOM_PATH}" "$1" "$2" >/dev/null
}

# qom_set_all PROP VALUE [PROP VALUE...]: set each in turn; fails (saying
# which) at the first one the model refuses or the agent does not answer.
qom_set_all()
{
	while [ $# -ge 2 ]; do
		qom_set "$1" "$2" || return 1
		shift 2
	done
}

# hidma_insmod MODULE [PARAM=VALUE...]
hidma_insmod()
{
	local mod=$1

	shift
	insmod "$HIDMA_MODDIR/$mod.ko" "$@" 2>&1 | sed 's/^/# /'
	grep -q "^$(echo "$mod" | tr - _) " /proc/modules
}

# hidma_load: load the drivers the layout needs (mgmt only on host/acpi).
hidma_load()
{
	if [ "$HIDMA_LAYOUT" != guest ]; then
		hidma_insmod hidma_mgmt || return 1
	fi
	hidma_insmod hidma
}

# hidma_rmmod MODULE: unload MODULE if loaded; fails when rmmod fails
# (a reference leak shows as EBUSY) or the module is still listed.
hidma_rmmod()
{
	grep -q "^$1 " /proc/modules || return 0
	rmmod "$1" 2>&1 | sed 's/^/# /'
	if grep -q "^$1 " /proc/modules; then
		ktap_diag "$1 still loaded after rmmod"
		return 1
	fi
}

# hidma_unload: unload both drivers; fails if either stays loaded.
hidma_unload()
{
	local rc=0

	hidma_rmmod hidma || rc=1
	hidma_rmmod hidma_mgmt || rc=1
	return $rc
}

# hidma_client ARGS...: load the test client (hidma_test_client.ko) with
# ARGS; it runs its tests at load time. Prints its counts and succeeds when
# it passed at least one check and failed none; otherwise its log follows
# as diagnostics.
hidma_client()
{
	local m=hidma_test_client ok bad

	rmmod $m 2>/dev/null
	insmod "$HIDMA_MODDIR/$m.ko" "$@" || return 1
	ok=$(cat /sys/module/$m/parameters/passed)
	bad=$(cat /sys/module/$m/parameters/failed)
	hidma_rmmod $m || bad=$((bad + 1))
	ktap_diag "client $*: passed $ok, failed $bad"
	if [ "$bad" -ne 0 ] || [ "$ok" -eq 0 ]; then
		dmesg | grep "$m: " | tail -n 30 | sed 's/^/# /'
		return 1
	fi
}

# Names of the dmaengine channels that belong to a driver (default hidma).
hidma_channels()
{
	local drv=${1:-hidma} c d

	for c in /sys/class/dma/dma*chan*; do
		[ -e "$c" ] || continue
		d=$(readlink -f "$c/device/driver" 2>/dev/null)
		[ "${d##*/}" = "$drv" ] && echo "${c##*/}"
	done
}

# hidma_first_last CHAN...: the first and the last of the channels given
# (one name if they are the same), for suites that run deep checks on two.
hidma_first_last()
{
	local first=${1:-}

	[ $# -gt 0 ] || return 0
	shift $(($# - 1))
	if [ "$1" = "$first" ]; then
		echo "$first"
	else
		echo "$first $1"
	fi
}

# Sysfs directory of the management platform device.
hidma_mgmt_dir()
{
	local d

	for d in /sys/bus/platform/drivers/hidma-mgmt/*; do
		[ -e "$d/dma_channels" ] && { echo "$d"; return 0; }
	done
	return 1
}

# dmatest_fresh: reload dmatest, keeping its buffer settings. dmatest only
# ever adds channels (writing an empty channel takes every free one, after
# which naming a channel fails with -EBUSY), so each run starts afresh.
dmatest_fresh()
{
	local p=/sys/module/dmatest/parameters keep="" k

	if grep -q '^dmatest ' /proc/modules; then
		echo 0 > $p/run
		for k in test_buf_size transfer_size norandom noverify polled \
			 alignment; do
			keep="$keep $k=$(cat $p/$k)"
		done
		rmmod dmatest || return 1
	fi
	# shellcheck disable=SC2086 # one word per parameter
	modprobe dmatest $keep
}

# dmatest_wait: wait for the dmatest run to end. Polls "run" rather than
# reading "wait", which blocks uninterruptibly and trips the hung task
# detector on long runs.
dmatest_wait()
{
	while [ "$(cat /sys/module/dmatest/parameters/run)" = Y ]; do
		sleep 1
	done
}

# dmatest_run TYPE ITER THREADS CHAN... : TYPE is memcpy or memset.
# Runs dmatest on the channels at once, prints the summary lines as
# diagnostics and returns 0 only if every thread reported 0 failures and
# the number of summary lines is channels x threads.
dmatest_run()
{
	local type=$1 iter=$2 threads=$3 mode=0 c lines bad want p mark log
	shift 3

	[ "$type" = memset ] && mode=1
	p=/sys/module/dmatest/parameters
	dmatest_fresh || return 1
	echo "$mode" > $p/dmatest
	echo "$iter" > $p/iterations
	echo "$threads" > $p/threads_per_chan
	echo 5000 > $p/timeout
	for c in "$@"; do
		echo "$c" > $p/channel || return 1
	done
	# Never clear the log: the bench scans all of it for splats.
	mark=$(dmesg | wc -l)
	echo 1 > $p/run
	dmatest_wait
	log=$(dmesg | tail -n +$((mark + 1)))
	lines=$(echo "$log" | grep 'dmatest: .*summary')
	echo "$lines" | sed 's/^/# /'
	want=$(($# * threads))
	bad=$(echo "$lines" | grep -vc ' 0 failures')
	if [ "$bad" -ne 0 ]; then
		# What failed and how: dmatest's result lines, the driver's words.
		echo "$log" | grep -E "dmatest: .*(result|timeout|mismatch|copied|overwritten)|hidma|dma-api" |
			head -n 40 | sed 's/^/# /'
	fi
	[ "$(echo "$lines" | grep -c summary)" -eq "$want" ] || return 1
	[ "$bad" -eq 0 ]
}

# hidma_bind_driver DEV DRIVER: move platform device DEV to DRIVER with
# driver_override (DRIVER empty: back to hidma); fails unless it lands there
hidma_bind_driver()
{
	local dev=$1 drv=$2 d=/sys/bus/platform/devices/$1 cur=""

	[ -e "$d/driver" ] && cur=$(readlink -f "$d/driver")
	if [ -n "$drv" ]; then
		echo "$drv" > "$d/driver_override" || return 1
	else
		echo > "$d/driver_override" || return 1
	fi
	if [ -n "$cur" ]; then
		echo "$dev" > "$cur/unbind" || return 1
	fi
	echo "$dev" > /sys/bus/platform/drivers_probe 2>/dev/null
	[ -e "$d/driver" ] || return 1
	cur=$(readlink -f "$d/driver")
	[ "${cur##*/}" = "${drv:-hidma}" ]
}

# hidma_mgmt_state DIR: the management device's top-level sysfs values,
# one "name=value" per line, to compare before and after
hidma_mgmt_state()
{
	local f

	for f in "$1"/*; do
		if [ ! -f "$f" ] || [ ! -r "$f" ]; then
			continue
		fi
		echo "${f##*/}=$(cat "$f" 2>/dev/null)"
	done
}

# dmatest_rounds_start STATE CHAN...: short verified dmatest rounds on the
# channels, in the background, until dmatest_rounds_stop (a fixed length
# would end too soon on a slow machine, or idle on a fast one). The rounds
# follow each other after ROUNDS_PAUSE seconds (default 0), so that they
# need not take all of the guest's CPU from what they run beside.
dmatest_rounds_start()
{
	local state=$1

	shift
	rm -f "$state".*
	(
		rounds=0 rc=0
		while [ ! -e "$state.stop" ]; do
			dmatest_run memcpy 50 1 "$@" || rc=1
			rounds=$((rounds + 1))
			sleep "${ROUNDS_PAUSE:-0}"
		done
		echo "$rounds $rc" > "$state.rc"
	) > "$state.log" 2>&1 &
	echo $! > "$state.pid"
}

# dmatest_rounds_stop STATE: end the rounds after the current one; succeeds
# when all passed. The round that runs when the stop comes ends after it,
# so even a single round spans everything since dmatest_rounds_start.
# The rounds' complaints, if any, follow as diagnostics.
dmatest_rounds_stop()
{
	local state=$1 rounds rc

	touch "$state.stop"
	wait "$(cat "$state.pid")"
	grep -v 'summary' "$state.log" | sed 's/^/# rounds: /'
	read -r rounds rc < "$state.rc"
	ktap_diag "$rounds dmatest rounds, $(grep -c ' 0 failures' "$state.log") clean summaries"
	rm -f "$state".*
	[ "$rounds" -ge 1 ] && [ "$rc" -eq 0 ]
}

# smmu_expect begin|end: mark the kernel log around SMMU faults that a
# test provokes on purpose; the bench's log scan fails on any other.
smmu_expect()
{
	echo "hidma-expect: smmu-fault $1" > /dev/kmsg
}

# smmu_event_sids MARK: the stream ID (decimal) of each arm-smmu-v3 event
# logged after line MARK of dmesg; the ID is the top word of the first
# dword that the driver prints after "event 0xNN received".
smmu_event_sids()
{
	local hex

	dmesg | tail -n +$(($1 + 1)) | awk '
		/arm-smmu-v3 .*: event 0x[0-9a-f]+ received/ { want = 1; next }
		want && match($0, /0x[0-9a-f]+$/) {
			print substr($0, RSTART + 2, 8)
			want = 0
		}' | while read -r hex; do
		echo $((0x$hex))
	done
}
