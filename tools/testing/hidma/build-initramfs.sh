#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the base initramfs of a flavour: busybox, the kernel's modules
# (dmatest, the in-kernel HIDMA driver), our modules and the in-guest
# suites with their C programs. Prints the path of the (uncompressed) cpio
# archive.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cache_lock -x

flavour=${1:-debug}
check_flavour "$flavour"
kdir=$(kernel_dir "$flavour")
[ -n "$kdir" ] || die "no $flavour kernel; run build-kernel.sh $flavour first"
mods="$HIDMA_BUILD/modules/$flavour/out"
[ -d "$mods" ] || die "no modules for $flavour; run build-modules.sh $flavour first"

# The guest's busybox: Debian's busybox-static for arm64, unpacked into the
# cache (installing it would replace the host's /bin/busybox).
arm64_busybox()
{
	local dir
	dir=$(arm64_deb busybox-static)
	file -L "$dir/bin/busybox" 2>/dev/null | grep aarch64 >/dev/null ||
		die "$dir/bin/busybox is not an arm64 binary"
	echo "$dir/bin/busybox"
}
busybox=$(arm64_busybox)

root="$HIDMA_BUILD/initramfs/$flavour"
rm -rf "$root"
mkdir -p "$root"/{bin,lib/modules/hidma,selftests,bench,etc}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$HIDMA_BENCH/init.sh" "$root/init"
chmod 755 "$root/init"
cp -a "$kdir/modroot/lib/modules/." "$root/lib/modules/"
cp "$mods"/*.ko "$root/lib/modules/hidma/"
cp -a "$HIDMA_TOP/tools/testing/selftests/drivers/dma/hidma/." "$root/selftests/"
# The suites' C programs, static, in /bin.
for c in "$root"/selftests/*.c; do
	[ -e "$c" ] || continue
	"${HIDMA_CROSS}gcc" -static -O2 -Wall -Wextra -Werror -o "$root/bin/$(basename "$c" .c)" "$c" ||
		die "building $(basename "$c") failed"
	rm "$c"
done
cp -a "$HIDMA_BENCH/guest/." "$root/bench/"
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
out="$HIDMA_BUILD/initramfs-$flavour.cpio"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --owner=0:0 > "$out.tmp")
mv "$out.tmp" "$out"
echo "$out"
