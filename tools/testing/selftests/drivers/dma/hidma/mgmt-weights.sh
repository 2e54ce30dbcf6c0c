#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Channel weights arbitrate the bus: with the bus made the bottleneck and
# two channels kept busy at once, weights 3:1 give a 3:1 share of the bytes
# (within 10%), and swapping the weights swaps the shares.
# Host only: the weights reach the hardware the same way on every layout.
# hidma-layouts: host
# hidma-timeout: 400
. "$(dirname "$0")/lib.sh"

P=/sys/module/dmatest/parameters
BUS_RATE=32		# bytes per microsecond: slow enough to be the bottleneck

# model_index CHAN: index in the model of dmaengine channel CHAN, found by
# which channel's byte counter moves for a small memcpy on it
model_index()
{
	local i=0 before after n=$HIDMA_CHANNELS

	while [ $i -lt "$n" ]; do
		eval "b$i=\$(qom_get x-ch$i-bytes)"
		i=$((i + 1))
	done
	echo 4096 > $P/test_buf_size
	echo 1 > $P/norandom
	dmatest_run memcpy 1 1 "$1" > /dev/null || return 1
	i=0
	while [ $i -lt "$n" ]; do
		eval "before=\$b$i"
		after=$(qom_get "x-ch$i-bytes")
		[ "$after" != "$before" ] && { echo $i; return 0; }
		i=$((i + 1))
	done
	return 1
}

# share CHA IA CHB IB: run both channels backlogged (4 threads of 1 MiB
# copies each, no verification: 128 ms of queued work per channel on the
# paced bus, far more than a debug guest needs to refill), sample the
# model's byte counters while both run, and print the bytes of A and B
# moved in the sampling window. Each thread has enough iterations to stay
# busy past the window even with the whole bus (30% margin), and the run
# ends by itself: stopping dmatest with run=0 makes it free buffers that
# a transfer in flight still writes.
share()
{
	local a0 b0 a1 b1

	dmatest_fresh || return 1
	echo 0 > $P/dmatest
	echo $((BUS_RATE * 6 * 13 / 40 + 1)) > $P/iterations
	echo 4 > $P/threads_per_chan
	echo 1048576 > $P/test_buf_size
	echo 1 > $P/norandom
	echo 1 > $P/noverify
	echo 10000 > $P/timeout
	echo "$1" > $P/channel
	echo "$3" > $P/channel
	echo 1 > $P/run
	sleep 2
	a0=$(qom_get "x-ch$2-bytes")
	b0=$(qom_get "x-ch$4-bytes")
	sleep 4
	a1=$(qom_get "x-ch$2-bytes")
	b1=$(qom_get "x-ch$4-bytes")
	dmatest_wait
	echo 0 > $P/noverify
	echo "$((a1 - a0)) $((b1 - b0))"
}

# within_10pct A B: A:B is 3:1 within 10%, i.e. 2.7 <= A/B <= 3.3
within_10pct()
{
	[ "$2" -gt 0 ] && [ $((10 * $1)) -ge $((27 * $2)) ] &&
		[ $((10 * $1)) -le $((33 * $2)) ]
}

ktap_plan 4

hidma_load
dir=$(hidma_mgmt_dir)
# shellcheck disable=SC2046 # one channel per word
set -- $(hidma_channels hidma)
if [ -z "$dir" ] || [ $# -lt 2 ]; then
	ktap_not_ok "management device and two channels present"
	ktap_not_ok "weights 3:1 give bytes 3:1 # no setup"
	ktap_not_ok "weights 1:3 give bytes 1:3 # no setup"
	ktap_not_ok "dmatest clean afterwards, on an unpaced bus # no setup"
	ktap_finish
fi
cha=$1
chb=$2
modprobe dmatest
ia=$(model_index "$cha")
ib=$(model_index "$chb")
if [ -z "$ia" ] || [ -z "$ib" ] || [ "$ia" = "$ib" ]; then
	ktap_not_ok "management device and two channels present"
	ktap_not_ok "weights 3:1 give bytes 3:1 # cannot map channels"
	ktap_not_ok "weights 1:3 give bytes 1:3 # cannot map channels"
	ktap_not_ok "dmatest clean afterwards, on an unpaced bus # cannot map channels"
	ktap_finish
fi
ktap_ok "management device and two channels present ($cha=ch$ia, $chb=ch$ib)"

if ! qom_set x-bus-bytes-per-us $BUS_RATE; then
	ktap_not_ok "weights 3:1 give bytes 3:1 # cannot pace the model's bus"
	ktap_not_ok "weights 1:3 give bytes 1:3 # cannot pace the model's bus"
	ktap_not_ok "dmatest clean afterwards, on an unpaced bus # cannot pace the model's bus"
	ktap_finish
fi
echo 0 > "$dir/chanops/chan$ia/priority"
echo 0 > "$dir/chanops/chan$ib/priority"

echo 3 > "$dir/chanops/chan$ia/weight"
echo 1 > "$dir/chanops/chan$ib/weight"
# shellcheck disable=SC2046 # two numbers
set -- $(share "$cha" "$ia" "$chb" "$ib")
ktap_diag "weights 3:1 -> bytes $1 : $2"
within_10pct "$1" "$2"
ktap_result $? "weights 3:1 give bytes 3:1"

echo 1 > "$dir/chanops/chan$ia/weight"
echo 3 > "$dir/chanops/chan$ib/weight"
# shellcheck disable=SC2046 # two numbers
set -- $(share "$cha" "$ia" "$chb" "$ib")
ktap_diag "weights 1:3 -> bytes $1 : $2"
within_10pct "$2" "$1"
ktap_result $? "weights 1:3 give bytes 1:3"

qom_set x-bus-bytes-per-us 0
rc=$?
echo 1 > "$dir/chanops/chan$ia/weight"
echo 1 > "$dir/chanops/chan$ib/weight"
echo 1024 > $P/test_buf_size
echo 0 > $P/norandom
[ $rc -eq 0 ] && dmatest_run memcpy 20 1 "$cha" "$chb"
ktap_result $? "dmatest clean afterwards, on an unpaced bus"

ktap_finish
