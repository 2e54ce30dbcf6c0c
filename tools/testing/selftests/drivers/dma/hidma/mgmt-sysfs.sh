#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# hidma_mgmt sysfs ABI: file modes, values against the model, valid writes
# reach the hardware, every class of bad write is refused with nothing
# changed, and a burst size change shows in the bursts the model counts.
# On acpi the values come from _DSD and the device from the DSDT: there the
# suite checks what firmware gave, that writes reach the hardware and the
# reload; the refused writes, concurrent writers and burst counts are the
# same sysfs code on both and are skipped.
# hidma-layouts: host acpi
# hidma-timeout: 300
. "$(dirname "$0")/lib.sh"

FULL=1
[ "$HIDMA_LAYOUT" = acpi ] && FULL=0
SKIP_WHY="the same sysfs code as on host, checked there"

GLOBALS="max_write_request max_read_request max_wr_xactions max_rd_xactions chreset_timeout_cycles"

# Model (QOM) property behind a global attribute
qom_name()
{
	case "$1" in
	max_write_request) echo x-reg-max-write-burst-bytes ;;
	max_read_request) echo x-reg-max-read-burst-bytes ;;
	max_wr_xactions) echo x-reg-max-write-transactions ;;
	max_rd_xactions) echo x-reg-max-read-transactions ;;
	chreset_timeout_cycles) echo x-reg-channel-reset-timeout-cycles ;;
	esac
}

# A valid value different from the current one
other_value()
{
	case "$1" in
	max_write_request | max_read_request)
		[ "$2" = 256 ] && echo 512 || echo 256 ;;
	max_wr_xactions | max_rd_xactions)
		[ "$2" = 7 ] && echo 9 || echo 7 ;;
	chreset_timeout_cycles)
		[ "$2" = 4096 ] && echo 8192 || echo 4096 ;;
	priority)
		[ "$2" = 1 ] && echo 0 || echo 1 ;;
	weight)
		[ "$2" = 5 ] && echo 6 || echo 5 ;;
	esac
}

# Out of range (or otherwise invalid) numbers for an attribute
bad_numbers()
{
	case "$1" in
	max_write_request | max_read_request) echo "0 64 100 384 1000 2048 4096" ;;
	max_wr_xactions | max_rd_xactions) echo "0 32 255" ;;
	chreset_timeout_cycles) echo "0 1048576" ;;
	priority) echo "2 16" ;;
	weight) echo "0 16 128" ;;
	esac
}

# mode_of FILE: octal permission bits
mode_of()
{
	stat -c %a "$1"
}

# try_write FILE VALUE: 0 if the write was accepted
try_write()
{
	printf '%s' "$2" > "$1" 2>/dev/null
}

# check_bad FILE NAME QOMPROP: every bad write fails and changes nothing
check_bad()
{
	local f=$1 name=$2 prop=$3 before hw_before v ok=0 huge

	if [ $FULL = 0 ]; then
		ktap_skip "$name: bad writes refused, nothing changed" "$SKIP_WHY"
		return
	fi
	before=$(cat "$f")
	hw_before=$(qom_get "$prop") || ok=1
	huge=$(head -c 4096 /dev/zero | tr '\0' 1)
	# An empty line is the empty write: a write of 0 bytes never reaches
	# the driver.
	for v in abc 12abc 0x80 -1 -256 +256 " 256" "256 " 3.5 "
" 4294967296 18446744073709551617 99999999999999999999 $(bad_numbers "${name##*/}"); do
		if try_write "$f" "$v"; then
			ktap_diag "$name: write '$v' was accepted"
			ok=1
		fi
	done
	if printf '%s' "$huge" > "$f" 2>/dev/null; then
		ktap_diag "$name: huge write was accepted"
		ok=1
	fi
	[ "$(cat "$f")" = "$before" ] || {
		ktap_diag "$name: value changed to $(cat "$f")"
		ok=1
	}
	v=$(qom_get "$prop") || ok=1
	[ "$v" = "$hw_before" ] || {
		ktap_diag "$name: hardware changed to $v"
		ok=1
	}
	ktap_result $ok "$name: bad writes refused, nothing changed"
}

# burst_sum COUNTER: a model counter summed over all channels
burst_sum()
{
	local i=0 s=0 v

	while [ $i -lt "$HIDMA_CHANNELS" ]; do
		v=$(qom_get "x-ch$i-$1") || return 1
		s=$((s + v))
		i=$((i + 1))
	done
	echo $s
}

# memcpy_4k_bursts CHAN COUNTER: how much COUNTER grows for one 4096-byte
# memcpy on dmaengine channel CHAN
memcpy_4k_bursts()
{
	local before after p=/sys/module/dmatest/parameters

	grep -q '^dmatest ' /proc/modules || modprobe dmatest || return 1
	before=$(burst_sum "$2") || return 1
	echo 4096 > $p/test_buf_size
	echo 1 > $p/norandom
	dmatest_run memcpy 1 1 "$1" > /dev/null || return 1
	after=$(burst_sum "$2") || return 1
	echo $((after - before))
}

nch=$HIDMA_CHANNELS
ktap_plan $((4 + 5 * 4 + nch * 2 * 4 + 5))

hidma_load || { ktap_diag "cannot load the drivers"; }
dir=$(hidma_mgmt_dir)
if [ -z "$dir" ]; then
	ktap_not_ok "management device bound"
	ktap_finish
fi
ktap_ok "management device bound ($dir)"

ktap_expect_eq "$(cat "$dir/dma_channels")" "$nch" "dma_channels matches the model"
ro=0
for f in hw_version_major hw_version_minor dma_channels; do
	[ "$(mode_of "$dir/$f")" = 444 ] || { ktap_diag "$f mode $(mode_of "$dir/$f")"; ro=1; }
done
ktap_result $ro "read-only attributes are 0444"

ww=$(find "$dir/" -maxdepth 3 -type f -perm -002 2>/dev/null | head -n 5)
ktap_expect_eq "$ww" "" "no world-writable attribute"

# What firmware gave, to compare with after a reload
fw=""
for name in $GLOBALS; do
	fw="$fw $(cat "$dir/$name")"
done

for name in $GLOBALS; do
	f=$dir/$name
	prop=$(qom_name "$name")
	ktap_expect_eq "$(mode_of "$f")" 644 "$name: mode 0644"
	ktap_expect_eq "$(cat "$f")" "$(qom_get "$prop")" "$name: equals the model"
	old=$(cat "$f")
	new=$(other_value "$name" "$old")
	try_write "$f" "$new"
	r=$?
	if [ $r -eq 0 ] && [ "$(cat "$f")" = "$new" ] &&
	   [ "$(qom_get "$prop")" = "$new" ]; then
		ktap_ok "$name: write $new reaches the model"
	else
		ktap_diag "$name: rc $r, shows $(cat "$f"), model $(qom_get "$prop")"
		ktap_not_ok "$name: write $new reaches the model"
	fi
	check_bad "$f" "$name" "$prop"
	echo "$old" > "$f"
done

i=0
while [ $i -lt "$nch" ]; do
	for attr in priority weight; do
		f=$dir/chanops/chan$i/$attr
		prop=x-ch$i-$attr
		if [ ! -e "$f" ]; then
			ktap_not_ok "chan$i/$attr exists"
			ktap_not_ok "chan$i/$attr: equals the model # missing"
			ktap_not_ok "chan$i/$attr: write reaches the model # missing"
			ktap_not_ok "chan$i/$attr: bad writes refused # missing"
			continue
		fi
		ktap_expect_eq "$(mode_of "$f")" 644 "chan$i/$attr: mode 0644"
		ktap_expect_eq "$(cat "$f")" "$(qom_get "$prop")" "chan$i/$attr: equals the model"
		old=$(cat "$f")
		new=$(other_value "$attr" "$old")
		if try_write "$f" "$new" && [ "$(cat "$f")" = "$new" ] &&
		   [ "$(qom_get "$prop")" = "$new" ]; then
			ktap_ok "chan$i/$attr: write $new reaches the model"
		else
			ktap_not_ok "chan$i/$attr: write $new reaches the model"
		fi
		check_bad "$f" "chan$i/$attr" "$prop"
		echo "$old" > "$f"
	done
	i=$((i + 1))
done

# Concurrent writers: the value read back is one of those written
if [ $FULL = 0 ]; then
	ktap_skip "concurrent writers leave a consistent value" "$SKIP_WHY"
	ktap_skip "4096 bytes in 256-byte write bursts" "$SKIP_WHY"
	ktap_skip "4096 bytes in 1024-byte read bursts" "$SKIP_WHY"
	ktap_skip "4096 bytes in 128-byte write bursts" "$SKIP_WHY"
else
	(for _ in 1 2 3 4 5 6 7 8 9 10; do echo 128 > "$dir/max_read_request"; done) &
	(for _ in 1 2 3 4 5 6 7 8 9 10; do echo 1024 > "$dir/max_read_request"; done) &
	wait
	v=$(cat "$dir/max_read_request")
	m=$(qom_get x-reg-max-read-burst-bytes)
	if { [ "$v" = 128 ] || [ "$v" = 1024 ]; } && [ "$v" = "$m" ]; then
		ktap_ok "concurrent writers leave a consistent value ($v)"
	else
		ktap_not_ok "concurrent writers leave a consistent value ($v, model $m)"
	fi

	# A 4096-byte memcpy after max_write_request=256 is 16 write bursts
	ch=$(hidma_channels hidma | head -n 1)
	if [ -z "$ch" ]; then
		ktap_not_ok "4096 bytes in 256-byte write bursts # no hidma channel"
		ktap_not_ok "4096 bytes in 1024-byte read bursts # no hidma channel"
		ktap_not_ok "4096 bytes in 128-byte write bursts # no hidma channel"
	else
		echo 256 > "$dir/max_write_request"
		echo 1024 > "$dir/max_read_request"
		ktap_expect_eq "$(memcpy_4k_bursts "$ch" write-bursts)" 16 \
			"4096 bytes in 256-byte write bursts"
		ktap_expect_eq "$(memcpy_4k_bursts "$ch" read-bursts)" 4 \
			"4096 bytes in 1024-byte read bursts"
		echo 128 > "$dir/max_write_request"
		ktap_expect_eq "$(memcpy_4k_bursts "$ch" write-bursts)" 32 \
			"4096 bytes in 128-byte write bursts"
	fi
fi

# Reloading the driver puts the firmware values back
hidma_unload
hidma_load
dir=$(hidma_mgmt_dir)
now=""
ok=0
for name in $GLOBALS; do
	now="$now $(cat "$dir/$name")"
	[ "$(cat "$dir/$name")" = "$(qom_get "$(qom_name "$name")")" ] || ok=1
done
[ "$now" = "$fw" ] || ok=1
ktap_diag "firmware:$fw; after reload:$now"
ktap_result $ok "reload: firmware values back in sysfs and in the model"

ktap_finish
