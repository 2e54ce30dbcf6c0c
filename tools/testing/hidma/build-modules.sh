#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build our modules (drivers/dma/qcom, the vfio-platform reset and the test
# modules) out of tree against a bench kernel flavour, in a copy under
# .build so that flavours can build side by side. Prints the directory
# holding the .ko files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cache_lock -x

flavour=${1:-debug}
check_flavour "$flavour"
# HIDMA_KDIR, not KDIR: a KDIR exported for other work must not take over.
if [ -n "${HIDMA_KDIR:-}" ]; then
	kdir=$HIDMA_KDIR
	[ -f "$kdir/Makefile" ] || die "HIDMA_KDIR '$kdir' is not a kernel build tree"
else
	kdir=$(kernel_dir "$flavour" || true)
	if [ -z "$kdir" ] || [ ! -d "$kdir" ]; then
		die "no $flavour kernel; run build-kernel.sh $flavour first"
	fi
fi

work="$HIDMA_BUILD/modules/$flavour"
mkdir -p "$work/out"
rsync -a --delete "$HIDMA_TOP/drivers/dma/qcom/" "$work/qcom/"
rsync -a --delete "$HIDMA_BENCH/modules/" "$work/test/"
read -ra extra <<< "${HIDMA_KBUILD_FLAGS:-}"
kmake=(make -C "$kdir" ARCH=arm64 CROSS_COMPILE="$HIDMA_CROSS" -j"$HIDMA_JOBS" "${extra[@]}")

# Each driver is built once its sources have landed.
cfg=()
# The bench kernels set both symbols (for the in-kernel reference driver),
# so a driver that is not here yet must be switched off explicitly.
if [ -f "$work/qcom/hidma_mgmt_core.c" ]; then
	cfg+=(CONFIG_QCOM_HIDMA_MGMT=m)
else
	cfg+=(CONFIG_QCOM_HIDMA_MGMT=)
fi
if [ -f "$work/qcom/hidma_dma.c" ]; then
	cfg+=(CONFIG_QCOM_HIDMA=m)
else
	cfg+=(CONFIG_QCOM_HIDMA=)
fi
cfg+=(CONFIG_QCOM_HIDMA_KUNIT_TEST=m)
rm -f "$work/out/"*.ko
if [ -f "$work/qcom/hidma_mgmt_core.c" ] || [ -f "$work/qcom/hidma_dma.c" ]; then
	"${kmake[@]}" M="$work/qcom" "${cfg[@]}" modules >"$work/qcom.log" 2>&1 ||
		{ cat "$work/qcom.log" >&2; die "driver build failed"; }
	cp "$work/qcom/"*.ko "$work/out/"
fi
# The vfio-platform reset of a channel, for kernels with vfio-platform.
rm -rf "$work/vfio-reset"
if grep -qx 'CONFIG_VFIO_PLATFORM=y' "$kdir/.config" 2>/dev/null; then
	rsync -a "$HIDMA_TOP/drivers/vfio/platform/reset/" "$work/vfio-reset/"
	"${kmake[@]}" M="$work/vfio-reset" CONFIG_VFIO_PLATFORM_QCOMHIDMA_RESET=m \
		modules >"$work/vfio-reset.log" 2>&1 ||
		{ cat "$work/vfio-reset.log" >&2; die "vfio reset module build failed"; }
	cp "$work/vfio-reset/"*.ko "$work/out/"
fi
"${kmake[@]}" M="$work/test" modules >"$work/test.log" 2>&1 ||
	{ cat "$work/test.log" >&2; die "test module build failed"; }
cp "$work/test/"*.ko "$work/out/"
echo "$work/out"
