#!/bin/sh
# make bench — speed and memory of the whole kimsim process.
# Prints wall time, events, events/s and peak RSS for each benchmark, the
# median of $BENCH_RUNS runs (default 5), then each target with "ok" or
# "MISSED" beside it, and under the instruction targets where the
# instructions go: the random draws (GSL and libm) against the rest, and
# the ceiling the draws set on the batch target at this machine's speed.
# Figures, not pass/fail: the exit status is 0.
#   BENCH_MPI: the MPI build for the mpirun benchmark (default
#   build-mpi/kimsim, skipped when it is not there; make MPI=1 builds it).
set -eu
BIN=${1:-build/kimsim}
RUNS=${BENCH_RUNS:-5}
MPIBIN=${BENCH_MPI:-build-mpi/kimsim}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

var() { echo "$1" | tr -c 'a-zA-Z0-9\n' '_'; }

# seconds since T0 (date +%s%N), to the millisecond (time(1) gives 10 ms)
elapsed() { awk "BEGIN{printf \"%.3f\", ($(date +%s%N) - $1) / 1e9}"; }
# median of the numbers given
median() { printf '%s\n' "$@" | sort -g | awk '{x[NR] = $1} END {print (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2}'; }

# bench_one NAME ARGS... : one whole-process run of `kimsim run ARGS`,
# its figures added to NAME's lists; bench_report NAME then prints their
# medians and sets TIME_<name>, RUN_<name> and REP_<name> (the run's own
# wall_seconds and replication_seconds from the manifest), CPU_<name> and
# JCPU_<name> (replication and syncer CPU seconds), EPS_<name> and
# RSS_<name> (the largest).  Runs of several benchmarks interleaved meet
# the same load on a shared machine, so their ratios are fair.
# $LAUNCH (e.g. mpirun -np 2) and $RUNBIN select how and what runs.
add() { eval "$1_$2=\"\${$1_$2:-} $3\""; }      # add LIST NAME VALUE
get() { eval "echo \${$1_$2:-}"; }
bench_one() {
  name=$1; shift
  n=$(var "$name")
  # a new folder each time, as a quarterly run writes (replacing the
  # last run's files would time the file system freeing them)
  rm -rf "$OUT/$name"
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$OUT/time" ${LAUNCH:-} "${RUNBIN:-$BIN}" run "$@" \
    -o "$OUT/$name" --quiet >/dev/null
  t=$(elapsed "$t0")
  read -r m <"$OUT/time"
  mf="$OUT/$name/manifest.txt"
  add TS "$n" "$t"
  add RSSL "$n" "$m"
  add OWN "$n" "$(sed -n 's/^wall_seconds: //p' "$mf")"
  add REPS "$n" "$(sed -n 's/^replication_seconds: //p' "$mf")"
  add CPUS "$n" "$(sed -n 's/^replication_cpu_seconds: //p' "$mf")"
  add JCPUS "$n" "$(sed -n 's/^journal_cpu_seconds: //p' "$mf")"
}
bench_report() {
  name=$1
  n=$(var "$name")
  # shellcheck disable=SC2046
  best=$(median $(get TS "$n")); own=$(median $(get OWN "$n")); rep=$(median $(get REPS "$n"))
  # shellcheck disable=SC2046
  cpu=$(median $(get CPUS "$n")); jcpu=$(median $(get JCPUS "$n"))
  rss=$(printf '%s\n' $(get RSSL "$n") | sort -n | tail -1)
  ev=$(sed -n 's/^events: //p' "$OUT/$name/manifest.txt")
  eps=$(awk "BEGIN{printf \"%.1f\", $ev / ($best > 0 ? $best : 0.001) / 1e6}")
  printf '%-28s %8.3f s %12s events %8s M events/s  peak RSS %6.1f MiB\n' \
    "$name" "$best" "$ev" "$eps" "$(awk "BEGIN{print $rss / 1024}")"
  eval "TIME_$n=$best; RUN_$n=$own; REP_$n=$rep; RSS_$n=$rss; EPS_$n=$eps; CPU_$n=$cpu; JCPU_$n=$jcpu"
}
# bench NAME ARGS... : $RUNS runs and their report.
bench() {
  for i in $(seq "$RUNS"); do bench_one "$@"; done
  bench_report "$1"
}

# target TEXT OK?: one line with ok or MISSED
target() { printf 'target: %s  %s\n' "$1" "$( [ "$2" = 1 ] && echo ok || echo MISSED)"; }
ge() { awk "BEGIN{exit !($1 >= $2)}" && echo 1 || echo 0; }
ratio() { awk "BEGIN{printf \"%.2f\", $1 / ($2 > 0 ? $2 : 0.001)}"; }

# The machine's own parallel capacity: two busy loops at once against one
# (2.00 on two idle cores; less when something else runs meanwhile).
capacity() {
  /usr/bin/time -f "%e" -o "$OUT/t1" sh -c 'awk "BEGIN { for (i = 0; i < 3e7; i++) x += i }"'
  /usr/bin/time -f "%e" -o "$OUT/t2" sh -c 'awk "BEGIN { for (i = 0; i < 3e7; i++) x += i }" &
    awk "BEGIN { for (i = 0; i < 3e7; i++) x += i }"; wait'
  awk "BEGIN{printf \"%.2f\", 2 * $(cat "$OUT/t1") / $(cat "$OUT/t2")}"
}

echo "kimsim bench ($(nproc) cores, median of $RUNS runs, whole process)"
# the hand-written loop of bench/baseline_mmc.c, each run right after the
# same work by kimsim (the machine's load changes over minutes)
cc -O2 -o "$OUT/baseline" bench/baseline_mmc.c $(pkg-config --libs gsl) -lm
bts=""
for i in $(seq "$RUNS"); do
  bench_one mmc-1m bench/mmc-1m.cfg -j 1
  t0=$(date +%s%N)
  "$OUT/baseline" >/dev/null
  bts="$bts $(elapsed "$t0")"
done
bench_report mmc-1m
# shellcheck disable=SC2086
bbest=$(median $bts)
bev=$("$OUT/baseline" | sed -n 's/.*arrivals, \([0-9]*\) events.*/\1/p')
beps=$(awk "BEGIN{printf \"%.1f\", $bev / $bbest / 1e6}")
printf '%-28s %8.3f s %12s events %8s M events/s\n' "baseline_mmc (hand-written)" "$bbest" "$bev" "$beps"
bench mmc-10m bench/mmc-10m.cfg -j 1
cap0=$(capacity)
# -j 1 and -j 2 interleaved: both meet the same load
for i in $(seq "$RUNS"); do
  bench_one default-200-j1 scenarios/default.cfg -r 200 -j 1
  bench_one default-200-j2 scenarios/default.cfg -r 200 -j 2
done
bench_report default-200-j1
bench_report default-200-j2
cap1=$(capacity)
mpi=""
if [ -x "$MPIBIN" ] && command -v mpirun >/dev/null 2>&1; then
  # mpirun refuses root unless told; --oversubscribe: 2 ranks on any machine
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  LAUNCH="mpirun --oversubscribe -np 2"; RUNBIN=$MPIBIN
  bench default-200-mpi2 scenarios/default.cfg -r 200 -j 1
  LAUNCH=""; RUNBIN=""
  mpi=1
fi
echo
target ">= 10 M events/s at 1M arrivals: $EPS_mmc_1m M events/s" "$(ge "$EPS_mmc_1m" 10)"
# Issue 8 set its events/s targets where the hand-written loop ran 23 M
# events/s (0.085 s); the same target on this host, at its speed now:
here() { awk "BEGIN{printf \"%.1f\", $1 * $beps / 23}"; }
echo "   host: the hand-written loop runs $beps M events/s here against 23 in issue 8;" \
  "at this speed 10 M events/s is $(here 10) M"
target "peak RSS at 10M <= at 1M (+1 MiB slack): $RSS_mmc_10m KiB vs $RSS_mmc_1m KiB" \
  "$( [ "$RSS_mmc_10m" -le $((RSS_mmc_1m + 1024)) ] && echo 1 || echo 0)"
echo "machine: 2 busy loops ran at ${cap0}x, then ${cap1}x the speed of one" \
  "(2.00 = two idle cores; less: other work shared them)"
s=$(ratio "$TIME_default_200_j1" "$TIME_default_200_j2")
target "200 replications of default.cfg, -j 1 $TIME_default_200_j1 s, -j 2 $TIME_default_200_j2 s: speed-up $s >= 1.8" \
  "$(ge "$s" 1.8)"
# the same split: replications (parallel) and the rest (loading, writing
# and fsync'ing the CSV files, one thread)
printf '   of which replications: -j 1 %s s, -j 2 %s s: speed-up %s\n' "$REP_default_200_j1" \
  "$REP_default_200_j2" "$(ratio "$REP_default_200_j1" "$REP_default_200_j2")"
# where the CPU goes (manifest): the replication threads, and the
# journal's syncer (writing the rows into the files, fsync), which with
# -j 1 runs on the otherwise idle second core.  With -j 2 both must share
# two cores, so the replications cannot finish sooner than (R2 + J2) / 2.
bound=$(awk "BEGIN{printf \"%.3f\", ($CPU_default_200_j2 + $JCPU_default_200_j2) / 2}")
printf '   CPU: -j 1 replication threads %s s + syncer %s s; -j 2 %s s + %s s\n' \
  "$CPU_default_200_j1" "$JCPU_default_200_j1" "$CPU_default_200_j2" "$JCPU_default_200_j2"
printf '   so -j 2 needs at least (%s + %s) / 2 = %s s: speed-up at most %s on this machine now\n' \
  "$CPU_default_200_j2" "$JCPU_default_200_j2" "$bound" "$(ratio "$REP_default_200_j1" "$bound")"
if [ -n "$mpi" ]; then
  # mpirun itself takes a few tenths of a second to start and stop the
  # ranks: the speed-up compares the runs' own wall time (manifest).
  s=$(ratio "$RUN_default_200_j1" "$RUN_default_200_mpi2")
  target "200 replications, mpirun -np 2: $TIME_default_200_mpi2 s with mpirun, run $RUN_default_200_mpi2 s vs -j 1 $RUN_default_200_j1 s: speed-up $s >= 1.8" \
    "$(ge "$s" 1.8)"
else
  echo "mpirun -np 2: skipped ($MPIBIN not built: make MPI=1)"
fi
# --- the state-wide scale and instruction counts (valgrind) ---
sh bench/gen_statewide.sh >"$OUT/statewide.cfg"
# interleaved with M/M/c runs, for a wall-time ratio at the same load
for i in $(seq "$RUNS"); do
  bench_one statewide "$OUT/statewide.cfg" -j 1
  bench_one mmc-1m-again bench/mmc-1m.cfg -j 1
done
bench_report statewide
bench_report mmc-1m-again >/dev/null
# instructions (callgrind: repeatable on a shared machine), whole process
ir() { valgrind --tool=callgrind --callgrind-out-file="$OUT/cg" "$BIN" run "$@" \
         -o "$OUT/cg-run" --force --quiet >/dev/null 2>&1
       sed -n 's/^summary: //p' "$OUT/cg"; }
ev() { sed -n 's/^events: //p' "$OUT/cg-run/manifest.txt"; }
# the last callgrind run's instructions in GSL and libm: the random draws,
# which DESIGN.md section 5 fixes (generator, seeds, GSL's distributions)
# (the objects' counts add up to callgrind's total, or the split is wrong)
rng() { awk -f bench/cg_objects.awk "$OUT/cg" >"$OUT/cg-objects"
        all=$(awk '{ s += $1 } END { printf "%.0f", s }' "$OUT/cg-objects")
        [ "$all" = "$(sed -n 's/^summary: //p' "$OUT/cg")" ] ||
          echo "bench: cg_objects.awk: the objects add up to $all, not callgrind's total" >&2
        awk '$2 ~ /\/libgsl\.so|\/libm\.so/ { s += $1 } END { printf "%.0f", s }' "$OUT/cg-objects"; }
per() { awk "BEGIN{printf \"%.0f\", $1 / $2}"; }
IR_MMC=$(ir bench/mmc-1m.cfg -j 1); EV_MMC=$(ev); RNG_MMC=$(rng)
IR_SW=$(ir "$OUT/statewide.cfg" -j 1); EV_SW=$(ev); RNG_SW=$(rng)
IR_DEF=$(ir scenarios/default.cfg -r 100 -j 1); EV_DEF=$(ev); RNG_DEF=$(rng)
# the hand-written loop: 1,000,000 customers, two events each
valgrind --tool=callgrind --callgrind-out-file="$OUT/cg" "$OUT/baseline" >/dev/null 2>&1
IR_BASE=$(sed -n 's/^summary: //p' "$OUT/cg"); RNG_BASE=$(rng)
PER_CUST=$(awk "BEGIN{printf \"%.0f\", $IR_MMC / 1e6}")
PER_EV_MMC=$(awk "BEGIN{printf \"%.0f\", $IR_MMC / $EV_MMC}")
PER_EV_SW=$(awk "BEGIN{printf \"%.0f\", $IR_SW / $EV_SW}")
echo
target "whole process within 1.5x the hand-written loop: $TIME_mmc_1m s vs $bbest s = $(ratio "$TIME_mmc_1m" "$bbest")x" \
  "$(ge 1.5 "$(ratio "$TIME_mmc_1m" "$bbest")")"
target "<= 750 instructions per customer (callgrind, M/M/c 1M): $PER_CUST" "$(ge 750 "$PER_CUST")"
echo "   per customer, GSL and libm (the draws): $(per "$RNG_MMC" 1e6), the rest: $(per $((IR_MMC - RNG_MMC)) 1e6);" \
  "the hand-written loop: $(per "$IR_BASE" 1e6) in all, $(per "$RNG_BASE" 1e6) and $(per $((IR_BASE - RNG_BASE)) 1e6)"
target "state-wide per-event cost within 2x of M/M/c (instructions): $PER_EV_SW vs $PER_EV_MMC = $(ratio "$PER_EV_SW" "$PER_EV_MMC")x" \
  "$(ge 2 "$(ratio "$PER_EV_SW" "$PER_EV_MMC")")"
echo "   per event, GSL and libm: state-wide $(per "$RNG_SW" "$EV_SW") (lognormal durations), M/M/c $(per "$RNG_MMC" "$EV_MMC");" \
  "the rest: $(per $((IR_SW - RNG_SW)) "$EV_SW") vs $(per $((IR_MMC - RNG_MMC)) "$EV_MMC")" \
  "= $(ratio "$(per $((IR_SW - RNG_SW)) "$EV_SW")" "$(per $((IR_MMC - RNG_MMC)) "$EV_MMC")")x"
# in wall time the state-wide run costs more: its data (1,400 groups'
# histograms, 800 generators' states, the calendar) do not fit the caches
NS_SW=$(awk "BEGIN{printf \"%.0f\", $TIME_statewide * 1e9 / $EV_SW}")
NS_MMC=$(awk "BEGIN{printf \"%.0f\", $TIME_mmc_1m_again * 1e9 / $EV_MMC}")
echo "   in wall time: $NS_SW ns vs $NS_MMC ns per event = $(ratio "$NS_SW" "$NS_MMC")x (caches: docs/performance.md)"
target "peak RSS at 10M < 32 MiB: $RSS_mmc_10m KiB" "$( [ "$RSS_mmc_10m" -lt 32768 ] && echo 1 || echo 0)"
bench default-1000-j2 scenarios/default.cfg -r 1000 -j 2
target "1000 replications of default.cfg with -j 2 at >= 15 M events/s: $EPS_default_1000_j2 M events/s" \
  "$(ge "$EPS_default_1000_j2" 15)"
echo "   host: at the hand-written loop's speed here ($beps against 23 M events/s)," \
  "15 M events/s is $(here 15) M"
# A ceiling for this machine: default.cfg's draws (GSL and libm) plus no
# more of the program's own work per event than the hand-written loop
# does, at the loop's instructions per second on each of the two cores.
RNG_EV=$(per "$RNG_DEF" "$EV_DEF"); BOWN_EV=$(per $((IR_BASE - RNG_BASE)) "$bev")
RATE=$(awk "BEGIN{printf \"%.2f\", $IR_BASE / $bbest / 1e9}")
echo "   ceiling: default.cfg's draws take $RNG_EV instructions per event in GSL and libm" \
  "(callgrind, -r 100: $(per "$IR_DEF" "$EV_DEF") in all), the hand-written loop's own work $BOWN_EV;" \
  "at the loop's $RATE G instructions/s per core, two cores run at most" \
  "$(awk "BEGIN{printf \"%.1f\", 2 * $RATE * 1e3 / ($RNG_EV + $BOWN_EV)}") M events/s of that alone"
