#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make series: the drivers as a kernel patch series against Debian's 6.12.
#
#   series.sh              write .build/series/00NN-*.patch (plus a cover
#                          letter), print the directory
#   series.sh --apply DIR  make DIR a clean copy of the 6.12 tree and apply
#                          the series to it with patch -p1
#
# The series replaces the in-kernel HIDMA drivers of 6.12. Its order keeps
# every step building:
#   1. dt-bindings: the management binding      (if ours exists)
#   2. dt-bindings: the channel binding         (if ours exists)
#   3. the management driver replaces hidma_mgmt.c/hidma_mgmt_sys.c, with
#      its KUnit test, Kconfig entry, Makefile lines and sysfs ABI
#   4. the channel driver replaces hidma.c/hidma_ll.c/hidma_dbg.c, with its
#      KUnit test, Kconfig entry, Makefile lines and sysfs ABI
#   5. the vfio-platform reset of a channel (devicetree), with its Kconfig
#      entry and Makefile line
# Each patch also updates the "QUALCOMM HIDMA DRIVER" entry of MAINTAINERS
# for the files it adds. The patches are made with git in a scratch
# repository holding the 6.12 versions of the files they touch, so they are
# ordinary "git format-patch" output. Steps whose sources do not exist yet
# are left out.
#
# The copy made by --apply hard-links the 6.12 source the bench extracted,
# except for the paths the series may touch, which are real copies, so the
# shared source is never written.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT="$HIDMA_BUILD/series"
QCOM="$HIDMA_TOP/drivers/dma/qcom"
BIND="Documentation/devicetree/bindings/dma"
ABI="Documentation/ABI/testing"
VRESET="drivers/vfio/platform/reset"
AUTHOR_NAME="HIDMA Developers"
AUTHOR_EMAIL="hidma@example.org"
# The only paths the series may touch (checked by --apply).
TOUCHED_DIRS=(drivers/dma/qcom "$BIND" "$ABI" "$VRESET")

# ------------------------------------------------------------- --apply
apply_series()
{
	local dir=$1 src stamp p f d
	src=$(linux_src)
	stamp="$src $(cat "$src/.extracted" 2>/dev/null; stat -c %Y "$src/.extracted")"
	compgen -G "$OUT/0*.patch" >/dev/null || die "no series in $OUT; run 'make series'"
	if [ ! -f "$dir/.hidma-tree" ] || [ "$(cat "$dir/.hidma-tree")" != "$stamp" ]; then
		log "making a hard-linked copy of the 6.12 tree in $dir"
		rm -rf "$dir"
		mkdir -p "$dir"
		# "$src/.": a symlinked source would otherwise be copied as the
		# link, and the series would then be applied to the pristine tree
		cp -al "$src/." "$dir/"
		echo "$stamp" >"$dir/.hidma-tree"
	fi
	# Every path of the series must be one we restore as a real copy.
	while read -r f; do
		case "$f" in
		MAINTAINERS | drivers/dma/qcom/* | "$BIND"/* | "$ABI"/* | "$VRESET"/*) ;;
		*) die "the series touches $f, outside of the paths it may touch" ;;
		esac
	done < <(sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' "$OUT"/0*.patch | sort -u)
	# Restore those paths from 6.12 as real files (rsync writes new files,
	# never through a hard link), then break any remaining link in them.
	for d in "${TOUCHED_DIRS[@]}"; do
		mkdir -p "$dir/$d"
		rsync -a --delete "$src/$d/" "$dir/$d/"
	done
	rm -f "$dir/MAINTAINERS"
	cp -p "$src/MAINTAINERS" "$dir/MAINTAINERS"
	while read -r f; do
		cp -p "$f" "$f.hidma-tmp" && mv -f "$f.hidma-tmp" "$f"
	done < <(for d in "${TOUCHED_DIRS[@]}"; do find "$dir/$d" -type f -links +1; done)
	for p in "$OUT"/0*.patch; do
		case "$(basename "$p")" in 0000-*) continue ;; esac
		patch -p1 -s -f --no-backup-if-mismatch -d "$dir" <"$p" ||
			die "$(basename "$p") does not apply to 6.12"
		echo "applied $(basename "$p")"
	done
}

if [ "${1:-}" = --apply ]; then
	[ -n "${2:-}" ] || die "usage: $0 --apply DIR"
	apply_series "$2"
	exit 0
fi
[ $# = 0 ] || die "usage: $0 [--apply DIR]"

# -------------------------------------------------------- generation
SRC=$(linux_src)
git_dir="$HIDMA_BUILD/series-git"
rm -rf "$git_dir" "$OUT"
mkdir -p "$git_dir" "$OUT"
export GIT_AUTHOR_NAME="$AUTHOR_NAME" GIT_AUTHOR_EMAIL="$AUTHOR_EMAIL"
export GIT_COMMITTER_NAME="$AUTHOR_NAME" GIT_COMMITTER_EMAIL="$AUTHOR_EMAIL"
# Dates from the project's history, so that the output only changes with it.
GIT_AUTHOR_DATE=$(git -C "$HIDMA_TOP" log -1 --format=%aD 2>/dev/null || date -R)
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"
g() { git -C "$git_dir" -c core.autocrlf=false -c commit.gpgsign=false "$@"; }

# The 6.12 versions of everything the series touches.
g init -q
mkdir -p "$git_dir/drivers/dma/qcom" "$git_dir/$BIND" "$git_dir/$ABI" "$git_dir/$VRESET"
cp "$SRC/MAINTAINERS" "$git_dir/"
cp "$SRC"/drivers/dma/qcom/{Kconfig,Makefile} "$SRC"/drivers/dma/qcom/hidma* \
	"$git_dir/drivers/dma/qcom/"
cp "$SRC/$ABI"/sysfs-platform-hidma* "$git_dir/$ABI/"
cp "$SRC/$VRESET"/{Kconfig,Makefile} "$git_dir/$VRESET/"
g add -A
g commit -q -m "Linux 6.12 (Debian linux-source-6.12)"

signoff="Signed-off-by: $AUTHOR_NAME <$AUTHOR_EMAIL>"
commit()
{
	local subject=$1 body=$2
	g add -A
	g diff --cached --quiet && die "step '$subject' changes nothing"
	printf '%s\n\n%s\n\n%s\n' "$subject" "$body" "$signoff" | g commit -q -F -
}

# Text edits of Kconfig, Makefile and MAINTAINERS, in Python for clarity.
#   edit.py maintainers FILE [M:LINE|F:LINE]...
#   edit.py kconfig BASE OURS SYMBOL...    replace/insert our SYMBOL entries
#   edit.py makefile BASE OURS mgmt|all    replace the old kbuild lines
edit()
{
	python3 - "$@" <<'PY'
import re
import sys

def read(path):
    with open(path) as f:
        return f.read().split('\n')

def write(path, lines):
    with open(path, 'w') as f:
        f.write('\n'.join(lines))

def maintainers(path, adds):
    lines = read(path)
    start = lines.index('QUALCOMM HIDMA DRIVER')
    end = start + 1
    while end < len(lines) and lines[end].strip():
        end += 1
    entry = lines[start + 1:end]
    for add in adds:
        tag, val = add.split(':', 1)
        new = '%s:\t%s' % (tag, val.strip())
        if new in entry:
            continue
        same = [i for i, l in enumerate(entry) if l.startswith(tag + ':')]
        if tag == 'F':
            entry.append(new)
        elif same:
            entry.insert(same[-1] + 1, new)
        else:
            entry.insert(0, new)
    # Keep the F: lines sorted, as parse-maintainers.pl does.
    files = sorted(l for l in entry if l.startswith('F:'))
    entry = [l for l in entry if not l.startswith('F:')] + files
    lines[start + 1:end] = entry
    write(path, lines)

STANZA = re.compile(r'^(?:menu)?config\s+(\w+)')
END = re.compile(r'^(?:menu|endmenu|if|endif|source|comment|choice|endchoice)\b')

def stanzas(lines):
    """[(symbol or None, [lines])]: config entries with their trailing
    blank lines, and the text between them."""
    out = [(None, [])]
    for line in lines:
        m = STANZA.match(line)
        if m:
            out.append((m.group(1), [line]))
        elif END.match(line):
            out.append((None, [line]))
        else:
            out[-1][1].append(line)
    return out

def body(lines):
    """An entry without its trailing blank lines."""
    lines = list(lines)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines

def kconfig(base, ours, symbols):
    cur = stanzas(read(base))
    new = {s: body(l) for s, l in stanzas(read(ours)) if s}
    for sym in symbols:
        idx = [i for i, (s, _) in enumerate(cur) if s == sym]
        if idx:
            i = idx[0]
            old = cur[i][1]
            tail = old[len(body(old)):]
            cur[i] = (sym, new[sym] + tail)
            continue
        # A new entry: after the last one of ours already present, else
        # after QCOM_HIDMA, else at the end.
        after = [i for i, (s, _) in enumerate(cur)
                 if s in new or s == 'QCOM_HIDMA']
        i = after[-1] if after else len(cur) - 1
        prev = cur[i][1]
        if prev and prev[-1] == '' and len(body(prev)) == len(prev) - 1:
            # prev ends the file ("...\n"): keep that ending after us
            cur[i] = (cur[i][0], body(prev) + [''])
            cur.insert(i + 1, (sym, new[sym] + ['']))
        else:
            cur.insert(i + 1, (sym, new[sym] + ['']))
    write(base, [l for _, ls in cur for l in ls])

def makefile(base, ours, what):
    lines = read(base)
    ourlines = read(ours)
    # Paragraphs of ours, without the SPDX line and without the part that
    # only serves out-of-tree builds (KBUILD_EXTMOD).
    paras, cur = [], []
    for line in ourlines:
        if line.startswith('# SPDX'):
            continue
        if line.strip():
            cur.append(line)
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    paras = [p for p in paras if not any('KBUILD_EXTMOD' in l for l in p)]
    chan = re.compile(r'CONFIG_QCOM_HIDMA\)|^hidma-|^hidma\.o|hidma_ll_kunit')
    if what == 'mgmt':
        paras = [[l for l in p if not chan.search(l)] for p in paras]
        # drop conditionals left empty
        paras = [p for p in paras
                 if [l for l in p if not re.match(r'^(ifn?def|ifn?eq|endif|else)\b|^#', l)]]
    block = []
    for p in paras:
        block += p + ['']
    old = [i for i, l in enumerate(lines) if 'hdma' in l]
    if what == 'mgmt':
        old = [i for i in old if 'hdma_mgmt' in lines[i]]
    else:
        # after the mgmt step, ours are already in: replace them too
        old = [i for i, l in enumerate(lines)
               if 'hdma' in l or 'hidma' in l or 'QCOM_HIDMA' in l]
        first, last = old[0], old[-1]
        old = list(range(first, last + 1))
    first, last = old[0], old[-1]
    after = lines[last + 1:]
    if not after or after == [''] or not any(l.strip() for l in after):
        block = block[:-1]
    lines[first:last + 1] = block
    write(base, lines)

cmd = sys.argv[1]
if cmd == 'maintainers':
    maintainers(sys.argv[2], sys.argv[3:])
elif cmd == 'kconfig':
    kconfig(sys.argv[2], sys.argv[3], sys.argv[4:])
elif cmd == 'makefile':
    makefile(sys.argv[2], sys.argv[3], sys.argv[4])
PY
}

maint() { edit maintainers "$git_dir/MAINTAINERS" "$@"; }

# 1-2: bindings.
if [ -f "$HIDMA_TOP/$BIND/qcom,hidma-mgmt.yaml" ]; then
	cp "$HIDMA_TOP/$BIND/qcom,hidma-mgmt.yaml" "$git_dir/$BIND/"
	maint "F:$BIND/qcom,hidma-mgmt.yaml"
	commit "dt-bindings: dma: Add Qualcomm Technologies HIDMA management" \
"Describe the management block of the Qualcomm Technologies HIDMA engine
found on QDF2400 server SoCs in DT schema. The management block holds the
bus parameters shared by all channels of an engine and the priority and
round-robin weight of each channel, and it must be enabled before any
channel can run. The channels of the engine are its child nodes.

The binding was only documented in the old text format, which was dropped
from the tree; this brings it back as a schema, together with the
properties the management driver uses."
fi
if [ -f "$HIDMA_TOP/$BIND/qcom,hidma.yaml" ]; then
	cp "$HIDMA_TOP/$BIND/qcom,hidma.yaml" "$git_dir/$BIND/"
	maint "F:$BIND/qcom,hidma.yaml"
	commit "dt-bindings: dma: Add Qualcomm Technologies HIDMA channel" \
"Describe a channel of the Qualcomm Technologies HIDMA engine in DT
schema. Each channel has its own transfer and event ring registers and
its own interrupt, and is a memcpy/memset DMA controller of its own. On a
host the channels are children of the management node; a guest that was
assigned channels sees them on their own."
fi

# 3: the management driver.
mgmt_files=()
for f in "$QCOM"/hidma_mgmt*.c "$QCOM"/hidma_mgmt*.h; do
	# kbuild writes *.mod.c next to the sources of an in-tree "make"
	case "$f" in *.mod.c) continue ;; esac
	[ -f "$f" ] && mgmt_files+=("$f")
done
if [ -f "$QCOM/hidma_mgmt_core.c" ]; then
	rm -f "$git_dir/drivers/dma/qcom/"{hidma_mgmt.c,hidma_mgmt_sys.c,hidma_mgmt.h}
	cp "${mgmt_files[@]}" "$git_dir/drivers/dma/qcom/"
	[ -f "$HIDMA_TOP/$ABI/sysfs-platform-hidma-mgmt" ] &&
		cp "$HIDMA_TOP/$ABI/sysfs-platform-hidma-mgmt" "$git_dir/$ABI/"
	kunit=()
	[ -f "$QCOM/hidma_mgmt_kunit.c" ] && grep -q '^config QCOM_HIDMA_KUNIT_TEST' "$QCOM/Kconfig" &&
		kunit=(QCOM_HIDMA_KUNIT_TEST)
	edit kconfig "$git_dir/drivers/dma/qcom/Kconfig" "$QCOM/Kconfig" QCOM_HIDMA_MGMT "${kunit[@]}"
	edit makefile "$git_dir/drivers/dma/qcom/Makefile" "$QCOM/Makefile" mgmt
	maint "M:$AUTHOR_NAME <$AUTHOR_EMAIL>" "F:$ABI/sysfs-platform-hidma-mgmt"
	commit "dmaengine: qcom: hidma_mgmt: Rewrite the management driver" \
"Replace the HIDMA management driver with a new implementation.

The new driver reads the engine parameters from firmware (devicetree or
ACPI _DSD) through the device property API, validates all of them before
it touches the hardware, programs the bus parameters shared by the
channels and the arbitration of each channel, enables the engine and, on
devicetree, creates the channel devices described as its children.

The parameters can be tuned at run time in sysfs; every write is checked
against the limits of the hardware and applied to it at once. The
interface is documented in Documentation/ABI.

Unbinding the driver leaves the engine configured and the channel devices
in place, so that channels in use keep running. A KUnit suite covers the
parsing and validation of the parameters.

The module is now called hidma_mgmt (it was hdma_mgmt)."
fi

# 4: the channel driver.
chan_files=()
for f in "$QCOM"/hidma*.c "$QCOM"/hidma*.h; do
	case "$(basename "$f")" in hidma_mgmt* | *.mod.c) continue ;; esac
	[ -f "$f" ] && chan_files+=("$f")
done
if [ -f "$QCOM/hidma_dma.c" ]; then
	rm -f "$git_dir/drivers/dma/qcom/"{hidma.c,hidma.h,hidma_ll.c,hidma_dbg.c}
	cp "${chan_files[@]}" "$git_dir/drivers/dma/qcom/"
	[ -f "$HIDMA_TOP/$ABI/sysfs-platform-hidma" ] &&
		cp "$HIDMA_TOP/$ABI/sysfs-platform-hidma" "$git_dir/$ABI/"
	syms=(QCOM_HIDMA)
	grep -q '^config QCOM_HIDMA_KUNIT_TEST' "$QCOM/Kconfig" && syms+=(QCOM_HIDMA_KUNIT_TEST)
	edit kconfig "$git_dir/drivers/dma/qcom/Kconfig" "$QCOM/Kconfig" "${syms[@]}"
	edit makefile "$git_dir/drivers/dma/qcom/Makefile" "$QCOM/Makefile" all
	maint "F:$ABI/sysfs-platform-hidma"
	commit "dmaengine: qcom: hidma: Rewrite the channel driver" \
"Replace the HIDMA channel driver with a new implementation.

Each HIDMA channel is a platform device with its own rings and interrupt
and is registered as a dmaengine device with one memcpy and memset
channel. The driver needs nothing from the management driver, so a
channel assigned to a guest works on its own; if the engine is not
enabled yet, probe is deferred.

A descriptor is one transfer ring element. The interrupt handler retires
transfers in ring order as their events arrive and reports the result of
each one through the dmaengine result API. When the engine reports an
error the channel resets itself, reprograms its rings and requeues the
transfers that were behind the failed one. Runtime PM lets the channel
idle when no client holds it.

Debugfs shows the state of each channel and sysfs its hardware index
(documented in Documentation/ABI). A KUnit suite covers the ring index
arithmetic and the event decoding.

The module is now called hidma (it was hdma)."
fi

# 5: the vfio-platform reset.
if [ -f "$HIDMA_TOP/$VRESET/vfio_platform_qcomhidma.c" ]; then
	cp "$HIDMA_TOP/$VRESET/vfio_platform_qcomhidma.c" "$git_dir/$VRESET/"
	python3 - "$git_dir/$VRESET" "$HIDMA_TOP/$VRESET" <<'PY'
import sys
tree, ours = sys.argv[1], sys.argv[2]
# Kconfig: our entry (without the file's header comments) before the
# closing "endif" of "if VFIO_PLATFORM"
entry = [l for l in open(ours + '/Kconfig').read().rstrip('\n').split('\n')
         if not l.startswith('#')]
k = open(tree + '/Kconfig').read().rstrip('\n').split('\n')
end = max(i for i, l in enumerate(k) if l.strip() == 'endif')
k[end:end] = [''] + entry
open(tree + '/Kconfig', 'w').write('\n'.join(k) + '\n')
# Makefile: our obj- line after the last one
obj = [l for l in open(ours + '/Makefile') if l.startswith('obj-')]
m = open(tree + '/Makefile').read().rstrip('\n').split('\n')
last = max(i for i, l in enumerate(m) if l.startswith('obj-'))
m[last + 1:last + 1] = [l.rstrip('\n') for l in obj]
open(tree + '/Makefile', 'w').write('\n'.join(m) + '\n')
PY
	maint "F:$VRESET/vfio_platform_qcomhidma.c"
	commit "vfio/platform: Add a reset for Qualcomm Technologies HIDMA channels" \
"vfio-platform resets a device before it hands it to a user and after
the user lets it go, and refuses a devicetree device it cannot reset.
Add the reset of a HIDMA channel (\"qcom,hidma-1.0\"), so that a host can
assign channels to virtual machines while it keeps the management block.

The reset does what the channel driver does: RESET the transfer window,
then the event window, each until it reads DISABLED. It then masks and
clears the channel's interrupt causes and zeroes the base and length of
both rings, so that the next owner inherits no bus address of the last.

Channels described in ACPI are reset by their _RST method instead."
fi

[ "$(g rev-list --count HEAD)" -gt 1 ] || die "nothing to put in the series yet"
g format-patch -q --cover-letter --no-signature -o "$OUT" HEAD~$(($(g rev-list --count HEAD) - 1)) >/dev/null
# Fill in the cover letter.
cover=$(echo "$OUT"/0000-*.patch)
python3 - "$cover" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace('*** SUBJECT HERE ***',
                    'dmaengine: qcom: hidma: Rewrite the HIDMA drivers')
text = text.replace('*** BLURB HERE ***', '''\
This series replaces the Qualcomm Technologies HIDMA drivers (management
and channel) with new implementations, and brings back their devicetree
bindings as DT schema.

The bindings come first; then each driver is replaced in one step (old
files out, new files, Kconfig entry, kbuild lines, sysfs ABI, KUnit
tests), so that every patch builds on its own. The last patch lets
vfio-platform reset a channel, for hosts that assign channels to virtual
machines.

Both drivers were tested on an emulated QDF2400-like platform (a QEMU
model of the engine) booted with devicetree and with ACPI, as host and as
a guest that owns channels only.''')
open(path, 'w').write(text)
PY
echo "$OUT"
