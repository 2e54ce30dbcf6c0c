#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: throughput, latency and CPU cost of our HIDMA driver, side by
# side in one run with the in-kernel 6.12 driver (both on the acpi layout,
# channels behind the SMMUv3), the guest CPU's memcpy and the host's memcpy
# (the ceiling of an emulated engine); arbitration shares on a paced bus;
# the cost of the SMMU to our driver. Perf kernel only. Writes
# .build/bench/results.md, {results,arbitration,model,cost,cputime}.csv and iops.png, and prints
# a summary. Timings are measured here, never asserted.
#
# Environment (for development; the defaults are the real bench):
#   BENCH_RUNS (3) BENCH_SECS (0.5) BENCH_SIZES BENCH_OPS BENCH_NCH
#   BENCH_THREADS BENCH_MODES BENCH_DRIVERS  -> the matrix (guest/bench-matrix.sh)
#   BENCH_CPU_MS BENCH_ARB_SECS BENCH_ARB_RATE BENCH_DEPTHS BENCH_DEPTH_SECS
#                -> guest/bench-extra.sh
#   BENCH_COST_TRES BENCH_TIME_TRES -> guest/bench-cost.sh
#   BENCH_MMIO_SIZE BENCH_MMIO_READS -> guest/bench-model.sh
#   BENCH_STAGES ("host matrix extra nosmmu msi cost model")  which stages to run; the others
#                reuse their raw output from an earlier run
#   BENCH_OUT (.build/bench)
#   HIDMA_PREBUILT=1  do not run build-all.sh perf first
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${BENCH_OUT:-$HIDMA_BUILD/bench}
stages=${BENCH_STAGES-host matrix extra nosmmu msi cost model}
runs=${BENCH_RUNS:-3}
start=$(date +%s)
mkdir -p "$out"

has_stage()
{
	case " $stages " in
	*" $1 "*) return 0 ;;
	*) return 1 ;;
	esac
}

# The bench variables the in-guest scripts understand, as "K=V " words.
guest_env()
{
	local v env=""
	for v in BENCH_RUNS BENCH_SECS BENCH_SIZES BENCH_OPS BENCH_NCH BENCH_THREADS \
		BENCH_MODES BENCH_DRIVERS BENCH_CPU_MS BENCH_ARB_SECS BENCH_ARB_RATE \
		BENCH_DEPTHS BENCH_DEPTH_SECS BENCH_COST_TRES BENCH_TIME_TRES \
		BENCH_MMIO_SIZE BENCH_MMIO_READS; do
		[ -n "${!v:-}" ] && env+="$v='${!v}' "
	done
	printf '%s' "$env"
}

# guest_stage NAME SCRIPT BUDGET [IOMMU [ENV [LAYOUT [QEMU_ARGS]]]]: boot
# LAYOUT (acpi) on the perf kernel (with the SMMU unless IOMMU is "none"),
# QEMU given QEMU_ARGS (words) too, run /bench/SCRIPT with
# the bench variables and then ENV ("K=V ..." words, which override them),
# keep its result lines in $out/raw-NAME.txt. They are
# taken from the console log rather than run-guest's stdout: on the acpi
# layout the firmware's escape sequences share a line with the start marker.
# The guest panics on an oops; then the stage boots again, resuming after
# the point that took it down and avoiding that point's driver/mode/threads
# class (the matrix announces each point with a PT line), within BUDGET s.
guest_stage()
{
	local name=$1 script=$2 budget=$3 iommu=${4:-smmuv3} env=${5:-} layout=${6:-acpi}
	local rc pid n seen console attempt=1 a qargs=()
	local skip=0 avoid="" deadline last lastraw class why

	deadline=$(($(date +%s) + budget))
	for a in ${7:-}; do
		qargs+=(--qemu-arg "$a")
	done
	: > "$out/raw-$name.txt"
	while :; do
		console="$out/console-$name-$attempt.log"
		rm -f "$console"
		log "$name: booting the $layout layout (perf kernel, iommu $iommu), attempt $attempt"
		HIDMA_PREBUILT=1 "$HIDMA_BENCH/run-guest" --layout "$layout" --flavour perf \
			--iommu "$iommu" --timeout $((deadline - $(date +%s))) --log "$console" \
			${qargs[@]+"${qargs[@]}"} \
			--cmd "$(guest_env)${env}BENCH_SKIP=$skip BENCH_AVOID='$avoid' sh /bench/$script" \
			>/dev/null &
		pid=$!
		seen=0
		while kill -0 "$pid" 2>/dev/null; do
			sleep 10
			[ -f "$console" ] || continue
			n=$(grep -c '^RAW,' "$console" || true)
			grep -E '^(NOTE|SPLAT),' "$console" | tail -n +$((seen + 1)) |
				sed "s/^[A-Z]*,/[bench] $name: /" >&2 || true
			seen=$(grep -cE '^(NOTE|SPLAT),' "$console" || true)
			log "$name: $n points so far (console output comes in 4 KiB chunks)"
		done
		rc=0
		wait "$pid" || rc=$?
		sed -n '/HIDMA-BEGIN$/,/^HIDMA-END rc=/p' "$console" 2>/dev/null |
			grep -E '^(RAW|MEM|RING|ARB|DEPTH|COST|TIME|MMIO|NOTE|SPLAT),' >> "$out/raw-$name.txt" || true
		[ "$rc" = 0 ] && break
		log "$name: guest exit status $rc (console: $console)"
		why=$(grep -m1 -E 'Internal error|Kernel panic|BUG:|Unable to handle|blocked for more' \
			"$console" | sed 's/^\[[ 0-9.]*\] //; s/,/;/g' || true)
		echo "NOTE,$name stage attempt $attempt: guest exit status $rc${why:+: $why}" \
			>> "$out/raw-$name.txt"
		last=$(grep '^PT,' "$console" | tail -n 1 || true)
		[ -n "$last" ] || break
		lastraw=$(grep -n -E '^(PT|RAW),' "$console" | tail -n 1 | cut -d: -f2-)
		skip=$(echo "$last" | cut -d, -f2)
		if [ "${lastraw%%,*}" = PT ]; then
			# Died inside that point: leave its class out from now on.
			class=$(echo "$last" | awk -F, '{ print $3 ":" $8 ":" $7 }')
			avoid="$avoid $class"
			echo "NOTE,point ${last#PT,} took the guest down; not measured from then on: $class" \
				>> "$out/raw-$name.txt"
		fi
		attempt=$((attempt + 1))
		if [ "$attempt" -gt 10 ] || [ $((deadline - $(date +%s))) -lt 60 ]; then
			echo "NOTE,$name stage: out of attempts or time; the rest is missing" \
				>> "$out/raw-$name.txt"
			break
		fi
	done
	return 0
}

if [ -z "${HIDMA_PREBUILT:-}" ] && { has_stage matrix || has_stage extra; }; then
	log "building the perf bench (cached after the first time)"
	"$HIDMA_BENCH/build-all.sh" perf
fi

if has_stage host; then
	log "host memcpy reference"
	mkdir -p "$HIDMA_BUILD/bin"
	gcc -O2 -Wall -Wextra -o "$HIDMA_BUILD/bin/hostmemcpy" "$HIDMA_BENCH/hostmemcpy.c"
	read -ra sizes <<< "${BENCH_SIZES:-64 512 4096 65536 1048576}"
	"$HIDMA_BUILD/bin/hostmemcpy" 200 "$runs" "${sizes[@]}" > "$out/raw-host.txt"
fi
# Matrix: 2 ops x 5 sizes x 3 channel counts x 2 thread counts x 2 modes
# x 2 drivers x 3 rounds = 720 points of 0.5 s plus overhead: about 7 min
# (the classes that crash a driver cost a reboot each and are left out).
has_stage matrix && guest_stage matrix bench-matrix.sh 720
has_stage extra && guest_stage extra bench-extra.sh 240
# Our driver without the SMMU, at the two sizes where its cost shows: per
# transfer (4 KiB) and per page (1 MiB). The matrix has the SMMU figures.
if has_stage nosmmu; then
	guest_stage nosmmu-guest bench-matrix.sh 300 none \
		"BENCH_DRIVERS=hidma BENCH_OPS=memcpy BENCH_SIZES='4096 1048576' BENCH_NCH=1 BENCH_THREADS=1 BENCH_MODES=irq "
	{
		grep '^NOTE,' "$out/raw-nosmmu-guest.txt" || true
		sed -n 's/^RAW,\([^,]*\),hidma,/RAW,\1,hidma-nosmmu,/p' "$out/raw-nosmmu-guest.txt"
	} > "$out/raw-nosmmu.txt"
fi

# Our driver on MSI (acpi-msi: QCOM8063 behind the same SMMUv3) at 4 KiB,
# against the matrix's wired figures of the acpi layout.
if has_stage msi; then
	guest_stage msi-guest bench-matrix.sh 300 smmuv3 \
		"BENCH_DRIVERS=hidma BENCH_OPS=memcpy BENCH_SIZES=4096 BENCH_NCH=1 BENCH_THREADS='1 4' BENCH_MODES=irq " \
		acpi-msi
	{
		grep '^NOTE,' "$out/raw-msi-guest.txt" || true
		sed -n 's/^RAW,\([^,]*\),hidma,/RAW,\1,hidma-msi,/p' "$out/raw-msi-guest.txt"
	} > "$out/raw-msi.txt"
fi

# What each driver costs per transfer, counted by the model (acpi layout,
# both drivers): MMIO accesses, doorbells and interrupts at depth 1 and 16,
# and the guest CPU time of the submit and interrupt paths. That time is
# taken twice: under TCG as usual, where the host's scheduling of four
# threads on two cores moves it by a third from run to run, and on one
# vCPU under -icount, where the guest's clock counts instructions
# (2^ICOUNT_SHIFT ns each) and the figures repeat to a few instructions.
ICOUNT_SHIFT=3
if has_stage cost; then
	guest_stage cost-tcg bench-cost.sh 300
	guest_stage cost-icount bench-cost.sh 200 smmuv3 \
		"BENCH_COST_PARTS=time BENCH_COST_CLOCK=icount " acpi \
		"-icount shift=$ICOUNT_SHIFT -smp 1"
	cat "$out"/raw-cost-{tcg,icount}.txt > "$out/raw-cost.txt" 2>/dev/null || true
fi

# The model with its copy thread against the model without it (every byte
# in the main loop, x-copy-thread=off), side by side: the qtest's 1 MiB
# TREs against host memcpy, then a boot of each for our driver's dmatest
# bandwidth on two channels and a vCPU's MMIO latency during 64 MiB copies.
if has_stage model; then
	log "model: qtest throughput, with and without the copy thread"
	qbuild="$HIDMA_CACHE/links/qemu/build"
	QTEST_QEMU_BINARY="$qbuild/qemu-system-aarch64" \
		"$qbuild/tests/qtest/qcom-hidma-test" -m slow -p /aarch64/qcom-hidma/throughput 2>&1 |
		sed -n 's/^# THROUGHPUT,/TPUT,/p' > "$out/raw-model-qtest.txt" || true
	[ -s "$out/raw-model-qtest.txt" ] ||
		echo "NOTE,model: the qtest printed no THROUGHPUT line" > "$out/raw-model-qtest.txt"
	guest_stage model-thread bench-model.sh 400 smmuv3 "BENCH_MODEL=thread "
	guest_stage model-mainloop bench-model.sh 400 smmuv3 "BENCH_MODEL=mainloop " acpi \
		"-global qcom-hidma.x-copy-thread=off"
	cat "$out"/raw-model-{qtest,thread,mainloop}.txt > "$out/raw-model.txt" 2>/dev/null || true
fi

for f in host matrix extra nosmmu msi cost model; do
	[ -f "$out/raw-$f.txt" ] || log "no $f results (stage not run yet)"
done
cat "$out"/raw-{host,matrix,extra,nosmmu,msi,cost,model}.txt 2>/dev/null > "$out/raw.txt" || true

python3 - "$out" "$(($(date +%s) - start))" "$ICOUNT_SHIFT" <<'PY'
import csv, math, os, statistics, sys

out, elapsed, icount_shift = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
USER_HZ = 100
NAMES = {"hidma": "hidma (ours)", "hidma-nosmmu": "hidma (ours), no SMMU", "hidma-msi": "hidma (ours), MSI", "hdma": "hdma (in-kernel 6.12)",
         "hidma-thread": "hidma (ours), model with its copy thread",
         "hidma-mainloop": "hidma (ours), model without it",
         "cpu-memcpy": "CPU memcpy (guest)", "host-memcpy": "host memcpy"}

raw, mem, ring, arb, notes, depth, cost, times = {}, [], {}, [], [], {}, {}, {}
mmio, tput = {}, None
for line in open(os.path.join(out, "raw.txt"), errors="replace"):
    f = line.strip().split(",")
    try:
        if f[0] == "RAW" and len(f) == 14:
            key = (f[2], f[3], int(f[4]), int(f[5]), int(f[6]), f[7])
            tests, fails, iops, kbs, busy = int(f[9]), int(f[10]), float(f[11]), float(f[12]), int(f[13])
            cpu = busy * 1e6 / USER_HZ / tests if tests and f[1] == "dma" else None
            raw.setdefault(key, []).append((iops, kbs * 1024 / 1e6, cpu, fails))
        elif f[0] == "MEM" and len(f) == 7:
            mem.append((f[1], int(f[3]), int(f[4]), int(f[5]), int(f[6])))
        elif f[0] == "DEPTH" and len(f) == 13:
            iops, kbs = float(f[10]), float(f[11])
            depth.setdefault(int(f[1]), []).append((iops, kbs * 1024 / 1e6, int(f[9])))
        elif f[0] == "COST" and len(f) == 11:
            cost[(f[1], int(f[2]))] = [int(v) for v in f[3:]]
        elif f[0] == "TIME" and len(f) == 11:
            times[(f[1], f[2])] = [int(v) for v in f[3:]]
        elif f[0] == "MMIO" and len(f) == 12:
            mmio[f[1]] = [int(v) for v in f[2:]]
        elif f[0] == "TPUT" and len(f) == 5:
            tput = [float(v) for v in f[2:]]
        elif f[0] == "RING" and len(f) == 4:
            ring[f[2]] = int(f[3])
        elif f[0] == "ARB" and len(f) >= 10:
            arb.append((f[1], int(f[2]), int(f[3]), int(f[4]), int(f[5]),
                        int(f[6]), int(f[7]), int(f[8]), int(f[9]), f[10] if len(f) > 10 else ""))
        elif f[0] in ("NOTE", "SPLAT"):
            notes.append(line.strip())
    except (ValueError, IndexError):
        notes.append("NOTE,unparsable: " + line.strip())

def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)

agg = {}
for key, samples in raw.items():
    agg[key] = {"runs": len(samples),
                "iops": stats([s[0] for s in samples]),
                "mbs": stats([s[1] for s in samples]),
                "cpu": stats([s[2] for s in samples]),
                "fails": sum(s[3] for s in samples)}

def get(drv, op, size, nch=1, thr=1, mode="irq", what="iops"):
    a = agg.get((drv, op, size, nch, thr, mode))
    return a[what][0] if a and a[what] else None

def ratio(a, b):
    return a / b if a is not None and b else None

def fnum(v, digits=0):
    if v is None:
        return "-"
    if digits == 0 and abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"

def fr(v):
    return "-" if v is None else f"{v:.2f}x"

def fsize(s):
    return f"{s // 1048576} MiB" if s >= 1048576 else f"{s // 1024} KiB" if s >= 1024 else f"{s} B"

def frange(st, digits=0):
    return "-" if not st else f"{fnum(st[0], digits)} [{fnum(st[1], digits)}-{fnum(st[2], digits)}]"

COST_COLS = ("MMIO reads", "MMIO writes", "doorbells", "interrupts")

def per_tre(c):
    """Counts per completed transfer: reads, writes, doorbells, interrupts."""
    n = c[0]
    if not n:
        return None
    return ((c[1] + c[2]) / n, (c[3] + c[4]) / n, c[5] / n, c[6] / n)

CLOCK_UNIT = {"tcg": "ns", "icount": "instructions"}

def time_per_tre(clock, t):
    """Per transfer: prep, tx_submit, issue_pending, the submit path, the
    interrupt handler, and submit + interrupt; ns under TCG, instructions
    under icount."""
    if not (t and t[0] and t[5]):
        return None
    unit = 1 << icount_shift if clock == "icount" else 1
    prep, txs, issue = (v / t[0] / unit for v in t[2:5])
    sub, irq = t[1] / t[0] / unit, t[6] / t[5] / unit
    return prep, txs, issue, sub, irq, sub + irq

# ---------------------------------------------------------------- CSV
order = {"hidma": 0, "hdma": 1, "cpu-memcpy": 2, "host-memcpy": 3, "hidma-nosmmu": 4, "hidma-msi": 5,
         "hidma-thread": 6, "hidma-mainloop": 7}
keys = sorted(agg, key=lambda k: (order.get(k[0], 9), k[1], k[2], k[3], k[4], k[5]))
with open(os.path.join(out, "results.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["driver", "op", "size", "channels", "threads_per_channel", "mode", "runs",
                "iops_median", "iops_min", "iops_max", "mbps_median", "mbps_min", "mbps_max",
                "cpu_us_per_transfer_median", "cpu_us_per_transfer_min",
                "cpu_us_per_transfer_max", "failures"])
    for k in keys:
        a = agg[k]
        c = a["cpu"] or ("", "", "")
        w.writerow(list(k) + [a["runs"]] + [f"{v:.2f}" for v in a["iops"]] +
                   [f"{v:.3f}" for v in a["mbs"]] +
                   [f"{v:.2f}" if v != "" else "" for v in c] + [a["fails"]])

with open(os.path.join(out, "cost.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["driver", "depth", "transfers", "trca_reads", "evca_reads", "trca_writes",
                "evca_writes", "doorbells", "irqs", "failures", "reads_per_transfer",
                "writes_per_transfer", "doorbells_per_transfer", "irqs_per_transfer"])
    for (drv, d) in sorted(cost, key=lambda k: (k[1], order.get(k[0], 9))):
        p = per_tre(cost[(drv, d)])
        w.writerow([drv, d] + cost[(drv, d)] + ([f"{v:.3f}" for v in p] if p else [""] * 4))

with open(os.path.join(out, "cputime.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["clock", "driver", "unit", "submits", "transfers", "handlers",
                "prep_per_transfer", "tx_submit_per_transfer", "issue_pending_per_transfer",
                "submit_per_transfer", "interrupt_per_transfer", "sum_per_transfer"])
    for clock, drv in sorted(times, key=lambda k: (k[0] != "icount", order.get(k[1], 9))):
        t, v = times[(clock, drv)], time_per_tre(clock, times[(clock, drv)])
        w.writerow([clock, drv, CLOCK_UNIT.get(clock, ""), t[0], t[5], t[7]]
                   + ([f"{x:.1f}" for x in v] if v else [""] * 6))

def arb_rows():
    rows = []
    for name, pa, wa, pb, wb, ba, bb, ga, gb, model in arb:
        tot = ba + bb
        share = ba / tot if tot else None
        if pa > pb:
            exp, err = 1.0, (None if share is None else 1.0 - share)
        else:
            exp = wa / (wa + wb)
            err = None if not bb else (ba / bb) / (wa / wb) - 1.0
        rows.append((name, pa, wa, pb, wb, ba, bb, ga, gb, model, exp, share, err))
    return rows

with open(os.path.join(out, "arbitration.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["setting", "prio_a", "weight_a", "prio_b", "weight_b", "bytes_a", "bytes_b",
                "grants_a", "grants_b", "model_qos", "expected_share_a", "share_a", "error"])
    for r in arb_rows():
        w.writerow(list(r[:10]) + [f"{r[10]:.4f}", "" if r[11] is None else f"{r[11]:.4f}",
                                   "" if r[12] is None else f"{r[12]:.4f}"])

with open(os.path.join(out, "model.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["model", "qtest_mbps", "qtest_host_mbps", "dmatest_2ch_4thr_1m_mbps",
                "mmio_idle_median_ns", "mmio_idle_p99_ns", "mmio_idle_max_ns",
                "mmio_idle_mean_ns", "mmio_busy_median_ns", "mmio_busy_p99_ns",
                "mmio_busy_max_ns", "mmio_busy_mean_ns", "mmio_busy_reads", "copies_64m"])
    for i, m in enumerate(("thread", "mainloop")):
        a = agg.get((f"hidma-{m}", "memcpy", 1048576, 2, 4, "irq"))
        w.writerow([m, f"{tput[i]:.0f}" if tput else "", f"{tput[2]:.0f}" if tput else "",
                    f"{a['mbs'][0]:.1f}" if a else ""] + (mmio.get(m) or [""] * 10))

# ---------------------------------------------------------------- targets
sizes = sorted({k[2] for k in agg})
ops = [o for o in ("memcpy", "memset") if any(k[1] == o for k in agg)]
targets = []

small = [(k, ratio(get("hidma", *k[1:]), get("hdma", *k[1:])))
         for k in agg if k[0] == "hidma" and k[2] <= 4096 and k[4] == 1 and k[5] == "irq"]
small = [(k, r) for k, r in small if r is not None]
if small:
    worst = min(small, key=lambda x: x[1])
    k = worst[0]
    targets.append(("64 B-4 KiB, 1 thread/channel, irq: iops >= 1.5x in-kernel",
                    all(r >= 1.5 for _, r in small),
                    f"{sum(r >= 1.5 for _, r in small)}/{len(small)} points; worst {worst[1]:.2f}x "
                    f"({k[1]} {fsize(k[2])} {k[3]} ch); 1 ch memcpy: " +
                    ", ".join(f"{fsize(s)} {fr(ratio(get('hidma', 'memcpy', s), get('hdma', 'memcpy', s)))}"
                              for s in sizes if s <= 4096)))
big = [(k, ratio(get("hidma", *k[1:], what="mbs"), get("hdma", *k[1:], what="mbs")))
       for k in agg if k[0] == "hidma" and k[2] == 1048576]
big = [(k, r) for k, r in big if r is not None]
if big:
    worst = min(big, key=lambda x: x[1])
    k = worst[0]
    targets.append(("1 MiB: MB/s no lower than in-kernel", all(r >= 1.0 for _, r in big),
                    f"{sum(r >= 1.0 for _, r in big)}/{len(big)} points; worst {worst[1]:.2f}x "
                    f"({k[1]} {k[3]} ch x {k[4]} thr {k[5]}); 1 ch memcpy irq "
                    f"{fr(ratio(get('hidma', 'memcpy', 1048576, what='mbs'), get('hdma', 'memcpy', 1048576, what='mbs')))}"))
host1m = get("host-memcpy", "memcpy", 1048576, mode="cpu", what="mbs")
ours1m = [(k, agg[k]["mbs"][0]) for k in agg if k[0] == "hidma" and k[1] == "memcpy" and k[2] == 1048576]
if host1m and ours1m:
    best = max(ours1m, key=lambda x: x[1])
    one = get("hidma", "memcpy", 1048576, what="mbs")
    targets.append(("1 MiB memcpy: >= 50% of host memcpy bandwidth", best[1] >= 0.5 * host1m,
                    f"host {host1m:,.0f} MB/s; ours best {best[1]:,.0f} MB/s = {best[1] / host1m:.1%} "
                    f"({best[0][3]} ch x {best[0][4]} thr {best[0][5]}); 1 ch 1 thr irq "
                    f"{'-' if one is None else f'{one / host1m:.1%}'}"))
cpu = [(k, ratio(get("hidma", *k[1:], what="cpu"), get("hdma", *k[1:], what="cpu")))
       for k in agg if k[0] == "hidma" and k[5] == "irq"]
cpu = [(k, r) for k, r in cpu if r is not None]
if cpu:
    gm = math.exp(sum(math.log(max(r, 1e-9)) for _, r in cpu) / len(cpu))
    targets.append(("CPU time per transfer below in-kernel (irq mode)", all(r < 1.0 for _, r in cpu),
                    f"{sum(r < 1.0 for _, r in cpu)}/{len(cpu)} points lower; geometric mean ours/in-kernel {gm:.2f}x"))
for d in (1, 16):
    o, k = cost.get(("hidma", d)), cost.get(("hdma", d))
    po, pk = o and per_tre(o), k and per_tre(k)
    if po and pk:
        rr = ratio(po[0], pk[0])
        targets.append((f"MMIO reads per transfer at depth {d}: at most 0.25x in-kernel",
                        rr is not None and rr <= 0.25,
                        f"{po[0]:.2f} ours, {pk[0]:.2f} in-kernel ({fr(rr)})"))
    if d == 16 and po:
        targets.append(("interrupts per transfer at depth 16: at most 0.5", po[3] <= 0.5,
                        f"{po[3]:.2f} ours" + (f", {pk[3]:.2f} in-kernel" if pk else "")))
cpu_time = []
for clock in ("icount", "tcg"):
    to = time_per_tre(clock, times.get((clock, "hidma")))
    tk = time_per_tre(clock, times.get((clock, "hdma")))
    if to and tk:
        u = CLOCK_UNIT[clock]
        cpu_time.append((clock, ratio(to[5], tk[5]),
                         f"{clock}: {to[5]:,.0f} {u} ours ({to[3]:,.0f} submit + "
                         f"{to[4]:,.0f} interrupt), {tk[5]:,.0f} in-kernel "
                         f"({tk[3]:,.0f} + {tk[4]:,.0f}): {fr(ratio(to[5], tk[5]))}"))
if cpu_time:
    # the icount figure decides when there is one: it repeats
    rr = cpu_time[0][1]
    targets.append(("guest CPU per transfer in the driver's submit and interrupt paths: "
                    "at most 0.5x in-kernel", rr is not None and rr <= 0.5,
                    "; ".join(c[2] for c in cpu_time)))
if tput:
    targets.append(("qtest: the model at 1 MiB TREs (copy thread) >= 0.9x host memcpy",
                     tput[0] >= 0.9 * tput[2],
                     f"{tput[0]:,.0f} MB/s against host {tput[2]:,.0f} = {tput[0] / tput[2]:.2f}x "
                     f"(without the thread {tput[1]:,.0f} = {tput[1] / tput[2]:.2f}x)"))
for m in ("thread", "mainloop"):
    v = get(f"hidma-{m}", "memcpy", 1048576, 2, 4, what="mbs")
    if v is None or not host1m:
        continue
    if m == "thread":
        other = get("hidma-mainloop", "memcpy", 1048576, 2, 4, what="mbs")
        targets.append(("dmatest memcpy 1 MiB, 4 threads x 2 channels (perf kernel): >= 50% of host memcpy",
                        v >= 0.5 * host1m,
                        f"{v:,.0f} MB/s = {v / host1m:.1%} of host {host1m:,.0f} MB/s"
                        + ("" if other is None else f" (model without the thread: {other:,.0f} MB/s = {other / host1m:.1%})")))
mt = mmio.get("thread")
if mt:
    # idle: median p99 max mean; busy: the same, then reads and copies
    ok = all(mt[4 + i] <= 2 * mt[i] for i in (0, 1, 3))
    mm = mmio.get("mainloop")
    targets.append(("vCPU MMIO read while two channels copy 64 MiB TREs: <= 2x idle (median, p99, mean)", ok,
                    f"median {mt[4]:,} ns vs idle {mt[0]:,} ({mt[4] / mt[0]:.2f}x), p99 {mt[5]:,} vs {mt[1]:,} "
                    f"({mt[5] / mt[1]:.2f}x), mean {mt[7]:,} vs {mt[3]:,} ({mt[7] / mt[3]:.2f}x), "
                    f"max {mt[6]:,} vs {mt[2]:,}; {mt[8]:,} reads over {mt[9]} copies"
                    + ("" if not mm else f"; without the thread: median {mm[4] / mm[0]:.2f}x, "
                       f"p99 {mm[5] / mm[1]:.2f}x, mean {mm[7] / mm[3]:.2f}x, max {mm[6]:,} ns, "
                       f"{mm[8]:,} reads over {mm[9]} copies")))
ar = arb_rows()
if ar:
    ok = all(r[12] is not None and abs(r[12]) <= 0.10 for r in ar)
    targets.append(("arbitration shares within 10% of the weights", ok,
                    "; ".join(f"{r[0]}: {'-' if r[11] is None else f'{r[11]:.1%}'} (want {r[10]:.1%})"
                              for r in ar)))

# ---------------------------------------------------------------- Markdown
md = []
md.append("# HIDMA benchmarks\n")
md.append("Perf kernel (6.12, no debug options), QEMU TCG (`-cpu max -smp 2`), the "
          "qcom-hidma model, acpi layout for both drivers with the channels behind the "
          "SMMUv3 (lazy IOTLB invalidation, the perf kernel's default). dmatest with fixed-size "
          "transfers (`norandom=1`, `noverify=1`, `alignment=6`), each point a run of a "
          "fixed number of iterations per thread, sized from a first short run to take "
          "about `BENCH_SECS` and left to end by itself (stopping dmatest with `run=0` "
          "frees buffers under transfers in flight); iops and MB/s (10^6 B/s) are the sums "
          "over the threads; cells are median [min-max] over the runs. CPU us/transfer = "
          "non-idle guest CPU time (all CPUs, /proc/stat) / transfers. The drivers take "
          "turns in one boot, alternating the order every round.\n")
md.append("## Headline: memcpy, 1 channel, 1 thread, interrupt mode\n")
md.append("| size | ours iops | in-kernel iops | ours/in-kernel | ours MB/s | in-kernel MB/s "
          "| guest CPU memcpy MB/s | host memcpy MB/s | ours/host | ours CPU us/xfer | in-kernel CPU us/xfer |")
md.append("|---|---|---|---|---|---|---|---|---|---|---|")
for s in sizes:
    o, h = get("hidma", "memcpy", s), get("hdma", "memcpy", s)
    om, hm = get("hidma", "memcpy", s, what="mbs"), get("hdma", "memcpy", s, what="mbs")
    cm, xm = get("cpu-memcpy", "memcpy", s, mode="cpu", what="mbs"), get("host-memcpy", "memcpy", s, mode="cpu", what="mbs")
    md.append(f"| {fsize(s)} | {fnum(o)} | {fnum(h)} | {fr(ratio(o, h))} | {fnum(om, 1)} | {fnum(hm, 1)} "
              f"| {fnum(cm, 0)} | {fnum(xm, 0)} | {'-' if not (om and xm) else f'{om / xm:.2%}'} "
              f"| {fnum(get('hidma', 'memcpy', s, what='cpu'), 1)} | {fnum(get('hdma', 'memcpy', s, what='cpu'), 1)} |")
md.append("")
md.append("## Targets (measured, not asserted)\n")
md.append("| target | met | measured |")
md.append("|---|---|---|")
for name, ok, text in targets:
    md.append(f"| {name} | {'yes' if ok else '**no**'} | {text} |")
if not targets:
    md.append("| - | - | no results |")
md.append("")
md.append("## Full matrix\n")
md.append("| op | size | ch | thr/ch | mode | ours iops | in-kernel iops | ratio | ours MB/s "
          "| in-kernel MB/s | ours CPU us/xfer | in-kernel CPU us/xfer | failures ours/in-kernel |")
md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
points = sorted({k[1:] for k in agg if k[0] in ("hidma", "hdma")},
                key=lambda k: (k[0], k[1], k[2], k[3], k[4]))
for p in points:
    a, b = agg.get(("hidma",) + p), agg.get(("hdma",) + p)
    md.append(f"| {p[0]} | {fsize(p[1])} | {p[2]} | {p[3]} | {p[4]} "
              f"| {frange(a and a['iops'])} | {frange(b and b['iops'])} "
              f"| {fr(ratio(a and a['iops'][0], b and b['iops'][0]))} "
              f"| {frange(a and a['mbs'], 1)} | {frange(b and b['mbs'], 1)} "
              f"| {frange(a and a['cpu'], 1)} | {frange(b and b['cpu'], 1)} "
              f"| {a['fails'] if a else '-'}/{b['fails'] if b else '-'} |")
md.append("")
md.append("## References: CPU memcpy in the guest (one CPU) and on the host\n")
md.append("| op | size | guest CPU iops | guest CPU MB/s | host iops | host MB/s |")
md.append("|---|---|---|---|---|---|")
for op in ops:
    for s in sizes:
        c, x = agg.get(("cpu-memcpy", op, s, 1, 1, "cpu")), agg.get(("host-memcpy", op, s, 1, 1, "cpu"))
        md.append(f"| {op} | {fsize(s)} | {frange(c and c['iops'])} | {frange(c and c['mbs'])} "
                  f"| {frange(x and x['iops'])} | {frange(x and x['mbs'])} |")
md.append("")
smmu_sizes = [s for s in (4096, 1048576) if get("hidma-nosmmu", "memcpy", s)]
if smmu_sizes:
    md.append("## SMMU cost (our driver)\n")
    md.append("memcpy, 1 channel, 1 thread, interrupt mode, acpi layout: the matrix's figures "
              "(channels behind the SMMUv3) against a boot of the same layout without the "
              "SMMU, in the same run. Under TCG the SMMU's cost is QEMU's page-table walk "
              "and IOTLB, plus the guest's map/unmap and invalidation.\n")
    md.append("| size | iops with SMMU | iops without | with/without | MB/s with | MB/s without | with/without |")
    md.append("|---|---|---|---|---|---|---|")
    for s in smmu_sizes:
        a, b = agg.get(("hidma", "memcpy", s, 1, 1, "irq")), agg.get(("hidma-nosmmu", "memcpy", s, 1, 1, "irq"))
        md.append(f"| {fsize(s)} | {frange(a and a['iops'])} | {frange(b and b['iops'])} "
                  f"| {fr(ratio(a and a['iops'][0], b and b['iops'][0]))} "
                  f"| {frange(a and a['mbs'], 1)} | {frange(b and b['mbs'], 1)} "
                  f"| {fr(ratio(a and a['mbs'][0], b and b['mbs'][0]))} |")
    md.append("")
msi_threads = [t for t in (1, 4) if agg.get(("hidma-msi", "memcpy", 4096, 1, t, "irq"))]
if msi_threads:
    md.append("## MSI against the wired interrupt (our driver)\n")
    md.append("memcpy 4 KiB, 1 channel, interrupt mode, channels behind the SMMUv3: the "
              "matrix's figures on the acpi layout (QCOM8061, wired) against a boot of "
              "acpi-msi (QCOM8063, one ITS vector per cause), in the same run.\n")
    md.append("| threads | iops MSI | iops wired | MSI/wired |")
    md.append("|---|---|---|---|")
    for t in msi_threads:
        a = agg.get(("hidma-msi", "memcpy", 4096, 1, t, "irq"))
        b = agg.get(("hidma", "memcpy", 4096, 1, t, "irq"))
        md.append(f"| {t} | {frange(a and a['iops'])} | {frange(b and b['iops'])} "
                  f"| {fr(ratio(a and a['iops'][0], b and b['iops'][0]))} |")
    md.append("")
if cost:
    md.append("## What each driver costs per transfer, counted by the model\n")
    md.append("dmatest memcpy, 4 KiB, one channel, interrupt mode, acpi layout, both drivers "
              "given 32 descriptors; the model's counters (`x-ch<N>-trca-reads`, "
              "`-evca-reads`, `-trca-writes`, `-evca-writes`, `-doorbells`, `-irqs`) over "
              "the run, divided by the transfers it completed. Counts, not timings: they "
              "hold on silicon, where one MMIO read costs hundreds of nanoseconds.\n")
    md.append("| depth | driver | transfers | " + " | ".join(f"{c}/transfer" for c in COST_COLS)
              + " | reads TRCA+EVCA | failures |")
    md.append("|---|---|---|---|---|---|---|---|---|")
    for (drv, d) in sorted(cost, key=lambda k: (k[1], order.get(k[0], 9))):
        c = cost[(drv, d)]
        p = per_tre(c)
        md.append(f"| {d} | {NAMES.get(drv, drv)} | {c[0]:,} | "
                  + " | ".join("-" if p is None else f"{v:.2f}" for v in p)
                  + f" | {c[1]:,}+{c[2]:,} | {c[7]} |")
    md.append("")
if times:
    md.append("## Guest CPU time in each driver's own paths\n")
    md.append("One transfer at a time (memcpy, 4 KiB, one channel, acpi layout, perf kernel "
              "with its tracepoints off but for this run). Submit: prep, `tx_submit` and "
              "`issue_pending`, each timed around its call by one client for both drivers "
              "(`bench_submit.ko`), interrupts off from prep to `issue_pending`'s return. "
              "Interrupt: handler entry to exit of the channel's interrupt "
              "(`irq_handler_entry`/`irq_handler_exit`, filtered by its number, microsecond "
              "stamps) during a dmatest run, per completed transfer; the completion callbacks "
              "run later, from the virt-dma or the driver's tasklet, and are not in it. The "
              "window holds the tracepoints' own work and the interrupt core's, the same for "
              "both drivers. `tcg`: the guest's clock is the host's, on the cost stage's boot "
              "(2 vCPUs); it moves by about a third from run to run. `icount`: a boot of its "
              "own on one vCPU with `-icount shift="
              f"{icount_shift}`, where the guest's clock counts instructions, given here as "
              "instructions; the figures repeat to within a few instructions. MMIO accesses count as one "
              "instruction there: their cost on silicon is in the table above.\n")
    md.append("| clock | driver | submits | prep | tx_submit | issue_pending | submit path | "
              "handlers | transfers | interrupt path | sum | unit |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for clock, drv in sorted(times, key=lambda k: (k[0] != "icount", order.get(k[1], 9))):
        t, v = times[(clock, drv)], time_per_tre(clock, times[(clock, drv)])
        md.append(f"| {clock} | {NAMES.get(drv, drv)} | {t[0]:,} | "
                  + " | ".join("-" if not v else f"{x:,.0f}" for x in v[:4])
                  + f" | {t[7]:,} | {t[5]:,} | "
                  + " | ".join("-" if not v else f"{x:,.0f}" for x in v[4:])
                  + f" | {CLOCK_UNIT.get(clock, '?')} |")
    md.append("")
if tput or mmio or any(k[0] in ("hidma-thread", "hidma-mainloop") for k in agg):
    md.append("## The model off the main loop\n")
    md.append("The same model with its copy thread (bytes of RAM moved by a thread, without the "
              "BQL; the default) and without it (`-global qcom-hidma.x-copy-thread=off`: every "
              "byte in the main loop, one engine run at a time), in the same run. qtest: 1 MiB "
              "memcpy TREs, 128 per round, medians of five rounds taken in turn with host "
              "`memcpy()` of 1 MiB. dmatest: our driver, perf kernel, acpi layout behind the "
              "SMMUv3, memcpy 1 MiB, `noverify=1`, 4 threads on each of 2 channels. MMIO: a "
              "guest module (`bench_mmio.ko`) reads an idle channel's TRCA register, timed "
              "read by read (the guest's clock: 16 ns steps), 20,000 times with the engine idle, "
              "then while two other channels each copy 64 MiB TREs back to back, until each "
              "completed 3, interrupts off around each read. The mean weighs a read by its wait: "
              "a vCPU held for milliseconds makes few reads, which the percentiles barely see.\n")
    md.append("| model | qtest MB/s | / host | dmatest MB/s | / host | MMIO idle median/p99/mean/max ns "
              "| busy median/p99/mean/max ns | busy reads | busy/idle median | p99 | mean |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for i, m in enumerate(("thread", "mainloop")):
        q = tput[i] if tput else None
        d = get(f"hidma-{m}", "memcpy", 1048576, 2, 4, what="mbs")
        r = mmio.get(m)
        md.append(f"| {'copy thread' if m == 'thread' else 'main loop'} | {fnum(q)} "
                  f"| {'-' if not (q and tput) else f'{q / tput[2]:.2f}x'} | {fnum(d)} "
                  f"| {'-' if not (d and host1m) else f'{d / host1m:.1%}'} "
                  + ("| - | - | - | - | - | - |" if not r else
                     f"| {r[0]:,}/{r[1]:,}/{r[3]:,}/{r[2]:,} | {r[4]:,}/{r[5]:,}/{r[7]:,}/{r[6]:,} "
                     f"| {r[8]:,} | {r[4] / r[0]:.2f}x | {r[5] / r[1]:.2f}x | {r[7] / r[3]:.2f}x |"))
    md.append(f"\nhost memcpy 1 MiB: {fnum(tput[2] if tput else None)} MB/s in the qtest, "
              f"{fnum(host1m)} MB/s in the host stage.\n")
md.append("## Memory per channel\n")
md.append("Free-memory deltas (/proc/meminfo MemFree, page granular) when the channel "
          "driver probes all channels (minus the module's own size from /proc/modules), "
          "and when a client (dmatest, one idle thread per channel, 64-byte buffers) "
          "holds every channel; that second figure includes the dmatest thread, the same "
          "for both drivers. Median over the loads.\n")
md.append("| driver | channels | probe, bytes/channel | held by a client, bytes/channel | module size |")
md.append("|---|---|---|---|---|")
for drv in ("hidma", "hdma"):
    rows = [m for m in mem if m[0] == drv]
    if not rows:
        continue
    n = rows[0][1]
    probe = statistics.median([(m[2] - m[3]) / m[1] for m in rows])
    held = statistics.median([m[4] / m[1] for m in rows])
    md.append(f"| {NAMES[drv]} | {n} | {probe:,.0f} | {held:,.0f} | {rows[0][3]:,} |")
if ring:
    slots = sorted(set(ring.values()))
    md.append(f"\nOur rings (debugfs `ring`): {', '.join(map(str, slots))} slots per channel = "
              f"{', '.join(f'{s * 32:,} B of TREs + {s * 16:,} B of EVREs' for s in slots)} "
              "(each a page-granular coherent allocation).")
md.append("")
if depth:
    md.append("## Ring depth (our driver, `desc_count`)\n")
    md.append("dmatest memcpy, 4 KiB, 16 threads on one channel (at most 16 transfers "
              "in flight), interrupt mode; median [min-max] over the runs.\n")
    md.append("| descriptors | iops | MB/s | vs 127 | failures |")
    md.append("|---|---|---|---|---|")
    ref = stats([d[0] for d in depth.get(127, [])])
    for n in sorted(depth):
        st = stats([d[0] for d in depth[n]])
        md.append(f"| {n} | {frange(st)} | {frange(stats([d[1] for d in depth[n]]), 1)} "
                  f"| {fr(ratio(st and st[0], ref and ref[0]))} | {sum(d[2] for d in depth[n])} |")
    md.append("")
md.append("## Arbitration: two backlogged channels on a paced bus\n")
md.append("Our drivers, weights and priority written through our sysfs (`chanops/chan<N>/`), "
          "bus paced with the model's `x-bus-bytes-per-us`, dmatest 1 MiB memcpy with 4 threads "
          "on each channel; bytes from the model's `x-ch<N>-bytes` counters over the measured "
          "window. Error: byte ratio / weight ratio - 1 (priority: 1 - share of the high channel).\n")
md.append("| setting (A:B) | model QoS A:B (prio/weight) | bytes A | bytes B | grants A | grants B | share A | expected | error |")
md.append("|---|---|---|---|---|---|---|---|---|")
for r in ar:
    md.append(f"| {r[0]} | {r[9]} | {r[5]:,} | {r[6]:,} | {r[7]:,} | {r[8]:,} "
              f"| {'-' if r[11] is None else f'{r[11]:.1%}'} | {r[10]:.1%} "
              f"| {'-' if r[12] is None else f'{r[12]:+.1%}'} |")
if notes:
    md.append("\n## Notes from the run\n")
    md.extend(f"- {n.split(',', 1)[1]}" for n in notes)
md.append(f"\nBench wall time: {elapsed // 60} min {elapsed % 60} s.")
open(os.path.join(out, "results.md"), "w").write("\n".join(md) + "\n")

# ---------------------------------------------------------------- plot data
with open(os.path.join(out, "plot.dat"), "w") as fh:
    fh.write("# size  hidma(med min max)  hdma  cpu-memcpy  host-memcpy (memcpy, 1 ch, 1 thr, irq)\n")
    for s in sizes:
        cols = []
        for drv, mode in (("hidma", "irq"), ("hdma", "irq"), ("cpu-memcpy", "cpu"), ("host-memcpy", "cpu")):
            a = agg.get((drv, "memcpy", s, 1, 1, mode))
            cols += [f"{v:.2f}" for v in a["iops"]] if a else ["NaN"] * 3
        fh.write(f"{s} " + " ".join(cols) + "\n")

# ---------------------------------------------------------------- summary
print()
print("==== make bench summary (memcpy, 1 channel, 1 thread, interrupt mode) ====")
print(f"{'size':>8} {'ours iops':>11} {'in-kernel':>11} {'ratio':>7} {'ours MB/s':>10} {'model/host':>10} {'CPU us ours/in-kernel':>22}")
for s in sizes:
    o, h = get("hidma", "memcpy", s), get("hdma", "memcpy", s)
    om, xm = get("hidma", "memcpy", s, what="mbs"), get("host-memcpy", "memcpy", s, mode="cpu", what="mbs")
    co, ch = get("hidma", "memcpy", s, what="cpu"), get("hdma", "memcpy", s, what="cpu")
    print(f"{fsize(s):>8} {fnum(o):>11} {fnum(h):>11} {fr(ratio(o, h)):>7} {fnum(om, 1):>10} "
          f"{'-' if not (om and xm) else f'{om / xm:.2%}':>10} {fnum(co, 1) + ' / ' + fnum(ch, 1):>22}")
print()
for name, ok, text in targets:
    print(f"[{'met' if ok else 'MISSED'}] {name}: {text}")
for n in sorted(depth):
    st = stats([d[0] for d in depth[n]])
    print(f"ring depth {n}: {frange(st)} iops (4 KiB memcpy, 16 threads, 1 channel)")
for s in smmu_sizes:
    print(f"SMMU cost, memcpy {fsize(s)}: iops with/without SMMU "
          f"{fr(ratio(get('hidma', 'memcpy', s), get('hidma-nosmmu', 'memcpy', s)))}")
for t in msi_threads:
    a = agg.get(("hidma-msi", "memcpy", 4096, 1, t, "irq"))
    b = agg.get(("hidma", "memcpy", 4096, 1, t, "irq"))
    print(f"MSI against wired, memcpy 4 KiB, {t} thread(s): {frange(a and a['iops'])} against "
          f"{frange(b and b['iops'])} iops, {fr(ratio(a and a['iops'][0], b and b['iops'][0]))}")
for r in ar:
    print(f"arbitration {r[0]}: share A {'-' if r[11] is None else f'{r[11]:.1%}'} (expected {r[10]:.1%})")
print(f"\nresults: {out}/results.md, results.csv, arbitration.csv, model.csv, cost.csv, "
      f"cputime.csv, iops.png ({elapsed} s)")
PY

if command -v gnuplot >/dev/null; then
	gnuplot -e "datafile='$out/plot.dat'; outfile='$out/iops.png'; subtitle='$(date -u +%Y-%m-%d) perf kernel, acpi layout, TCG'" \
		"$HIDMA_BENCH/bench-plot.gp" || log "gnuplot failed"
else
	log "gnuplot missing: no iops.png (make deps installs gnuplot-nox)"
fi
total=$(($(date +%s) - start))
log "done in $((total / 60)) min $((total % 60)) s"
