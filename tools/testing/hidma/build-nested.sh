#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the archive that the nested layout appends to its initramfs, for a
# guest (L2) inside the bench's guest (L1): the static arm64 QEMU with KVM,
# and a kernel and initramfs of FLAVOUR for L2, whose command is the L2
# half of vfio-guest.sh. Prints the path of the cpio archive.
#
#   build-nested.sh [FLAVOUR]    (default: $HIDMA_L2_FLAVOUR, or debug)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cache_lock -x

flavour=${1:-${HIDMA_L2_FLAVOUR:-debug}}
check_flavour "$flavour"
kdir=$(kernel_dir "$flavour")
[ -n "$kdir" ] || die "no $flavour kernel; run build-kernel.sh $flavour first"
qemu="$HIDMA_CACHE/links/qemu-arm64/build/qemu-system-aarch64"
[ -x "$qemu" ] || die "no arm64 QEMU; run build-qemu.sh arm64 first"
base="$HIDMA_BUILD/initramfs-$flavour.cpio"
[ -f "$base" ] || die "no $flavour initramfs; run build-initramfs.sh $flavour first"

root="$HIDMA_BUILD/initramfs/nested"
rm -rf "$root"
mkdir -p "$root/bin" "$root/nested" "$root/l2"
# without its debug information, a quarter of the size to unpack
"${HIDMA_CROSS}strip" -o "$root/bin/qemu-system-aarch64" "$qemu"
cp "$kdir/arch/arm64/boot/Image" "$root/nested/"
# L2 is the guest layout with the one channel it was given.
cat > "$root/l2/hidma-run.env" <<'ENV'
HIDMA_LAYOUT=guest
HIDMA_CHANNELS=1
HIDMA_IOMMU=none
HIDMA_MODE=cmd
HIDMA_NOLOAD=0
HIDMA_CONSOLE=/dev/hvc0
ENV
echo "sh /selftests/vfio-guest.sh l2" > "$root/l2/hidma-run.sh"
(cd "$root/l2" && find . | cpio -o -H newc --quiet --owner=0:0) > "$root/l2.cpio"
cat "$base" "$root/l2.cpio" > "$root/nested/initramfs.cpio"
rm -rf "$root/l2" "$root/l2.cpio"
out="$HIDMA_BUILD/initramfs-nested.cpio"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --owner=0:0 > "$out.tmp")
mv "$out.tmp" "$out"
echo "$out"
