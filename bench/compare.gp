# Draws bench/compare.py's chart, one panel per measure:
#   gnuplot -e "datafile='D'; outfile='O'; fmt='png'; charttitle='T'" compare.gp
# Bars are medians over rounds, whiskers min to max.
# Row 0 of the data is the run with no tracer, which only the
# connection-rate panel shows.

if (fmt eq 'svg') {
	set terminal svg size 1500,1000 dynamic font 'sans,11'
} else {
	set terminal pngcairo size 1500,1000 font 'sans,10'
}
set output outfile
set datafile missing '?'
set style fill solid 0.8 border -1
set grid ytics
set key off
set xtics scale 0 noenhanced
set yrange [0:*]
set offsets 0.5, 0.5, 0, 0
# Room for two-line tool names under the bars.
set bmargin 4
set linetype 1 lc rgb '#888888'
set linetype 2 lc rgb '#d95f02'
set linetype 3 lc rgb '#7570b3'
set linetype 4 lc rgb '#66c2a5'
set linetype 5 lc rgb '#1b9e77'
set linetype 6 lc rgb '#e7298a'

set multiplot layout 2,3 title charttitle noenhanced

set title 'startup to header, ms (log scale)'
set logscale y
set yrange [*:*]
plot datafile every ::1 using 0:2:(0.6):($0+2):xtic(1) with boxes lc variable, \
	datafile every ::1 using 0:2:3:4 with yerrorbars lc rgb 'black' pt 7 ps 0.4
unset logscale y
set yrange [0:*]

set title 'RSS, MiB: peak (solid), idle after attach (light)'
plot datafile every ::1 using 0:(NaN):xtic(1) with points, \
	datafile every ::1 using ($0-0.17):5:(0.32):($0+2) with boxes lc variable, \
	datafile every ::1 using ($0-0.17):5:6:7 with yerrorbars lc rgb 'black' pt 7 ps 0.4, \
	datafile every ::1 using ($0+0.17):8:(0.32):($0+2) with boxes lc variable fs transparent solid 0.35, \
	datafile every ::1 using ($0+0.17):8:9:10 with yerrorbars lc rgb 'black' pt 7 ps 0.4

set title 'tool CPU per 1,000 rows, ms'
plot datafile every ::1 using 0:11:(0.6):($0+2):xtic(1) with boxes lc variable, \
	datafile every ::1 using 0:11:12:13 with yerrorbars lc rgb 'black' pt 7 ps 0.4

set title 'BPF program cost per event, ns'
plot datafile every ::1 using 0:14:(0.6):($0+2):xtic(1) with boxes lc variable, \
	datafile every ::1 using 0:14:15:16 with yerrorbars lc rgb 'black' pt 7 ps 0.4

set title 'workload connections/s'
plot datafile using 0:17:(0.6):($0+1):xtic(1) with boxes lc variable, \
	datafile using 0:17:18:19 with yerrorbars lc rgb 'black' pt 7 ps 0.4

set title 'rows vs ground truth, %: right (green), a field wrong (red), missed (grey)'
set yrange [0:105]
plot datafile every ::1 using 0:($20+$21+$22):(0.6):xtic(1) with boxes lc rgb '#bbbbbb', \
	datafile every ::1 using 0:($20+$21):(0.6) with boxes lc rgb '#e41a1c', \
	datafile every ::1 using 0:20:(0.6) with boxes lc rgb '#4daf4a'

unset multiplot
