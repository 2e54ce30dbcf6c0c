#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the bench needs. Idempotent: does nothing when
# everything is there. As non-root, prints the command to run and fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

packages=(
	build-essential bc bison flex libssl-dev libelf-dev cpio kmod rsync
	xz-utils gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	linux-source-6.12 dpkg-dev
	ninja-build meson pkg-config libglib2.0-dev libpixman-1-dev libfdt-dev
	zlib1g-dev python3 python3-yaml
	qemu-efi-aarch64 busybox-static:arm64 device-tree-compiler
	sparse coccinelle dt-schema yamllint shellcheck dkms gnuplot-nox
)
debsrc=/etc/apt/sources.list.d/hidma-deb-src.sources

# Headers matching linux-source-6.12, for the x86_64 COMPILE_TEST and DKMS
# gates; the meta package linux-headers-amd64 is 6.1 on bookworm.
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
	apt-cache policy linux-source-6.12 2>/dev/null | sed -n 's/ *Candidate: //p')
if [ -n "$srcver" ] && [ "$srcver" != "(none)" ]; then
	packages+=("linux-headers-${srcver%%-*}+deb12-amd64")
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
have_arm64=0
dpkg --print-foreign-architectures | grep -qx arm64 && have_arm64=1
have_src=0
grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/ && have_src=1

if [ ${#missing[@]} = 0 ] && [ $have_arm64 = 1 ] && [ $have_src = 1 ]; then
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "error: missing packages; run as root:" >&2
	echo "  dpkg --add-architecture arm64 && apt-get update && apt-get install -y ${missing[*]}" >&2
	[ $have_src = 1 ] || echo "  and add a deb-src entry for bookworm (apt-get source qemu needs it)" >&2
	exit 1
fi

if [ $have_src = 0 ]; then
	cat > "$debsrc" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
[ $have_arm64 = 1 ] || dpkg --add-architecture arm64
log "installing: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	"${missing[@]}" >/dev/null
# First install on a fresh machine: the headers need the source's version.
if [ -z "$srcver" ] || [ "$srcver" = "(none)" ]; then
	exec "$0"
fi
