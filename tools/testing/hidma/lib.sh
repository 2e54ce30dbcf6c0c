# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # the variables are for the sourcing scripts
# Common helpers for the HIDMA bench scripts. Sourced, not executed.

HIDMA_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HIDMA_BENCH="$HIDMA_TOP/tools/testing/hidma"
HIDMA_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/hidma"
HIDMA_BUILD="$HIDMA_TOP/.build"
HIDMA_JOBS="${HIDMA_JOBS:-2}"
HIDMA_CROSS="${CROSS_COMPILE:-aarch64-linux-gnu-}"
HIDMA_LINUX_TARBALL="${HIDMA_LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}"

HIDMA_LAYOUTS="host guest acpi vfio nested host-msi acpi-msi"
HIDMA_FLAVOURS="debug perf"

die()
{
	echo "error: $*" >&2
	exit 1
}

log()
{
	echo "[bench] $*" >&2
}

# Hash of the given files and strings; used to key cache entries.
hidma_hash()
{
	local item
	for item in "$@"; do
		if [ -f "$item" ]; then
			printf '%s\n' "${item#"$HIDMA_TOP"/}"
			cat "$item"
		elif [ -d "$item" ]; then
			(cd "$item" && find . -type f ! -name '*.o' -print0 | LC_ALL=C sort -z |
				xargs -0 -r sha256sum)
		else
			printf '%s\n' "$item"
		fi
	done | sha256sum | cut -c1-16
}

check_layout()
{
	case " $HIDMA_LAYOUTS " in
	*" $1 "*) ;;
	*) die "unknown layout '$1' (valid: $HIDMA_LAYOUTS)" ;;
	esac
}

check_flavour()
{
	case " $HIDMA_FLAVOURS " in
	*" $1 "*) ;;
	*) die "unknown kernel flavour '$1' (valid: $HIDMA_FLAVOURS)" ;;
	esac
}

# Extracted 6.12 source shared by both kernel flavours, read-only after extraction.
linux_src()
{
	local ver dir
	[ -f "$HIDMA_LINUX_TARBALL" ] ||
		die "$HIDMA_LINUX_TARBALL missing; run 'make deps'"
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
	dir="$HIDMA_CACHE/src/linux-$ver"
	if [ ! -f "$dir/.extracted" ]; then
		log "extracting linux-source-6.12 $ver"
		rm -rf "$dir"
		mkdir -p "$dir"
		# Command substitutions do not inherit errexit: check explicitly,
		# or a failed extraction would be marked done.
		tar -C "$dir" --strip-components=1 -xf "$HIDMA_LINUX_TARBALL" ||
			die "extracting $HIDMA_LINUX_TARBALL failed"
		touch "$dir/.extracted"
	fi
	echo "$dir"
}

# Lock the shared cache for the rest of this process and its children:
# exclusive (-x) while building, shared (-s) while using the builds, so
# that two checkouts never swap a kernel or QEMU under each other. A
# process whose ancestor holds the lock runs under it.
cache_lock()
{
	local mode=$1
	if [ -n "${HIDMA_CACHE_LOCK_OWNER:-}" ] && [ "$HIDMA_CACHE_LOCK_OWNER" != "$$" ]; then
		return 0
	fi
	if [ -z "${HIDMA_CACHE_LOCK_OWNER:-}" ]; then
		mkdir -p "$HIDMA_CACHE"
		exec 9>>"$HIDMA_CACHE/.lock"
		export HIDMA_CACHE_LOCK_OWNER=$$
	fi
	if ! flock -n "$mode" 9; then
		log "waiting for the cache lock (another checkout is using $HIDMA_CACHE)"
		flock "$mode" 9
	fi
}

# cache_prune OUT: OUT is the build just linked, a directory named
# <kind><16 hex digits> (kind "", "arm64-", "debug-", ...) beside the other
# builds of its kind. Marks OUT used, keeps it and the HIDMA_CACHE_KEEP
# (default 2) others of its kind used last, and removes the rest: every
# change to the model or a kernel config leaves a build of 100-300 MB.
# The caller holds the cache lock exclusively: nobody runs an old build.
cache_prune()
{
	local out=$1 keep=${HIDMA_CACHE_KEEP:-2} dir kind old

	dir=$(dirname "$out")
	kind=$(basename "$out")
	kind=${kind%????????????????}
	touch "$out/.used"
	find "$dir" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
		-regex ".*/${kind}[0-9a-f]{16}" ! -path "$out" -print |
	while read -r old; do
		echo "$(stat -c %Y "$old/.used" 2>/dev/null || stat -c %Y "$old") $old"
	done | sort -k1,1nr | tail -n +$((keep + 1)) | cut -d' ' -f2- |
	while read -r old; do
		log "removing ${old#"$HIDMA_CACHE"/}: $keep newer builds of its kind are kept"
		rm -rf "$old"
	done
}

# Build directory of a kernel flavour (empty if not built).
kernel_dir()
{
	local link="$HIDMA_CACHE/links/kernel-$1"
	[ -e "$link/.built" ] && readlink -f "$link"
}

# arm64_deb PACKAGE: unpack Debian's arm64 PACKAGE into the cache, for what
# cannot be installed beside the host's own package of it; prints the
# directory it is in.
arm64_deb()
{
	local pkg=$1 ver dir
	ver=$(apt-cache policy "$pkg:arm64" 2>/dev/null | sed -n 's/ *Candidate: //p')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		die "apt knows no $pkg:arm64; run 'make deps' (it adds the arm64 architecture)"
	fi
	dir="$HIDMA_CACHE/src/$pkg-arm64-$ver"
	if [ ! -f "$dir/.extracted" ]; then
		log "unpacking $pkg:arm64 $ver into the cache"
		rm -rf "$dir" "$dir.dl"
		mkdir -p "$dir.dl"
		(cd "$dir.dl" && apt-get download -qq "$pkg:arm64=$ver" >/dev/null 2>&1) ||
			die "apt-get download $pkg:arm64=$ver failed"
		dpkg-deb -x "$dir.dl/${pkg}_"*_arm64.deb "$dir" ||
			die "dpkg-deb -x of $pkg:arm64 failed"
		rm -rf "$dir.dl"
		touch "$dir/.extracted"
	fi
	echo "$dir"
}
