#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Draw what synchmess_bench measured as SVG charts, with gnuplot:
#
#   scripts/bench-plot.sh BENCH_OUTPUT DIR
#
# BENCH_OUTPUT is what scripts/bench.sh printed (it keeps it in
# ~/.cache/synchmess/bench.txt); "scripts/bench.sh --plot DIR" runs this
# after the benchmark. Writes to DIR:
#   ratios.svg      each ratio, SynchMess over the other, against its goal
#   throughput.svg  one-way throughput per mechanism, size and pairing
#   pingpong.svg    ping-pong round trip per mechanism and size
#   delay.svg       lateness of delayed delivery against timerfd: median
#                   and 99th percentile, 1 ms and 100 ms delays
# and the data behind each chart as NAME.dat beside it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: $0 BENCH_OUTPUT DIR"
IN=$1
OUT=$2
[ -s "$IN" ] || die "$IN: no benchmark output"
grep -q '^ratio ' "$IN" || die "$IN: no ratio lines"
need_packages gnuplot-nox
mkdir -p "$OUT"

# The goals the README and the issues set: name, bound, "<=" or ">=".
GOALS='pingpong64_vs_mqueue 1.0 <=
throughput64_vs_mqueue 1.0 >=
sendrecv64_vs_floor 2.0 <=
depth100k_vs_empty 1.1 <=
awake64_vs_futex 1.5 <=
delay_p99_vs_timerfd 1.5 <=
delay100ms_p99_vs_timerfd 1.5 <=
delaymixed100k_vs_empty 1.3 <=
pingpong_during_flush_vs_idle 1.5 <=
uring64_batch_vs_unix_mmsg 1.0 >=
uring64_batch_vs_mqueue 2.0 >=
batch64_vs_unix_mmsg 1.5 >=
batch64_vs_mqueue 2.0 >=
pingpong64_vs_best 1.0 <=
pingpong4k_vs_best 1.0 <=
throughput64_vs_best 1.0 >=
throughput4k_vs_best 1.0 >=
throughput4k_2x2_vs_best 1.0 >='

# ratios.dat: index, name, value, goal (NaN when none), met (1, 0, or 2
# when there is no goal).
awk -v goals="$GOALS" '
	BEGIN {
		n = split(goals, g, "\n")
		for (i = 1; i <= n; i++) {
			split(g[i], f, " ")
			bound[f[1]] = f[2]; dir[f[1]] = f[3]
		}
	}
	/^ratio / {
		name = $2; v = $3
		if (name in bound) {
			met = dir[name] == "<=" ? v <= bound[name] : v >= bound[name]
			printf "%d %s %s %s %d\n", k++, name, v, bound[name], met
		} else {
			printf "%d %s %s NaN 2\n", k++, name, v
		}
	}' "$IN" >"$OUT/ratios.dat"

# table TITLE: the rows of the table whose header line starts with TITLE,
# up to the blank line after it, each row's name quoted for gnuplot.
table() {
	awk -v title="$1" '
		index($0, title) == 1 { on = 1; next }
		on && NF == 0 { exit }
		on {
			# The figures are the numbers at the end of the row.
			for (j = NF; j > 0 && $j ~ /^[0-9.]+$/; j--)
				;
			name = $1
			for (i = 2; i <= j; i++)
				name = name " " $i
			vals = ""
			for (i = j + 1; i <= NF; i++)
				vals = vals " " $i
			printf "\"%s\"%s\n", name, vals
		}' "$IN"
}
table "one-way throughput (msg/s)" >"$OUT/throughput.dat"
table "ping-pong round trip (us)" | head -n 5 >"$OUT/pingpong.dat"
table "delayed delivery lateness (us)" | grep -E '^"(1|100) ms' |
	sed 's/, [0-9]* samples//' >"$OUT/delay.dat" || true
for f in throughput pingpong delay; do
	[ -s "$OUT/$f.dat" ] || die "$IN: no data for $f.svg"
done

gnuplot <<EOF
set terminal svg size 900,600 dynamic noenhanced font "sans,11"
set style data histogram
set style fill solid 0.8 border -1
set grid ytics
set key top left

set output "$OUT/ratios.svg"
set title "SynchMess over the other: each ratio and its goal (x)"
set style histogram clustered gap 1
unset key
set ylabel "ratio"
set yrange [0:*]
set xtics rotate by 45 right font ",9"
set bmargin 12
set boxwidth 0.7
plot "$OUT/ratios.dat" using 1:3:(\$5 == 1 ? 0x4daf4a : \$5 == 0 ? 0xe41a1c : 0x999999):xtic(2) \
	with boxes lc rgb variable title "ratio", \
     "" using 1:4 with points pt 2 ps 2 lw 2 lc rgb "black" title "goal"

set output "$OUT/throughput.svg"
set bmargin
set title "One-way throughput (messages per second, higher is better)"
set key top right
set ylabel "msg/s"
set xtics norotate font ",10"
set style histogram clustered gap 1
plot "$OUT/throughput.dat" using 2:xtic(1) title "64 B 1:1", \
     "" using 3 title "64 B 2:2", "" using 4 title "4 KiB 1:1", \
     "" using 5 title "4 KiB 2:2"

set output "$OUT/pingpong.svg"
set title "Ping-pong round trip between two processes (us, lower is better)"
set ylabel "us"
plot "$OUT/pingpong.dat" using 2:xtic(1) title "64 B", "" using 3 title "4 KiB"

set output "$OUT/delay.svg"
set title "Delayed delivery: how late a message comes (us, lower is better)"
set ylabel "us past the deadline"
set logscale y
set yrange [10:*]
plot "$OUT/delay.dat" using 2:xtic(1) title "median", "" using 3 title "99th percentile"
EOF
log "wrote $(cd "$OUT" && echo ./*.svg) to $OUT"
