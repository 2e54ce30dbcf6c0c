#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build Debian's QEMU 7.2 (aarch64-softmmu only) with the HIDMA model from
# tools/testing/qemu patched in. Prints the build directory.
#
#   build-qemu.sh           for this machine: the bench's QEMU and qtest
#   build-qemu.sh arm64     a static arm64 qemu-system-aarch64 with KVM, for
#                           the vfio layout's host to run a guest that owns
#                           a channel (vfio-platform)
#   build-qemu.sh fuzz      qemu-fuzz-aarch64: QEMU's fuzzers, the generic
#                           one with the HIDMA configurations, built with
#                           clang, libFuzzer, ASan and UBSan (make fuzz)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cache_lock -x

flavour=${1:-host}
case "$flavour" in
host | arm64 | fuzz) ;;
*) die "usage: $0 [arm64|fuzz]" ;;
esac

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

# libfdt for arm64, unpacked into the cache: libfdt-dev is not co-installable
# for two architectures, and the host build needs the amd64 one.
arm64_libfdt()
{
	local dir
	dir=$(arm64_deb libfdt-dev)
	mkdir -p "$dir/bin"
	# meson looks for static libraries only in the compiler's own search
	# path: this compiler adds libfdt's (-B)
	printf '#!/bin/sh\nexec %s -B%s "$@"\n' "$(command -v "${HIDMA_CROSS}gcc")" \
		"$dir/usr/lib/aarch64-linux-gnu/" >"$dir/bin/${HIDMA_CROSS}gcc"
	# Debian 12 has no cross pkg-config: this one reads the arm64
	# glib and pixman that make deps installs (Multi-Arch: same).
	printf '#!/bin/sh\nPKG_CONFIG_LIBDIR=%s\nexport PKG_CONFIG_LIBDIR\nexec pkg-config "$@"\n' \
		/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
		>"$dir/bin/${HIDMA_CROSS}pkg-config"
	chmod 755 "$dir/bin/${HIDMA_CROSS}gcc" "$dir/bin/${HIDMA_CROSS}pkg-config"
	echo "$dir"
}

# One work tree is reused across model changes so that a change rebuilds
# only what it touched; each result is then copied out under its hash.
work="$HIDMA_CACHE/qemu/work"
if [ "$flavour" = arm64 ]; then
	out="$HIDMA_CACHE/qemu/arm64-$hash"
	link="$HIDMA_CACHE/links/qemu-arm64"
	work="$HIDMA_CACHE/qemu/work-arm64"
elif [ "$flavour" = fuzz ]; then
	out="$HIDMA_CACHE/qemu/fuzz-$hash"
	link="$HIDMA_CACHE/links/qemu-fuzz"
	work="$HIDMA_CACHE/qemu/work-fuzz"
fi
if [ ! -f "$out/.built" ]; then
	log "building QEMU ($flavour) for $hash (first build takes several minutes)"
	args=(--target-list=aarch64-softmmu --without-default-features
	      --enable-fdt=system --disable-docs --enable-tcg)
	targets=(qemu-system-aarch64)
	[ -x "$model/apply.sh" ] && mapfile -t args < "$model/configure-args"
	if [ "$flavour" = arm64 ]; then
		fdt=$(arm64_libfdt)
		# For KVM in the vfio layout's host (EL2), the virt board only.
		# TCG stays: 7.2's arm target does not build without it.
		args+=(--cross-prefix="$HIDMA_CROSS" --static --enable-kvm
		       --with-devices-aarch64=minimal
		       --extra-cflags="-I$fdt/usr/include")
		export PATH="$fdt/bin:$PATH"
	elif [ "$flavour" = fuzz ]; then
		# QEMU's recipe (docs/devel/fuzzing.rst)
		args+=(--cc=clang --cxx=clang++ --enable-fuzzing --enable-sanitizers)
		targets=(qemu-fuzz-aarch64)
	fi
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
		[ "$flavour" != host ] || targets+=(tests/qtest/qcom-hidma-test)
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
cache_prune "$out"
echo "$out"
