#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the kernel-quality gates of the HIDMA drivers, as KTAP.
#
# One result per gate: "ok N <gate> (<count> findings)" or "not ok N ...",
# the findings as "# " lines under it (the full list of each gate is kept
# in .build/check/<gate>.log). A gate whose inputs do not exist yet says
# "ok N <gate> # SKIP <reason>". Any finding fails its gate; the script
# exits non-zero when a gate failed.
#
#   check.sh [GATE...]     run only the named gates (names or globs, e.g.
#                          'build*'; see GATES at the end)
#
# Choices worth knowing:
# - Every build happens in a private copy of drivers/dma/qcom under
#   .build/check/, never in the source directory, and from scratch, so that
#   a warning is never hidden by an up-to-date object.
# - x86_64 COMPILE_TEST build: against Debian's installed 6.12 amd64
#   headers (/usr/src/linux-headers-6.12.*-amd64). They lack drivers/dma,
#   so KCFLAGS adds -I<6.12 source>/drivers/dma/qcom (the source the bench
#   extracts from linux-source-6.12, the same version as the headers):
#   "../dmaengine.h" and "../virt-dma.h" then resolve to the source tree's
#   drivers/dma, exactly like the in-tree build. Nothing is copied.
# - Sparse runs as a second pass with C=2 over the already compiled copy,
#   so its output is separate from the compiler's.
# - Shell scripts are checked in the dialect they run in: bash for the
#   bench (the sourced libraries included), dash for the busybox ash
#   scripts of the guest (ash has "local", as dash does). Sourced libraries
#   are also checked on their own with SC2034 ("appears unused") off, as
#   their variables are used by the scripts that source them.
#
# The gate functions are called through a table (SC2317 cannot see that).
# shellcheck disable=SC2317
set -uo pipefail
. "$(dirname "$0")/lib.sh"

WORK="$HIDMA_BUILD/check"
QCOM="$HIDMA_TOP/drivers/dma/qcom"
VFIO_RESET="$HIDMA_TOP/drivers/vfio/platform/reset"
QEMU_MODEL="$HIDMA_TOP/tools/testing/qemu"
BINDINGS="$HIDMA_TOP/Documentation/devicetree/bindings/dma"
SELFTESTS="$HIDMA_TOP/tools/testing/selftests/drivers/dma/hidma"
SHOW_MAX=${HIDMA_CHECK_SHOW:-40}
JOBS=$HIDMA_JOBS
CROSS=(ARCH=arm64 CROSS_COMPILE="$HIDMA_CROSS")

mkdir -p "$WORK"
SRC=$(linux_src) || exit 1

# ---------------------------------------------------------------- helpers

# The driver files that exist right now.
driver_sources()
{
	local f
	for f in "$QCOM"/*.c "$QCOM"/*.h "$VFIO_RESET"/*.c; do
		# kbuild writes *.mod.c next to the sources of an in-tree "make"
		case "$f" in *.mod.c) continue ;; esac
		[ -f "$f" ] && echo "$f"
	done
}

binding_files()
{
	local f
	for f in "$BINDINGS"/qcom,hidma*.yaml; do
		[ -f "$f" ] && echo "$f"
	done
}

# Each gate function prints its findings on stdout, one per line, and
# returns 0; or prints a reason and returns 77 to be skipped.
SKIP=77

rel()
{
	sed -e "s|$WORK/[^/ :]*/qcom/|drivers/dma/qcom/|g" -e "s|$HIDMA_TOP/||g" \
		-e "s|\.build/check/[^/ :]*/qcom/|drivers/dma/qcom/|g" \
		-e "s|$WORK/[^/ :]*/vfio-reset/|drivers/vfio/platform/reset/|g" \
		-e "s|\.build/check/[^/ :]*/vfio-reset/|drivers/vfio/platform/reset/|g"
}

# Private, fresh copy of the drivers for a build: .build/check/<name>/qcom.
fresh_copy()
{
	local dir="$WORK/$1/qcom"
	rm -rf "${WORK:?}/$1"
	mkdir -p "$dir"
	find "$QCOM" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o \
		-name Makefile -o -name Kbuild -o -name Kconfig \) \
		-exec cp -p {} "$dir/" \;
	echo "$dir"
}

# The same for the vfio-platform reset module: .build/check/<name>/vfio-reset.
fresh_vfio_copy()
{
	local dir="$WORK/$1/vfio-reset"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -p "$VFIO_RESET"/*.c "$VFIO_RESET"/Makefile "$dir/"
	echo "$dir"
}

# Kernels with vfio-platform build the reset module as well.
has_vfio_platform()
{
	grep -qx 'CONFIG_VFIO_PLATFORM=y' "$1/.config" 2>/dev/null
}
VFIO_CFG=(CONFIG_VFIO_PLATFORM_QCOMHIDMA_RESET=m)

# The CONFIG_ symbols to build: each driver once its sources exist, and
# the KUnit tests with both (their Kconfig symbol depends on both).
CFG=()
[ -f "$QCOM/hidma_mgmt_core.c" ] && CFG+=(CONFIG_QCOM_HIDMA_MGMT=m)
[ -f "$QCOM/hidma_dma.c" ] && CFG+=(CONFIG_QCOM_HIDMA=m)
[ ${#CFG[@]} = 2 ] && CFG+=(CONFIG_QCOM_HIDMA_KUNIT_TEST=m)

# The symbols for a kernel: the KUnit tests depend on KUNIT (Kconfig), so
# they are left out for kernels without it (Debian's amd64 kernel).
cfg_for()
{
	local c
	for c in "${CFG[@]}"; do
		case "$c" in
		CONFIG_QCOM_HIDMA_KUNIT_TEST=*)
			grep -qE '^CONFIG_KUNIT=(y|m)' "$1/.config" 2>/dev/null || continue ;;
		esac
		echo "$c"
	done
}

# Build directory of a bench kernel flavour: the cached build of the
# current configuration (built when missing), or with HIDMA_PREBUILT set
# (make test, after its build step) the one the bench last built.
kernel_for()
{
	local kdir
	if [ -n "${HIDMA_PREBUILT:-}" ]; then
		kdir=$(kernel_dir "$1")
		[ -n "$kdir" ] && { echo "$kdir"; return 0; }
	fi
	"$HIDMA_BENCH/build-kernel.sh" "$1"
}

# make output to findings: everything kbuild prints in silent mode is a
# finding, except make's own summary of the failure (reported once).
make_findings()
{
	grep -v -E '^make(\[[0-9]+\])?: \*\*\* .*Error [0-9]+$|^make(\[[0-9]+\])?: (Entering|Leaving) directory' |
		grep -v -E '^\s*$' || true
}

# Build state shared by the builds and sparse gates of one target.
declare -A BUILT_DIR=() BUILT_VDIR=() BUILT_KDIR=() BUILT_ERR=()

# arm64 W=1 build of a flavour; remembers where, for the sparse pass.
build_arm64()
{
	local flavour=$1 kdir dir rc cfg
	[ ${#CFG[@]} -gt 0 ] || { echo "no driver sources yet"; return "$SKIP"; }
	if ! kdir=$(kernel_for "$flavour" 2>"$WORK/kernel-$flavour.log"); then
		BUILT_ERR[$flavour]="the $flavour bench kernel does not build"
		echo "${BUILT_ERR[$flavour]}: $(tail -n 3 "$WORK/kernel-$flavour.log" | tr '\n' ' ')"
		return 0
	fi
	dir=$(fresh_copy "arm64-$flavour")
	BUILT_DIR[$flavour]=$dir
	BUILT_KDIR[$flavour]=$kdir
	mapfile -t cfg < <(cfg_for "$kdir")
	make -s -C "$kdir" M="$dir" "${CROSS[@]}" "${cfg[@]}" W=1 -j"$JOBS" modules \
		>"$WORK/build-$flavour.out" 2>&1
	rc=$?
	make_findings <"$WORK/build-$flavour.out" | rel
	[ "$rc" = 0 ] || echo "build failed (exit status $rc)"
	has_vfio_platform "$kdir" || return 0
	dir=$(fresh_vfio_copy "arm64-$flavour")
	BUILT_VDIR[$flavour]=$dir
	make -s -C "$kdir" M="$dir" "${CROSS[@]}" "${VFIO_CFG[@]}" W=1 -j"$JOBS" modules \
		>"$WORK/build-vfio-$flavour.out" 2>&1
	rc=$?
	make_findings <"$WORK/build-vfio-$flavour.out" | rel
	[ "$rc" = 0 ] || echo "reset module build failed (exit status $rc)"
	return 0
}

sparse_pass()
{
	local flavour=$1 dir kdir rc cfg
	if [ -n "${BUILT_ERR[$flavour]:-}" ]; then
		echo "${BUILT_ERR[$flavour]}"
		return 0
	fi
	[ ${#CFG[@]} -gt 0 ] || { echo "no driver sources yet"; return "$SKIP"; }
	# Run on its own (check.sh 'sparse*'): build first, quietly.
	if [ -z "${BUILT_DIR[$flavour]:-}" ]; then
		build_arm64 "$flavour" >/dev/null
		[ -z "${BUILT_ERR[$flavour]:-}" ] || { echo "${BUILT_ERR[$flavour]}"; return 0; }
	fi
	dir=${BUILT_DIR[$flavour]}
	kdir=${BUILT_KDIR[$flavour]}
	# Same flags as the build, so nothing recompiles; C=2 checks every file.
	mapfile -t cfg < <(cfg_for "$kdir")
	make -s -C "$kdir" M="$dir" "${CROSS[@]}" "${cfg[@]}" W=1 C=2 -j"$JOBS" modules \
		>"$WORK/sparse-$flavour.out" 2>&1
	rc=$?
	# Compiler and modpost output were reported by the build gate; here
	# only the checker's lines count (they carry no [-Wxxx] tag).
	grep -v -E '\[-W[a-z0-9=-]+\]$|^(ERROR|WARNING): modpost:' "$WORK/sparse-$flavour.out" |
		grep -E ': (warning|error|note): |^[^ ]+:[0-9]+:[0-9]+: ' | rel
	[ "$rc" = 0 ] || [ -s "$WORK/sparse-$flavour.out" ] ||
		echo "sparse pass failed (exit status $rc)"
	dir=${BUILT_VDIR[$flavour]:-}
	[ -n "$dir" ] || return 0
	make -s -C "$kdir" M="$dir" "${CROSS[@]}" "${VFIO_CFG[@]}" W=1 C=2 -j"$JOBS" modules \
		>"$WORK/sparse-vfio-$flavour.out" 2>&1
	rc=$?
	grep -v -E '\[-W[a-z0-9=-]+\]$|^(ERROR|WARNING): modpost:' "$WORK/sparse-vfio-$flavour.out" |
		grep -E ': (warning|error|note): |^[^ ]+:[0-9]+:[0-9]+: ' | rel
	[ "$rc" = 0 ] || [ -s "$WORK/sparse-vfio-$flavour.out" ] ||
		echo "sparse pass of the reset module failed (exit status $rc)"
	return 0
}

# ------------------------------------------------------------------ gates

gate_checkpatch()
{
	local files=() f
	mapfile -t files < <(driver_sources)
	for f in "$QCOM/Kconfig" "$QCOM/Makefile" "$VFIO_RESET/Kconfig" "$VFIO_RESET/Makefile"; do
		[ -f "$f" ] && files+=("$f")
	done
	mapfile -t -O ${#files[@]} files < <(binding_files)
	[ ${#files[@]} -gt 0 ] || { echo "no driver sources yet"; return "$SKIP"; }
	# Run in a kernel tree, for the checks that need one (compatible
	# strings documented in the bindings, spelling, const structs): the
	# 6.12 tree with the series applied, so that our bindings are there.
	local root="$SRC"
	series_prepare && root="$WORK/tree"
	(cd "$root" && ./scripts/checkpatch.pl --strict --no-summary --terse \
		--show-types -f "${files[@]}" 2>&1) | rel |
		grep -v -E '^total: |^$|^NOTE: ' || true
}

gate_kernel_doc()
{
	local files=()
	mapfile -t files < <(driver_sources)
	[ ${#files[@]} -gt 0 ] || { echo "no driver sources yet"; return "$SKIP"; }
	"$SRC/scripts/kernel-doc" -none -Wall "${files[@]}" 2>&1 | rel
}

gate_build_debug() { build_arm64 debug; }
gate_sparse_debug() { sparse_pass debug; }
gate_build_perf() { build_arm64 perf; }
gate_sparse_perf() { sparse_pass perf; }

# x86_64, COMPILE_TEST style, against Debian's installed 6.12 amd64 headers.
gate_build_x86()
{
	local hdr dir rc cfg
	[ ${#CFG[@]} -gt 0 ] || { echo "no driver sources yet"; return "$SKIP"; }
	hdr=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.12.*-amd64' | sort -V | tail -n1)
	[ -n "$hdr" ] || { echo "no linux-headers-6.12.*-amd64 installed (make deps)"; return 0; }
	dir=$(fresh_copy x86_64)
	mapfile -t cfg < <(cfg_for "$hdr")
	make -s -C "$hdr" M="$dir" "${cfg[@]}" W=1 C=2 KCFLAGS="-I$SRC/drivers/dma/qcom" \
		-j"$JOBS" modules >"$WORK/build-x86_64.out" 2>&1
	rc=$?
	make_findings <"$WORK/build-x86_64.out" | rel
	[ "$rc" = 0 ] || echo "build failed (exit status $rc)"
	return 0
}

# Every rule of the tree's scripts/coccinelle in report mode, as
# "make coccicheck MODE=report" runs them (same spatch options and include
# paths), but one spatch per rule directly: coccicheck stops at the first
# rule that fails, and the rules written in OCaml fail without ocamlopt.
gate_coccinelle()
{
	local dir kdir c opts rel_c out="$WORK/coccinelle.out" err="$WORK/coccinelle.err"
	local cinc ocaml=0 skipped=()
	[ -n "$(driver_sources)" ] || { echo "no driver sources yet"; return "$SKIP"; }
	kdir=$(kernel_for debug 2>/dev/null) ||
		{ echo "the debug bench kernel does not build"; return 0; }
	fresh_copy coccinelle >/dev/null
	fresh_vfio_copy coccinelle >/dev/null
	dir="$WORK/coccinelle"
	cinc=(-I "$SRC/arch/arm64/include" -I "$kdir/arch/arm64/include/generated"
	     -I "$SRC/include" -I "$kdir/include"
	     -I "$SRC/arch/arm64/include/uapi" -I "$kdir/arch/arm64/include/generated/uapi"
	     -I "$SRC/include/uapi" -I "$kdir/include/generated/uapi"
	     --include "$SRC/include/linux/compiler-version.h"
	     --include "$SRC/include/linux/kconfig.h")
	command -v ocamlfind >/dev/null && command -v ocamlopt >/dev/null && ocaml=1
	: >"$out"
	: >"$err"
	while read -r c; do
		rel_c=${c#"$SRC"/}
		if [ "$ocaml" = 0 ] && grep -q -E '^@ *(script|initialize|finalize) *: *ocaml' "$c"; then
			skipped+=("$rel_c")
			continue
		fi
		grep -q -E '^virtual +report|^virtual +.*\breport\b' "$c" || continue
		opts=$(sed -n 's|^// *Options: *||p' "$c" | head -n1)
		# shellcheck disable=SC2086 # the rule's options are words
		spatch -D report --no-show-diff --very-quiet --cocci-file "$c" $opts \
			--dir "$dir" "${cinc[@]}" --jobs "$JOBS" --chunksize 1 \
			>>"$out" 2>>"$err.1" ||
			echo "$rel_c: spatch failed: $(tail -n 2 "$err.1" | tr '\n' ' ')" >>"$err"
		rm -f "$err.1"
	done < <(find "$SRC/scripts/coccinelle" -name '*.cocci' | sort)
	# Reports are "file:line:col-col: message" lines.
	grep -E '^[^ ]+:[0-9]+:' "$out" | rel
	rel <"$err"
	[ ${#skipped[@]} = 0 ] ||
		echo "coccinelle: not run, they need OCaml (ocamlfind, ocamlopt): ${skipped[*]}"
	return 0
}

# 6.12's bindings with ours added: .build/check/bindings/tree (hard links
# but for ours), for dt-doc-validate -u and for the $refs of ours.
bindings_tree()
{
	local t="$WORK/bindings/tree" f
	mkdir -p "$WORK/bindings"
	if [ ! -f "$t/.hidma-src" ] || [ "$(cat "$t/.hidma-src")" != "$SRC" ]; then
		rm -rf "$t"
		cp -al "$SRC/Documentation/devicetree/bindings" "$t"
		echo "$SRC" >"$t/.hidma-src"
	fi
	rm -f "$t"/dma/qcom,hidma*.yaml
	while read -r f; do
		cp "$f" "$t/dma/"
	done < <(binding_files)
	echo "$t"
}

# Processed schema (dt-mk-schema) of our bindings and of the schemas they
# reference, transitively; dtschema adds its core schemas.
our_schema()
{
	local t out="$WORK/bindings/hidma-schema.json" dir="$WORK/bindings/schemas"
	t=$(bindings_tree)
	rm -rf "$dir"
	mkdir -p "$dir"
	python3 - "$t" "$dir" <<'PY' || { echo "cannot resolve the \$refs of our bindings"; return 1; }
import os, re, shutil, sys
tree, out = sys.argv[1], sys.argv[2]
todo = [os.path.join('dma', f) for f in os.listdir(os.path.join(tree, 'dma'))
        if f.startswith('qcom,hidma') and f.endswith('.yaml')]
seen = set()
while todo:
    rel = todo.pop()
    if rel in seen:
        continue
    seen.add(rel)
    path = os.path.join(tree, rel)
    if not os.path.isfile(path):
        continue  # a dtschema core schema, or missing: dt-mk-schema says
    os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
    shutil.copy(path, os.path.join(out, rel))
    text = open(path).read()
    for ref in re.findall(r'\$ref:\s*["\']?([^"\'#\s]+\.yaml)', text):
        if ref.startswith('/schemas/'):
            todo.append(ref[len('/schemas/'):])
        elif ref.startswith('http://devicetree.org/schemas/'):
            todo.append(ref[len('http://devicetree.org/schemas/'):])
        else:
            todo.append(os.path.normpath(os.path.join(os.path.dirname(rel), ref)))
PY
	dt-mk-schema -j "$dir" >"$out" 2>"$WORK/bindings/mk-schema.err" ||
		{ echo "dt-mk-schema failed: $(head -n 3 "$WORK/bindings/mk-schema.err")"; return 1; }
	if [ -s "$WORK/bindings/mk-schema.err" ]; then
		echo "dt-mk-schema: $(head -n 3 "$WORK/bindings/mk-schema.err" | rel)"
		return 1
	fi
	echo "$out"
}

# Validate a DTB against our schema; report only the nodes that carry one
# of our compatibles (the rest of QEMU's virt DTB is not ours).
validate_dtb()
{
	local schema=$1 dtb=$2 what=$3 paths
	paths=$(python3 - "$dtb" <<'PY'
import subprocess, sys
dts = subprocess.run(['dtc', '-q', '-I', 'dtb', '-O', 'dts', sys.argv[1]],
                     capture_output=True, text=True).stdout
stack = []
for line in dts.split('\n'):
    s = line.strip()
    if s.endswith('{'):
        name = s[:-1].strip().split(':')[-1].strip()
        stack.append(name if name != '/' else '')
    elif s.startswith('}'):
        stack.pop()
    elif s.startswith('compatible') and 'qcom,hidma' in s:
        print('/'.join(stack) or '/')
PY
)
	[ -n "$paths" ] || { echo "$what: no node with a qcom,hidma compatible"; return 0; }
	dt-validate -s "$schema" "$dtb" 2>&1 | python3 -c '
import sys
paths = sys.argv[1].split()
names = [p.rsplit("/", 1)[-1] for p in paths]
keep = False
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.startswith((" ", "\t")):
        keep = any((" " + p + ":") in line or (": " + n + ":") in line
                   for p, n in zip(paths, names))
    if keep:
        print(sys.argv[2] + ": " + line)
' "$paths" "$what" | rel
}

gate_bindings()
{
	local files=() f base ex schema t inc="$SRC/include"
	mapfile -t files < <(binding_files)
	[ ${#files[@]} -gt 0 ] || { echo "no bindings yet"; return "$SKIP"; }
	yamllint -f parsable -c "$SRC/Documentation/devicetree/bindings/.yamllint" \
		"${files[@]}" 2>&1 | rel
	# As the kernel's dt_binding_check does: from the bindings directory,
	# with the tree's schemas (6.12's and ours) for the $refs.
	t=$(bindings_tree)
	for f in "${files[@]}"; do
		(cd "$t" && dt-doc-validate -u . "dma/$(basename "$f")" 2>&1) |
			sed "s|^dma/|Documentation/devicetree/bindings/dma/|"
	done
	schema=$(our_schema) || { echo "$schema"; return 0; }
	for f in "${files[@]}"; do
		base=$(basename "$f" .yaml)
		ex="$WORK/bindings/$base.example"
		dt-extract-example "$f" >"$ex.dts" 2>"$ex.err" ||
			{ echo "$base.yaml: dt-extract-example failed: $(head -n 2 "$ex.err")"; continue; }
		grep -q 'compatible' "$ex.dts" ||
			{ echo "$base.yaml: no example"; continue; }
		cpp -nostdinc -undef -x assembler-with-cpp -D__DTS__ -I "$inc" \
			-I "$SRC/scripts/dtc/include-prefixes" "$ex.dts" -o "$ex.pp.dts" 2>"$ex.err" ||
			{ echo "$base.yaml: example: $(head -n 2 "$ex.err")"; continue; }
		dtc -q -I dts -O dtb -o "$ex.dtb" "$ex.pp.dts" 2>"$ex.err" ||
			{ echo "$base.yaml: example does not compile: $(head -n 3 "$ex.err" | tr '\n' ' ')"; continue; }
		dt-validate -s "$schema" "$ex.dtb" 2>&1 | sed "s|^|$base.yaml example: |" | rel
	done
	return 0
}

gate_qemu_dtb()
{
	local qemu="$HIDMA_CACHE/links/qemu/build/qemu-system-aarch64" layout opt schema dtb
	local machine
	[ -n "$(binding_files)" ] || { echo "no bindings yet"; return "$SKIP"; }
	[ -x "$qemu" ] || { echo "no bench QEMU built yet"; return "$SKIP"; }
	"$qemu" -device help 2>/dev/null | grep '"qcom-hidma"' >/dev/null ||
		{ echo "the bench QEMU has no qcom-hidma device yet"; return "$SKIP"; }
	schema=$(our_schema) || { echo "$schema"; return 0; }
	# host and host-nosmmu: the host layout with and without the SMMU;
	# host-msi with MSI-capable channels; host-msi-noits on a GIC
	# without an ITS (no msi-parent then)
	for layout in host host-nosmmu guest host-msi host-msi-noits; do
		machine=virt,gic-version=3,acpi=off opt=""
		case "$layout" in
		host) machine+=",iommu=smmuv3" ;;
		guest) opt=",guest-mode=on" ;;
		host-msi) machine+=",iommu=smmuv3" opt=",revision=1.1" ;;
		host-msi-noits) machine+=",iommu=smmuv3,its=off" opt=",revision=1.2" ;;
		esac
		dtb="$WORK/bindings/qemu-$layout.dtb"
		rm -f "$dtb"
		"$qemu" -M "$machine,dumpdtb=$dtb" -cpu max \
			-device "qcom-hidma,id=hidma0$opt" -display none -nodefaults \
			>"$WORK/bindings/qemu-$layout.log" 2>&1
		[ -s "$dtb" ] || { echo "$layout: QEMU did not dump a DTB: $(head -n 2 "$WORK/bindings/qemu-$layout.log")"; continue; }
		# The DTB must have our nodes, and they must validate.
		# (no "dtc | grep -q": under pipefail grep's early exit fails dtc)
		dtc -q -I dtb -O dts -o "$dtb.dts" "$dtb" 2>/dev/null
		grep -q 'qcom,hidma' "$dtb.dts" ||
			echo "$layout: no qcom,hidma node in QEMU's DTB"
		# Every channel node is coherent; behind the SMMU exactly when
		# the machine has one. The management node is no bus master.
		python3 - "$dtb.dts" "$layout" <<'PY'
import sys
# dtc prints one property per line and one "name {" / "};" per node
stack, nodes = [], []
for line in open(sys.argv[1]):
    line = line.strip()
    if line.endswith('{'):
        stack.append([line[:-1].strip(), []])
    elif line == '};':
        nodes.append(stack.pop())
    elif stack:
        stack[-1][1].append(line)
for name, props in nodes:
    body = '\n'.join(props)
    if 'qcom,hidma' not in body:
        continue
    layout = sys.argv[2]
    chan = 'compatible = "qcom,hidma-1.' in body
    want = chan and layout.startswith('host') and layout != 'host-nosmmu'
    if ('iommus = ' in body) != want:
        print(f"{layout}: {name}: iommus {'missing' if want else 'present'}")
    want = chan and layout == 'host-msi'
    if ('msi-parent = ' in body) != want:
        print(f"{layout}: {name}: msi-parent {'missing' if want else 'present'}")
    rev = {'host-msi': '1.1', 'host-msi-noits': '1.2'}.get(layout, '1.0')
    if chan and f'"qcom,hidma-{rev}"' not in body:
        print(f"{layout}: {name}: not a qcom,hidma-{rev} channel")
    if chan and 'dma-coherent;' not in props:
        print(f"{sys.argv[2]}: {name}: no dma-coherent")
PY
		validate_dtb "$schema" "$dtb" "qemu $layout DTB"
	done
	return 0
}

gate_qemu_checkpatch()
{
	local qsrc files=()
	# Paths as they are in the QEMU tree (hw/..., tests/qtest/...): QEMU's
	# checkpatch has rules that depend on them (tests may use g_assert_cmp*).
	mapfile -t files < <(cd "$QEMU_MODEL" 2>/dev/null &&
		find . -type f \( -name '*.c' -o -name '*.h' \) -printf '%P\n' | sort)
	[ ${#files[@]} -gt 0 ] || { echo "no QEMU model sources yet"; return "$SKIP"; }
	qsrc=$(find "$HIDMA_CACHE/src" -maxdepth 1 -type d -name 'qemu-*' | sort -V | tail -n1)
	if [ -z "$qsrc" ] || [ ! -f "$qsrc/scripts/checkpatch.pl" ]; then
		echo "no QEMU source in $HIDMA_CACHE/src (build-qemu.sh fetches it)"
		return 0
	fi
	# tests/ files as "tests/...", for their exemptions; the others as
	# "./hw/...", because the device-model rule (qemu_bh_new_guarded, the
	# DMA reentrancy fix Debian backported) matches only paths with "/hw/".
	files=("${files[@]/#hw\//./hw/}")
	files=("${files[@]/#include\//./include/}")
	(cd "$QEMU_MODEL" && "$qsrc/scripts/checkpatch.pl" --no-tree --terse -f "${files[@]}" 2>&1) |
		grep -E 'ERROR|WARNING' | grep -v -E '^total: ' |
		sed -e 's|^\./||' -e 's|^|tools/testing/qemu/|' || true
}

# Shell dialect of a script: bash for the bench, dash for busybox ash.
shell_dialect()
{
	case "$(head -n1 "$1")" in
	'#!/bin/bash'* | '#!/usr/bin/env bash'*) echo bash ;;
	'#!/bin/sh'*) echo dash ;;
	*)
		# Sourced libraries: the bench's are bash, the guest's are ash.
		case "$1" in
		"$HIDMA_BENCH"/guest/* | "$SELFTESTS"/*) echo dash ;;
		*) echo bash ;;
		esac
		;;
	esac
}

gate_shellcheck()
{
	local files=() f extra
	for f in "$HIDMA_BENCH"/*.sh "$HIDMA_BENCH"/run-guest "$HIDMA_BENCH"/scan-log \
		"$HIDMA_BENCH"/guest/*.sh "$SELFTESTS"/*.sh; do
		[ -f "$f" ] && files+=("$f")
	done
	for f in "${files[@]}"; do
		extra=()
		head -n1 "$f" | grep -q '^#!' || extra=(--exclude=SC2034)
		(cd "$(dirname "$f")" && shellcheck -x -P SCRIPTDIR -f gcc \
			-s "$(shell_dialect "$f")" "${extra[@]}" "$(basename "$f")" 2>&1) |
			sed "s|^|${f#"$HIDMA_TOP"/}: |; s|^\([^:]*\)/[^/:]*: \([^/:]*:\)|\1/\2|"
	done
}

# The in-tree series: generated, applied to a clean 6.12 tree, checked.
SERIES_OK=""
series_prepare()
{
	[ -n "$SERIES_OK" ] && return "$SERIES_OK"
	if ! "$HIDMA_BENCH/series.sh" >"$WORK/series-gen.log" 2>&1; then
		SERIES_OK=1
		return 1
	fi
	if ! "$HIDMA_BENCH/series.sh" --apply "$WORK/tree" >"$WORK/series-apply.log" 2>&1; then
		SERIES_OK=2
		return 2
	fi
	SERIES_OK=0
}

series_status()
{
	series_prepare
	case $? in
	0) return 0 ;;
	1) echo "make series failed:"; tail -n 5 "$WORK/series-gen.log" | rel; return 1 ;;
	*) echo "the series does not apply to 6.12:"; tail -n 8 "$WORK/series-apply.log" | rel; return 1 ;;
	esac
}

gate_series_checkpatch()
{
	local p
	[ -n "$(driver_sources)" ] || { echo "no driver sources yet"; return "$SKIP"; }
	series_status || return 0
	for p in "$HIDMA_BUILD"/series/0*.patch; do
		case "$(basename "$p")" in 0000-*) continue ;; esac
		(cd "$WORK/tree" && ./scripts/checkpatch.pl --strict --no-summary --terse \
			--show-types "$p" 2>&1) | sed "s|^$HIDMA_BUILD/series/||" |
			grep -v -E '^total: |^$|^NOTE: '
	done
	return 0
}

# Build drivers/dma/qcom/ of the patched tree, arm64, debug .config base.
series_build()
{
	local how=$1 kdir out hash rc sym
	[ -n "$(driver_sources)" ] || { echo "no driver sources yet"; return "$SKIP"; }
	series_status || return 0
	kdir=$(kernel_for debug 2>/dev/null) ||
		{ echo "the debug bench kernel does not build"; return 0; }
	# The object directory is cached by its inputs; only our files rebuild.
	hash=$(hidma_hash "$SRC/.extracted" "$kdir/.config" "$how" "$WORK/tree")
	out="$HIDMA_CACHE/check/series-$how-$hash"
	mkdir -p "$out"
	[ -f "$out/.config.base" ] || cp "$kdir/.config" "$out/.config.base"
	cp "$out/.config.base" "$out/.config"
	for sym in QCOM_HIDMA_MGMT QCOM_HIDMA; do
		"$WORK/tree/scripts/config" --file "$out/.config" --set-val "$sym" "$how"
	done
	[ "$how" = m ] && "$WORK/tree/scripts/config" --file "$out/.config" \
		--set-val QCOM_HIDMA_KUNIT_TEST m
	[ "$how" = y ] && "$WORK/tree/scripts/config" --file "$out/.config" \
		--set-val QCOM_HIDMA_KUNIT_TEST y
	has_vfio_platform "$kdir" && "$WORK/tree/scripts/config" --file "$out/.config" \
		--set-val VFIO_PLATFORM_QCOMHIDMA_RESET "$how"
	# Keep the mtime of an unchanged .config so that nothing else rebuilds.
	if [ -f "$out/.config.last" ] && cmp -s "$out/.config" "$out/.config.last"; then
		touch -r "$out/.config.last" "$out/.config"
	fi
	local kmake=(make -s -C "$WORK/tree" O="$out" "${CROSS[@]}" -j"$JOBS")
	"${kmake[@]}" olddefconfig >"$WORK/series-$how.out" 2>&1 ||
		{ echo "olddefconfig failed"; rel <"$WORK/series-$how.out"; return 0; }
	cp -p "$out/.config" "$out/.config.last"
	for sym in QCOM_HIDMA_MGMT QCOM_HIDMA; do
		[ -f "$QCOM/hidma_mgmt_core.c" ] || [ "$sym" != QCOM_HIDMA_MGMT ] || continue
		[ -f "$QCOM/hidma_dma.c" ] || [ "$sym" != QCOM_HIDMA ] || continue
		grep -qx "CONFIG_$sym=$how" "$out/.config" ||
			echo "CONFIG_$sym=$how did not stick in the patched tree's .config"
	done
	"${kmake[@]}" prepare >>"$WORK/series-$how.out" 2>&1 ||
		{ echo "make prepare failed"; tail -n 5 "$WORK/series-$how.out" | rel; return 0; }
	# A full W=1 build of our directories (objects, built-in.a or modules).
	local dirs=(drivers/dma/qcom/) d
	if has_vfio_platform "$kdir"; then
		dirs+=(drivers/vfio/platform/reset/)
		grep -qx "CONFIG_VFIO_PLATFORM_QCOMHIDMA_RESET=$how" "$out/.config" ||
			echo "CONFIG_VFIO_PLATFORM_QCOMHIDMA_RESET=$how did not stick in the patched tree's .config"
	fi
	for d in "${dirs[@]}"; do
		rm -rf "${out:?}/$d"
		"${kmake[@]}" W=1 "$d" >"$WORK/series-$how.out" 2>&1
		rc=$?
		make_findings <"$WORK/series-$how.out" | sed "s|$WORK/tree/||g" | rel
		[ "$rc" = 0 ] || echo "make $d failed (exit status $rc)"
	done
	return 0
}

gate_series_y() { series_build y; }
gate_series_m() { series_build m; }

gate_dkms()
{
	[ -f "$HIDMA_TOP/dkms.conf" ] || { echo "no dkms.conf"; return "$SKIP"; }
	[ -n "$(driver_sources)" ] || { echo "no driver sources yet"; return "$SKIP"; }
	"$HIDMA_BENCH/dkms-check.sh" >"$WORK/dkms.out" 2>&1 ||
		{ grep -E '^(error|finding): ' "$WORK/dkms.out" | sed 's/^finding: //' | rel
		  grep -q -E '^(error|finding): ' "$WORK/dkms.out" ||
			{ echo "dkms build failed:"; tail -n 10 "$WORK/dkms.out" | rel; }; }
	return 0
}

# --------------------------------------------------------------- runner

GATES=(
	"checkpatch:gate_checkpatch"
	"kernel-doc:gate_kernel_doc"
	"build arm64 debug W=1:gate_build_debug"
	"sparse arm64 debug:gate_sparse_debug"
	"build arm64 perf W=1:gate_build_perf"
	"sparse arm64 perf:gate_sparse_perf"
	"build x86_64 W=1 C=2 (Debian 6.12 headers):gate_build_x86"
	"coccinelle:gate_coccinelle"
	"bindings:gate_bindings"
	"QEMU DTBs against the bindings:gate_qemu_dtb"
	"QEMU model checkpatch:gate_qemu_checkpatch"
	"shellcheck:gate_shellcheck"
	"series checkpatch:gate_series_checkpatch"
	"series builds in 6.12 (=y):gate_series_y"
	"series builds in 6.12 (=m):gate_series_m"
	"dkms:gate_dkms"
)

selected=()
for g in "${GATES[@]}"; do
	if [ $# = 0 ]; then
		selected+=("$g")
		continue
	fi
	for want in "$@"; do
		# shellcheck disable=SC2254 # a gate name or a glob on purpose
		case "${g%%:*}" in $want) selected+=("$g"); break ;; esac
	done
done
[ ${#selected[@]} -gt 0 ] || die "no gate matches '$*'"

echo "TAP version 13"
echo "1..${#selected[@]}"
num=0
failed=0
for g in "${selected[@]}"; do
	num=$((num + 1))
	name=${g%%:*}
	fn=${g#*:}
	logf="$WORK/$(echo "$name" | tr -c 'A-Za-z0-9=\n' '-' | sed 's/--*/-/g; s/-$//').log"
	t0=$(date +%s)
	"$fn" >"$logf"
	rc=$?
	if [ -s "$logf" ] && [ -n "$(tail -c1 "$logf")" ]; then echo >>"$logf"; fi
	secs=$(($(date +%s) - t0))
	if [ "$rc" = "$SKIP" ]; then
		# make test runs every gate: one that cannot run fails there.
		if [ -z "${HIDMA_CHECK_ALL:-}" ]; then
			echo "ok $num $name # SKIP $(head -n1 "$logf")"
			continue
		fi
		failed=$((failed + 1))
		echo "not ok $num $name (cannot run: $(head -n1 "$logf"))"
		continue
	fi
	count=$(grep -c . "$logf")
	if [ "$count" = 0 ]; then
		echo "ok $num $name (0 findings, ${secs}s)"
	else
		failed=$((failed + 1))
		echo "not ok $num $name ($count findings, ${secs}s)"
		head -n "$SHOW_MAX" "$logf" | sed 's/^/# /'
		[ "$count" -le "$SHOW_MAX" ] ||
			echo "# ... $((count - SHOW_MAX)) more in ${logf#"$HIDMA_TOP"/}"
	fi
done
[ $failed = 0 ] || {
	echo "# $failed of ${#selected[@]} gates failed (full lists in .build/check/*.log)" >&2
	exit 1
}
exit 0
