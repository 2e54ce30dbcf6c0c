#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build Debian's QEMU 7.2 (aarch64-softmmu only) with the HIDMA model from
# tools/testing/qemu patched in. Prints the build directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cache_lock -x

model="$HIDMA_TOP/tools/testing/qemu"
QEMU_UPSTREAM=7.2

# Pristine Debian source, patches applied, fetched once.
qemu_src()
{
	local ver dir all
	all=$(apt-cache showsrc qemu 2>/dev/null | sed -n 's/^Version: //p' | sort -Vu)
	[ -n "$all" ] || die "no QEMU source package; run 'make deps' (needs a deb-src entry)"
	# The model's patch is written for QEMU 7.2 (bookworm): newer sources,
	# e.g. from backports, are not taken.
	ver=$(echo "$all" | grep -E "^([0-9]+:)?${QEMU_UPSTREAM//./\\.}\\+" | tail -n1 || true)
	[ -n "$ver" ] ||
		die "no QEMU $QEMU_UPSTREAM source package (apt offers: ${all//$'\n'/ }); the HIDMA model is written for QEMU $QEMU_UPSTREAM, the version of Debian 12"
	dir="$HIDMA_CACHE/src/qemu-${ver#*:}"
	if [ ! -f "$dir/.extracted" ]; then
		log "fetching QEMU $ver source"
		rm -rf "$dir" "$dir.dl"
		mkdir -p "$dir.dl"
		(cd "$dir.dl" && apt-get source -qq --download-only "qemu=$ver" >/dev/null 2>&1) ||
			die "apt-get source qemu=$ver failed"
		dpkg-source -x "$dir.dl"/qemu_*.dsc "$dir" >/dev/null ||
			die "unpacking the QEMU $ver source failed"
		rm -rf "$dir.dl"
		touch "$dir/.extracted"
	fi
	echo "$dir"
}

src=$(qemu_src)
inputs=("$src/.extracted" "$0")
[ -d "$model" ] && inputs+=("$model")
hash=$(hidma_hash "${inputs[@]}")
out="$HIDMA_CACHE/qemu/$hash"
link="$HIDMA_CACHE/links/qemu"

# One work tree is reused across model changes so that a change rebuilds
# only what it touched; each result is then copied out under its hash.
work="$HIDMA_CACHE/qemu/work"
if [ ! -f "$out/.built" ]; then
	log "building QEMU for $hash (first build takes several minutes)"
	args=(--target-list=aarch64-softmmu --without-default-features
	      --enable-fdt=system --disable-docs --enable-tcg)
	targets=(qemu-system-aarch64)
	[ -x "$model/apply.sh" ] && mapfile -t args < "$model/configure-args"
	if [ ! -f "$work/.configured" ] || [ "$(cat "$work/.configured")" != "${args[*]}" ]; then
		rm -rf "$work"
	fi
	mkdir -p "$work/build"
	# Files patched last time go back to pristine and count as changed.
	rsync -a --delete --exclude=/.extracted "$src/" "$work/src/"
	if [ -f "$work/.touched" ]; then
		(cd "$work/src" && xargs -r touch < "$work/.touched")
	fi
	if [ -x "$model/apply.sh" ]; then
		"$model/apply.sh" "$work/src" >"$work/apply.log" 2>&1 ||
			{ cat "$work/apply.log" >&2; die "applying the HIDMA model failed"; }
		{
			sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$model"/patches/*.patch
			(cd "$model" && find hw include tests -type f)
		} | sort -u > "$work/.touched"
		(cd "$work/src" && xargs -r touch < "$work/.touched")
		targets+=(tests/qtest/qcom-hidma-test)
	else
		rm -f "$work/.touched"
	fi
	if [ ! -f "$work/.configured" ]; then
		(cd "$work/build" && ../src/configure "${args[@]}" >"$work/configure.log" 2>&1) ||
			{ tail -n 30 "$work/configure.log" >&2; die "QEMU configure failed"; }
		echo "${args[*]}" > "$work/.configured"
	fi
	ninja -C "$work/build" -j"$HIDMA_JOBS" "${targets[@]}" >"$work/build.log" 2>&1 ||
		{ tail -n 30 "$work/build.log" >&2; die "QEMU build failed"; }
	rm -rf "$out"
	mkdir -p "$out/build/tests/qtest"
	for t in "${targets[@]}"; do
		cp "$work/build/$t" "$out/build/$t"
	done
	touch "$out/.built"
fi
mkdir -p "$(dirname "$link")"
ln -sfn "$out" "$link"
echo "$out"
