#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build everything the bench runs on, for the given kernel flavours
# (default: both). Cached builds cost seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cache_lock -x

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(debug perf)
for f in "${flavours[@]}"; do
	"$HIDMA_BENCH/build-kernel.sh" "$f" >/dev/null
done
"$HIDMA_BENCH/build-qemu.sh" >/dev/null
for f in "${flavours[@]}"; do
	"$HIDMA_BENCH/build-modules.sh" "$f" >/dev/null
	"$HIDMA_BENCH/build-initramfs.sh" "$f" >/dev/null
done
# The nested layout's guest (L2): an arm64 QEMU, and its own kernel flavour.
case " ${flavours[*]} " in
*" ${HIDMA_L2_FLAVOUR:-debug} "*)
	"$HIDMA_BENCH/build-qemu.sh" arm64 >/dev/null
	"$HIDMA_BENCH/build-nested.sh" >/dev/null
	;;
esac
