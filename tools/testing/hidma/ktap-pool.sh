# SPDX-License-Identifier: GPL-2.0
# Run named jobs two at a time and aggregate them as KTAP. Sourced.
#
#   job_add NAME COMMAND...   queue a job (the command's stdout may be KTAP)
#   jobs_run                  run them, print KTAP, set POOL_PASSED/FAILED/SKIPPED
#
# A job's leaf results ("ok"/"not ok" lines of its own KTAP) are what gets
# counted; a job without leaves counts as one test; a job that exits
# non-zero although all its leaves passed adds one failure (a splat, a
# hang or a crash after the suite said ok). A job with leaves must have
# a plan ("1..N", before or after them) that matches their number, so a
# suite that stops early fails.

POOL_NAMES=()
POOL_CMDS=()
POOL_PASSED=0
POOL_FAILED=0
POOL_SKIPPED=0
POOL_PARALLEL=${HIDMA_PARALLEL:-2}

job_add()
{
	local name=$1
	shift
	POOL_NAMES+=("$name")
	POOL_CMDS+=("$(printf '%q ' "$@")")
}

# Print the KTAP block of a finished job and count its results.
_job_report()
{
	local idx=$1 num=$2 rc out leaves leaves_ok leaves_fail leaves_skip plans
	out="$POOL_DIR/$idx.out"
	rc=$(cat "$POOL_DIR/$idx.rc")
	sed 's/^/    /' "$out"
	leaves_skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out" || true)
	leaves_ok=$(grep -cE '^ok [0-9]+' "$out" || true)
	leaves_ok=$((leaves_ok - leaves_skip))
	leaves_fail=$(grep -cE '^not ok [0-9]+' "$out" || true)
	leaves=$((leaves_ok + leaves_fail + leaves_skip))
	plans=$(grep -E '^1\.\.[0-9]+$' "$out" || true)
	if [ "$leaves" = 0 ]; then
		if [ "$rc" = 0 ] && [ -z "$plans" ]; then
			leaves_ok=1
		elif [ "$rc" = 0 ]; then
			echo "    # planned $plans but printed no result"
			leaves_fail=1
		else
			leaves_fail=1
		fi
	elif [ "$(printf '%s\n' "$plans" | grep -c .)" != 1 ] ||
	     [ "${plans#1..}" != "$leaves" ]; then
		echo "    # KTAP plan '${plans//$'\n'/ }' does not match the $leaves results printed"
		leaves_fail=$((leaves_fail + 1))
	elif [ "$rc" != 0 ] && [ "$leaves_fail" = 0 ]; then
		echo "    # job exited with status $rc after its tests passed"
		leaves_fail=1
	fi
	POOL_PASSED=$((POOL_PASSED + leaves_ok))
	POOL_FAILED=$((POOL_FAILED + leaves_fail))
	POOL_SKIPPED=$((POOL_SKIPPED + leaves_skip))
	if [ "$rc" = 0 ] && [ "$leaves_fail" = 0 ]; then
		echo "ok $num ${POOL_NAMES[$idx]}"
	else
		echo "not ok $num ${POOL_NAMES[$idx]} # exit status $rc"
	fi
}

# _pool_kill_tree PID...: SIGTERM to the processes and all their
# descendants, children first found, so that nothing is reparented away.
_pool_kill_tree()
{
	local pid kids
	for pid in "$@"; do
		kids=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
		kill -STOP "$pid" 2>/dev/null || true
		# shellcheck disable=SC2086 # one pid per word
		[ -z "$kids" ] || _pool_kill_tree $kids
		kill -TERM "$pid" 2>/dev/null || true
		kill -CONT "$pid" 2>/dev/null || true
	done
}

# On Ctrl-C or SIGTERM, stop every running job and its guest: timeout(1)
# runs QEMU in a process group of its own, out of the terminal's reach.
_pool_abort()
{
	trap - INT TERM
	echo "# interrupted: stopping the running jobs" >&2
	_pool_kill_tree "${!running[@]}"
	wait
	rm -rf "$POOL_DIR"
	exit 130
}

jobs_run()
{
	local total=${#POOL_NAMES[@]} next=0 done_n=0 idx pid
	local -A running=()

	POOL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hidma-pool.XXXXXX")
	trap _pool_abort INT TERM
	echo "TAP version 13"
	echo "1..$total"
	while [ "$done_n" -lt "$total" ]; do
		while [ "$next" -lt "$total" ] && [ "${#running[@]}" -lt "$POOL_PARALLEL" ]; do
			idx=$next
			(
				set +e
				t0=$(date +%s)
				eval "${POOL_CMDS[$idx]}" >"$POOL_DIR/$idx.out" 2>"$POOL_DIR/$idx.err"
				echo $? >"$POOL_DIR/$idx.rc"
				echo "took $(($(date +%s) - t0)) s" >>"$POOL_DIR/$idx.err"
				# Errors of the runner itself become KTAP diagnostics.
				sed 's/^/# /' "$POOL_DIR/$idx.err" >>"$POOL_DIR/$idx.out"
			) &
			running[$!]=$idx
			next=$((next + 1))
		done
		wait -n || true
		for pid in "${!running[@]}"; do
			if ! kill -0 "$pid" 2>/dev/null; then
				wait "$pid" 2>/dev/null || true
				done_n=$((done_n + 1))
				_job_report "${running[$pid]}" "$done_n"
				unset "running[$pid]"
			fi
		done
	done
	trap - INT TERM
	rm -rf "$POOL_DIR"
}
