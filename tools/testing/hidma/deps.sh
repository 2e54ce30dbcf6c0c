#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the bench needs. Idempotent: does nothing when
# everything is there. As non-root, prints the command to run and fails.
# arm64 on the host: the cross toolchain, its static libc (for the guest's
# VFIO test program) and the Multi-Arch: same -dev packages of glib and
# pixman (for the static arm64 QEMU of the vfio layout). The guest's busybox
# and the arm64 libfdt, which cannot be installed beside their amd64
# packages, are unpacked into the cache by the build scripts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

packages=(
	build-essential bc bison flex libssl-dev libelf-dev cpio kmod rsync file
	xz-utils gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	libc6-dev-arm64-cross linux-libc-dev-arm64-cross
	linux-source-6.12 dpkg-dev
	ninja-build meson pkg-config libglib2.0-dev libpixman-1-dev libfdt-dev
	zlib1g-dev python3 python3-yaml
	qemu-efi-aarch64 device-tree-compiler
	sparse coccinelle ocaml-nox ocaml-findlib dt-schema yamllint shellcheck dkms gnuplot-nox
	clang
	libglib2.0-dev:arm64 libpixman-1-dev:arm64
)
debsrc=/etc/apt/sources.list.d/hidma-deb-src.sources
lists=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)

# Headers matching linux-source-6.12, for the x86_64 COMPILE_TEST and DKMS
# gates; the meta package linux-headers-amd64 is 6.1 on bookworm.
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
	apt-cache policy linux-source-6.12 2>/dev/null | sed -n 's/ *Candidate: //p')
if [ -n "$srcver" ] && [ "$srcver" != "(none)" ]; then
	packages+=("linux-headers-${srcver%%-*}+deb12-amd64")
fi

# The Debian archive this machine is configured with, as "URI SUITE...":
# the deb-src entry must come from the same mirror, not a guessed host.
debian_archive()
{
	local f
	for f in "${lists[@]}"; do
		[ -f "$f" ] || continue
		case "$f" in
		*.sources)
			awk 'BEGIN { RS = ""; FS = "\n" }
			{
				t = u = s = c = ""
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^Types:/) t = $i
					else if ($i ~ /^URIs:/) { u = $i; sub(/^URIs:[ \t]*/, "", u) }
					else if ($i ~ /^Suites:/) { s = $i; sub(/^Suites:[ \t]*/, "", s) }
					else if ($i ~ /^Components:/) c = $i
				}
				if (t ~ /[ \t]deb([ \t]|$)/ && c ~ /[ \t]main([ \t]|$)/ &&
				    s ~ /(^|[ \t])bookworm([ \t]|$)/) {
					split(u, uri, /[ \t]+/)
					print uri[1], s
					exit
				}
			}' "$f"
			;;
		*)
			awk '$1 == "deb" && $0 ~ / main( |$)/ {
				for (i = 2; i <= NF; i++) if ($i !~ /^\[/) break
				if ($(i + 1) == "bookworm") { print $i, "bookworm bookworm-updates"; exit }
			}' "$f"
			;;
		esac
	done | head -n 1
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
have_arm64=0
dpkg --print-foreign-architectures | grep -qx arm64 && have_arm64=1
have_src=0
grep -rqs '^Types:.*deb-src\|^deb-src' "${lists[@]}" && have_src=1

if [ ${#missing[@]} = 0 ] && [ $have_arm64 = 1 ] && [ $have_src = 1 ]; then
	exit 0
fi

archive=""
if [ $have_src = 0 ]; then
	archive=$(debian_archive)
	[ -n "$archive" ] ||
		die "no Debian bookworm 'deb ... main' entry in ${lists[*]}; cannot add the deb-src entry that 'apt-get source qemu' needs"
fi

if [ "$(id -u)" != 0 ]; then
	echo "error: missing packages; run as root:" >&2
	echo "  dpkg --add-architecture arm64 && apt-get update && apt-get install -y ${missing[*]}" >&2
	[ $have_src = 1 ] || echo "  and add a deb-src entry for ${archive#* } from ${archive%% *} (apt-get source qemu needs it)" >&2
	exit 1
fi

if [ $have_src = 0 ]; then
	log "adding $debsrc (deb-src for ${archive#* } from ${archive%% *})"
	cat > "$debsrc" <<SRC
Types: deb-src
URIs: ${archive%% *}
Suites: ${archive#* }
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
# arm64 package lists: the -dev:arm64 packages above, and the downloads.
[ $have_arm64 = 1 ] || dpkg --add-architecture arm64
log "installing: ${missing[*]}"
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi
# First install on a fresh machine: the headers need the source's version.
if [ -z "$srcver" ] || [ "$srcver" = "(none)" ]; then
	exec "$0"
fi
