#!/bin/sh
# Copy the HIDMA model into a QEMU 7.2 source tree and wire it up.
#
# usage: tools/testing/qemu/apply.sh QEMU_SRC_DIR
set -eu

die() {
	echo "apply.sh: error: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 QEMU_SRC_DIR"
src=$1
here=$(cd "$(dirname "$0")" && pwd)

[ -d "$src" ] || die "$src is not a directory"
if [ ! -f "$src/hw/dma/meson.build" ] || [ ! -f "$src/hw/arm/virt.c" ]; then
	die "$src does not look like a QEMU source tree"
fi

if grep -q qcom_hidma "$src/hw/dma/meson.build"; then
	die "$src already has the HIDMA wiring (apply to a pristine tree)"
fi

# Dry run first, so that a failing hunk leaves the tree untouched: the
# series goes onto a scratch copy of the files it touches, in order (a
# patch may depend on the one before it).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for p in "$here"/patches/*.patch; do
	[ -f "$p" ] || die "no patches found in $here/patches"
done
files=$(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$here"/patches/*.patch |
	sort -u)
while read -r f; do
	[ -f "$src/$f" ] || continue
	mkdir -p "$scratch/$(dirname "$f")" || die "cannot create $scratch"
	cp "$src/$f" "$scratch/$f" || die "cannot copy $f for the dry run"
done <<EOF
$files
EOF
for p in "$here"/patches/*.patch; do
	patch -p1 -N --quiet -d "$scratch" < "$p" >/dev/null ||
		die "patch $(basename "$p") does not apply to $src"
done

install -m 0644 "$here/hw/dma/qcom_hidma.c" "$src/hw/dma/qcom_hidma.c" ||
	die "cannot copy qcom_hidma.c"
install -m 0644 "$here/include/hw/dma/qcom_hidma.h" \
	"$src/include/hw/dma/qcom_hidma.h" || die "cannot copy qcom_hidma.h"
install -m 0644 "$here/tests/qtest/qcom-hidma-test.c" \
	"$src/tests/qtest/qcom-hidma-test.c" || die "cannot copy the qtest"

for p in "$here"/patches/*.patch; do
	patch -p1 -N --quiet -d "$src" < "$p" ||
		die "patch $(basename "$p") failed"
done

echo "apply.sh: HIDMA model applied to $src"
