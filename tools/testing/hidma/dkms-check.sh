#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS gate of make check: dkms add + build of the top-level dkms.conf
# with Debian's dkms, for the installed 6.12 kernel headers, in private
# trees under .build/check/dkms (nothing is left in /var/lib/dkms or
# /usr/src; module signing uses a throw-away key made there too).
# The kernel source is found the way dkms.conf does it for users; with
# Debian's linux-source-6.12 installed and not extracted, that is the
# tarball (see dkms.conf). Lines "finding: ..." are the gate's findings.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

work="$HIDMA_BUILD/check/dkms"
conf="$HIDMA_TOP/dkms.conf"
[ -f "$conf" ] || die "no dkms.conf"
command -v dkms >/dev/null || die "dkms is not installed (make deps)"
kver=$(find /lib/modules -mindepth 1 -maxdepth 1 -name '6.12.*' -printf '%f\n' | sort -V | tail -n1)
if [ -z "$kver" ] || [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
	die "no installed 6.12 kernel headers (/lib/modules/6.12.*/build); run make deps"
fi
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$conf")

rm -rf "$work"
mkdir -p "$work/src/$name-$ver" "$work/tree" "$work/install"
# What a user copies to /usr/src/<name>-<version>: dkms.conf and the drivers.
cp "$conf" "$work/src/$name-$ver/"
for d in drivers/dma/qcom drivers/vfio/platform/reset; do
	mkdir -p "$work/src/$name-$ver/$d"
	find "$HIDMA_TOP/$d" -maxdepth 1 -type f \( -name '*.[ch]' -o \
		-name Makefile -o -name Kconfig \) -exec cp -p {} "$work/src/$name-$ver/$d/" \;
done

leftovers() { find /var/lib/dkms /usr/src -maxdepth 1 2>/dev/null | sort; }
before=$(leftovers)
dk=(dkms --dkmstree "$work/tree" --sourcetree "$work/src" --installtree "$work/install")
export mok_signing_key="$work/mok.key" mok_certificate="$work/mok.pub"
# The source: the 6.12 tree the bench extracted, as a user would point
# HIDMA_KERNEL_SOURCE at theirs (dkms.conf's first choice). With
# HIDMA_DKMS_TARBALL=1 the gate takes the path of a plain Debian install
# instead: the two headers from /usr/src/linux-source-6.12.tar.xz (slower).
if [ "${HIDMA_DKMS_TARBALL:-0}" = 1 ]; then
	unset HIDMA_KERNEL_SOURCE
else
	HIDMA_KERNEL_SOURCE=$(linux_src)
	export HIDMA_KERNEL_SOURCE
fi
rc=0
"${dk[@]}" add -m "$name" -v "$ver" >"$work/add.log" 2>&1 || rc=$?
if [ $rc = 0 ]; then
	"${dk[@]}" build -m "$name" -v "$ver" -k "$kver" >"$work/build.log" 2>&1 || rc=$?
fi
cat "$work/add.log" "$work/build.log" 2>/dev/null
for makelog in "$work/tree/$name/$ver/$kver"/*/log/make.log "$work/tree/$name/$ver/build/make.log"; do
	[ -f "$makelog" ] && cp "$makelog" "$work/make.log" && break
done
status=0
if [ $rc != 0 ]; then
	echo "finding: dkms add/build for $kver failed (exit status $rc); see ${work#"$HIDMA_TOP"/}/make.log"
	status=1
fi
# Compiler, modpost and kbuild warnings of the build are findings too.
if [ -f "$work/make.log" ]; then
	if grep -E 'warning:|error:|WARNING:|ERROR:' "$work/make.log" |
		sed -e "s|$work/tree/$name/$ver/build/||g" -e 's/^/finding: /'; then
		status=1
	fi
fi
while read -r m; do
	compgen -G "$work/tree/$name/$ver/$kver/*/module/$m.ko*" >/dev/null || {
		echo "finding: dkms did not produce $m.ko for $kver"
		status=1
	}
done < <(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"/\1/p' "$conf")
# Leave nothing behind outside .build.
rm -rf "$work/tree" "$work/install" "$work/mok.key"
after=$(leftovers)
[ "$before" = "$after" ] || {
	echo "finding: the dkms run left files in /var/lib/dkms or /usr/src"
	status=1
}
[ $status = 0 ] && echo "dkms: $name $ver builds for $kver"
exit $status
