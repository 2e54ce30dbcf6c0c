#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the arm64 bench kernel of a flavour (debug|perf) from linux-source-6.12
# and the config fragments in config/. Prints the build directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cache_lock -x

flavour=${1:-debug}
check_flavour "$flavour"
src=$(linux_src)
cfgdir="$HIDMA_BENCH/config"
# The pristine source counts by its version (in its path), as QEMU's does:
# hashing its 80000 files cost every cached make test 6 s per flavour.
hash=$(hidma_hash "$src/.extracted" "$cfgdir/common.config" "$cfgdir/$flavour.config" "$0")
out="$HIDMA_CACHE/kernel/$flavour-$hash"
link="$HIDMA_CACHE/links/kernel-$flavour"
kmake=(make -s -C "$src" O="$out" ARCH=arm64 CROSS_COMPILE="$HIDMA_CROSS")

if [ ! -f "$out/.built" ]; then
	log "building $flavour kernel in $out (takes a few minutes)"
	rm -rf "$out"
	# Start from the previous build of this flavour: kbuild then rebuilds
	# only what the config change touched.
	prev=$(kernel_dir "$flavour" || true)
	if [ -n "$prev" ] && [ -d "$prev" ]; then
		cp -a "$prev" "$out"
		rm -f "$out/.built"
		rm -rf "$out/modroot"
	else
		mkdir -p "$out"
	fi
	"${kmake[@]}" tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"$cfgdir/common.config" "$cfgdir/$flavour.config" >"$out/merge.log"
	"${kmake[@]}" olddefconfig >/dev/null
	# A fragment line that did not survive olddefconfig is a broken bench.
	missing=0
	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$out/.config" || {
				echo "error: $flavour kernel: '$line' did not stick" >&2
				missing=1
			}
			;;
		"# CONFIG_"*" is not set")
			sym=${line#"# "}
			sym=${sym%% *}
			if grep -q "^$sym=" "$out/.config"; then
				echo "error: $flavour kernel: $sym still set" >&2
				missing=1
			fi
			;;
		esac
	done < <(cat "$cfgdir/common.config" "$cfgdir/$flavour.config")
	[ "$missing" = 0 ] || exit 1
	"${kmake[@]}" -j"$HIDMA_JOBS" Image modules
	"${kmake[@]}" INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 \
		modules_install >/dev/null
	touch "$out/.built"
fi
mkdir -p "$(dirname "$link")"
ln -sfn "$out" "$link"
cache_prune "$out"
echo "$out"
