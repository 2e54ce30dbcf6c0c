# SPDX-License-Identifier: GPL-2.0
# make bench: iops against transfer size, one line per driver plus the CPU
# and host memcpy references. Called by bench.sh as
#   gnuplot -e "datafile='plot.dat'; outfile='iops.png'; subtitle='...'" bench-plot.gp
# plot.dat: size  hidma  hdma  cpu-memcpy  host-memcpy  (iops, "NaN" if missing)
if (!exists("datafile")) datafile = 'plot.dat'
if (!exists("outfile")) outfile = 'iops.png'
if (!exists("subtitle")) subtitle = ''

if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 1000,650 enhanced font 'sans,10'
} else {
	set terminal png size 1000,650
}
set output outfile
set title "HIDMA memcpy iops against transfer size (median of the runs, min-max bars)\n{/*0.8 ".subtitle."}"
set logscale xy
set xlabel 'transfer size (bytes)'
set ylabel 'transfers per second'
set xtics ('64' 64, '512' 512, '4K' 4096, '64K' 65536, '1M' 1048576)
set format y '10^{%L}'
set grid xtics ytics mytics
set key outside right top
set datafile missing 'NaN'
set xrange [40:1600000]
plot datafile using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'hidma (ours)', \
     '' using 1:5:6:7 with yerrorlines lw 2 pt 5 title 'hdma (in-kernel 6.12)', \
     '' using 1:8:9:10 with yerrorlines lw 2 dt 2 pt 9 title 'CPU memcpy (guest)', \
     '' using 1:11:12:13 with yerrorlines lw 1 dt 3 pt 1 title 'host memcpy (ceiling)'
