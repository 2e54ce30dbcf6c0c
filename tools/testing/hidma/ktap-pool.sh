# SPDX-License-Identifier: GPL-2.0
# Run named jobs two at a time and aggregate them as KTAP. Sourced.
#
#   job_add NAME COMMAND...   queue a job (the command's stdout may be KTAP)
#   jobs_run                  run them, print KTAP, set POOL_PASSED/FAILED/SKIPPED
#
# A job's leaf results ("ok"/"not ok" lines of its own KTAP) are what gets
# counted; a job without leaves counts as one test; a job that exits
# non-zero although all its leaves passed adds one failure (a splat, a
# hang or a crash after the suite said ok).

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
	local idx=$1 num=$2 rc out leaves_ok leaves_fail leaves_skip
	out="$POOL_DIR/$idx.out"
	rc=$(cat "$POOL_DIR/$idx.rc")
	sed 's/^/    /' "$out"
	leaves_skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out" || true)
	leaves_ok=$(grep -cE '^ok [0-9]+' "$out" || true)
	leaves_ok=$((leaves_ok - leaves_skip))
	leaves_fail=$(grep -cE '^not ok [0-9]+' "$out" || true)
	if [ $((leaves_ok + leaves_fail + leaves_skip)) = 0 ]; then
		if [ "$rc" = 0 ]; then leaves_ok=1; else leaves_fail=1; fi
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

jobs_run()
{
	local total=${#POOL_NAMES[@]} next=0 done_n=0 idx pid
	local -A running=()

	POOL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hidma-pool.XXXXXX")
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
	rm -rf "$POOL_DIR"
}
