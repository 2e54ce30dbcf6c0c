#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In-guest half of "make demo": what an admin does on a QDF2400 host (or a
# guest with assigned channels), printed for people to read.
# shellcheck source=/dev/null # in the initramfs
. /selftests/lib.sh

# dmatest copies per channel (make test asks for fewer)
COPIES=${HIDMA_DEMO_COPIES:-100}

step()
{
	echo
	echo "== $*"
}

# Model counters of channel $1 as "bytes=.. rd-bursts=.. wr-bursts=.. grants=..".
counters()
{
	echo "bytes=$(qom_get "x-ch$1-bytes") rd-bursts=$(qom_get "x-ch$1-read-bursts")" \
		"wr-bursts=$(qom_get "x-ch$1-write-bursts") grants=$(qom_get "x-ch$1-bus-grants")"
}

# Run dmatest on one channel, print its summary in a table row.
dmatest_row()
{
	local chan=$1 iter=$2 size=$3 line iops kbs fails verdict

	echo "$size" > /sys/module/dmatest/parameters/test_buf_size
	if dmatest_run memcpy "$iter" 1 "$chan" > /tmp/dmatest.out; then
		verdict=pass
	else
		verdict=FAIL
		status=1
	fi
	line=$(grep summary /tmp/dmatest.out | head -n 1)
	iops=$(echo "$line" | sed -n 's/.* \([0-9.]*\) iops.*/\1/p')
	kbs=$(echo "$line" | sed -n 's/.* \([0-9]*\) KB\/s.*/\1/p')
	fails=$(echo "$line" | sed -n 's/.*tests, \([0-9]*\) failures.*/\1/p')
	printf '  %-12s %8s tests %6s failures %10s iops %10s KB/s  %s\n' \
		"$chan" "$iter" "${fails:-?}" "${iops:-?}" "${kbs:-?}" "$verdict"
}

status=0
step "Loading the drivers with insmod ($HIDMA_LAYOUT layout)"
if [ "$HIDMA_LAYOUT" != guest ]; then
	insmod "$HIDMA_MODDIR/hidma_mgmt.ko" || exit 1
	echo "  hidma_mgmt.ko loaded"
fi
insmod "$HIDMA_MODDIR/hidma.ko" || exit 1
echo "  hidma.ko loaded"
chans=$(hidma_channels)
echo "  dmaengine channels: $(echo "$chans" | tr '\n' ' ')"
[ -n "$chans" ] || exit 1
modprobe dmatest

if [ "$HIDMA_LAYOUT" != guest ]; then
	mgmt=$(hidma_mgmt_dir) || exit 1
	step "Management parameters ($mgmt)"
	for f in hw_version_major hw_version_minor dma_channels max_read_request \
		max_write_request max_rd_xactions max_wr_xactions chreset_timeout_cycles; do
		printf '  %-24s %s\n' "$f" "$(cat "$mgmt/$f")"
	done
	printf '  %-8s %-9s %s\n' channel priority weight
	for d in "$mgmt"/chanops/chan*; do
		printf '  %-8s %-9s %s\n' "${d##*/}" "$(cat "$d/priority")" "$(cat "$d/weight")"
	done

	first=${chans%%[[:space:]]*}
	idx=$(cat "/sys/class/dma/$first/device/chid" 2>/dev/null || echo 0)
	step "Tuning through sysfs: max_write_request 1024 -> 256, chan1 weight -> 3"
	echo "  model counters of channel $idx before: $(counters "$idx")"
	dmatest_run memcpy 10 1 "$first" > /dev/null
	echo "  after 10 copies of 16 KiB at 1024-byte bursts: $(counters "$idx")"
	echo 256 > "$mgmt/max_write_request"
	echo 3 > "$mgmt/chanops/chan1/weight"
	echo "  sysfs now: max_write_request=$(cat "$mgmt/max_write_request")" \
		"chan1/weight=$(cat "$mgmt/chanops/chan1/weight")"
	echo "  model now: max-write-burst-bytes=$(qom_get x-reg-max-write-burst-bytes)" \
		"ch1-weight=$(qom_get x-ch1-weight)"
	dmatest_run memcpy 10 1 "$first" > /dev/null
	echo "  after 10 more copies at 256-byte bursts:  $(counters "$idx")"
fi

step "dmatest memcpy on every channel (1 thread, $COPIES copies of up to 16 KiB)"
for c in $chans; do
	dmatest_row "$c" "$COPIES" 16384
done
exit $status
