#!/bin/sh
# batch.sh — batch runs (issue 5, docs/batch.md) with the real binary:
# -j 1/2/4 give identical files; a run interrupted by SIGINT / SIGTERM /
# kill -9 and resumed (also with the files being assembled cut short) gives
# the files of an uninterrupted run; shards 1/3,
# 2/3, 3/3 merged give the files of the unsharded run; several scenarios
# in one run; --timeseries N; and the refusals (existing -o DIR, --resume of another run,
# merge of incomplete shards) exit 2 without touching anything.
# Uses $KIMSIM (default build/kimsim); exits 1 when a check fails.
set -u
K=${KIMSIM:-build/kimsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SCN=scenarios/default.cfg
# replications of the runs that are interrupted: enough that a run is
# still going when the signal comes (the journal shows a few finished,
# the test then signals within tens of milliseconds; 150 was not always
# enough with 4 threads)
RI=400
pass=0; fail=0
# A job a script starts with & has SIGINT ignored (POSIX, no job control),
# and kimsim keeps it so; `env --default-signal` (coreutils 8.31) starts
# it with SIGINT as a terminal's Ctrl-C finds it.
if env --default-signal=INT true 2>/dev/null; then DFL="env --default-signal=INT"
else DFL=""; echo "note: env --default-signal missing; SIGINT checks use SIGTERM"; fi
INT=INT; [ -n "$DFL" ] || INT=TERM

check() {   # check NAME COMMAND...: one line per check
  name=$1; shift
  if "$@"; then pass=$((pass + 1)); echo "ok   $name"
  else fail=$((fail + 1)); echo "FAIL $name"; fi
}

# same A B: B has every CSV file of A (and no other), byte for byte
same() {
  [ "$(cd "$1" && ls ./*.csv)" = "$(cd "$2" && ls ./*.csv)" ] || return 1
  for f in "$1"/*.csv; do cmp "$f" "$2/${f##*/}" || return 1; done
}

# finished DIR: replications in DIR's journal (one record line each)
finished() { cat "$1"/.journal/*.res 2>/dev/null | wc -l; }

# wait_res DIR N: until DIR's journal holds N finished replications (10 s)
wait_res() {
  i=0
  while [ "$(finished "$1")" -lt "$2" ]; do
    i=$((i + 1)); [ $i -gt 500 ] && return 1
    sleep 0.02
  done
}

# interrupted SIG WANT NAME JOBS: a run on JOBS threads stopped by SIG
# exits WANT, says "complete: no", and --resume then gives the
# reference's files (with 4 threads on few cores many replications
# finish out of order: their rows are in the syncer's spill logs, the
# rest in the files being assembled)
interrupted() {
  sig=$1; want=$2; d=$T/$3; jobs=$4
  $DFL "$K" run $SCN -r $RI -j $jobs -o "$d" --quiet 2>"$T/$3.err" &
  pid=$!
  wait_res "$d" 3 || { kill -9 $pid; return 1; }
  kill -s "$sig" $pid
  wait $pid; st=$?
  [ $st -eq "$want" ] || { echo "  exit $st, want $want"; return 1; }
  if [ "$sig" != KILL ]; then
    grep -q '^complete: no$' "$d/manifest.txt" || { echo "  manifest not incomplete"; return 1; }
  fi
  n=$(finished "$d")
  [ "$n" -lt $RI ] || { echo "  nothing was interrupted"; return 1; }
  # the output folder holds the journal (and the manifest) only: files
  # being assembled live in the journal, never half-made beside results,
  # and stay there (their records name them: rows are written once)
  extra=$(ls -A "$d" | grep -v -e '^\.journal$' -e '^manifest\.txt$')
  [ -z "$extra" ] || { echo "  left in $d: $extra"; return 1; }
  if [ "$sig" != KILL ]; then
    left=$(ls -A "$d/.journal" | grep '\.tmp' | grep -v '^\.f0-[a-z]*\.csv\.tmp' || true)
    [ -z "$left" ] || { echo "  temporary files left: $left"; return 1; }
  fi
  if [ "$jobs" -gt 1 ] && ! find "$d/.journal" -name 'r*s*.ts' -size +0c | grep -q .; then
    echo "     (no replication finished out of order this time: spill logs not exercised)"
  fi
  if [ "$jobs" = 1 ] && [ "$sig" != KILL ]; then
    # written once: one thread finishes in order, so every row went
    # straight into the files being assembled, none into a log
    logged=$(find "$d/.journal" -name 'r*.ts' -size +0c -o -name 'r*.rep' -size +0c)
    [ -z "$logged" ] || { echo "  rows written twice: $logged"; return 1; }
    [ -s "$d/.journal/.f0-timeseries.csv.tmp$pid" ] || { echo "  no time series assembled"; return 1; }
  fi
  "$K" run $SCN -r $RI -j 2 -o "$d" --quiet --resume || return 1
  grep -q '^complete: yes$' "$d/manifest.txt" && [ ! -d "$d/.journal" ] && same "$T/refI" "$d"
}

# --- -j gives the same bytes ------------------------------------------
for j in 1 2 4; do
  "$K" run $SCN -r 9 -j $j --trace -o "$T/j$j" --quiet 2>"$T/j$j.err"
done
check "-j 2 = -j 1" same "$T/j1" "$T/j2"
check "-j 4 = -j 1" same "$T/j1" "$T/j4"
check "trace written" test -s "$T/j1/cases.csv"
check "no progress when stderr is no terminal" test ! -s "$T/j1.err"
check "journal removed after a complete run" test ! -e "$T/j1/.journal"
check "manifest fields" sh -c "for k in kimsim_version command started ended threads ranks \
  hash seed replications events complete; do grep -q \"^ *\$k: \" '$T/j4/manifest.txt' || exit 1; done \
  && grep -q '^threads: 4$' '$T/j4/manifest.txt' && grep -q '^complete: yes$' '$T/j4/manifest.txt'"

# --- interrupt and resume ---------------------------------------------
"$K" run $SCN -r $RI -o "$T/refI" --quiet
if [ -n "$DFL" ]; then
  check "SIGINT: exit 130, resume identical, rows written once" interrupted INT 130 int 1
else
  check "SIGTERM: exit 143, resume identical, rows written once" interrupted TERM 143 int 1
fi
check "SIGTERM (4 threads): exit 143, resume identical" interrupted TERM 143 term 4
check "kill -9: resume identical" interrupted KILL 137 kill9 1

# the files being assembled are journal files too: an interrupted run's
# time series cut short (a disk that lost its last writes) makes --resume
# rerun exactly the replications whose rows were lost
cut_part() {
  d=$T/cut
  $DFL "$K" run $SCN -r $RI -j 1 -o "$d" --quiet 2>/dev/null &
  pid=$!
  wait_res "$d" 20 || { kill -9 $pid; return 1; }
  kill -s $INT $pid; wait $pid
  part=$(ls "$d"/.journal/.f0-timeseries.csv.tmp*) || return 1
  size=$(wc -c <"$part")
  truncate -s $((size / 2)) "$part"
  "$K" run $SCN -r $RI -j 2 -o "$d" --quiet --resume || return 1
  same "$T/refI" "$d"
}
check "time series being assembled cut in half: --resume identical" cut_part

# --- signals while the files are written -----------------------------
# KIMSIM_TEST_STALL=publish makes kimsim wait, its files written under
# temporary names, until a signal comes: a test signals it exactly there.
# wait_tmp DIR: until DIR holds the manifest's temporary (10 s)
wait_tmp() {
  i=0
  until ls "$1"/.manifest.txt.tmp* >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 500 ] && return 1
    sleep 0.02
  done
}
# temporaries DIR...: the names of temporary files left in the folders
temporaries() { for d in "$@"; do ls -A "$d" | grep '\.tmp'; done; }

"$K" run $SCN -r 20 --trace -o "$T/refP" --quiet
stopped_publishing() {
  d=$T/pub
  KIMSIM_TEST_STALL=publish "$K" run $SCN -r 20 --trace -o "$d" --quiet 2>/dev/null &
  pid=$!
  wait_tmp "$d" || { kill -9 $pid; return 1; }
  kill -TERM $pid; wait $pid; st=$?
  [ $st -eq 143 ] || { echo "  exit $st, want 143"; return 1; }
  grep -q '^complete: no$' "$d/manifest.txt" || { echo "  manifest not incomplete"; return 1; }
  extra=$(ls -A "$d" | grep -v -e '^\.journal$' -e '^manifest\.txt$')
  [ -z "$extra" ] || { echo "  left in $d: $extra"; return 1; }
  "$K" run $SCN -r 20 --trace -o "$d" --quiet --resume || return 1
  [ -z "$(temporaries "$d")" ] && same "$T/refP" "$d"
}
check "SIGTERM while the files are published: exit 143, complete: no, nothing half-made, \
--resume identical" stopped_publishing

killed_publishing() {
  d=$T/pub9
  KIMSIM_TEST_STALL=publish "$K" run $SCN -r 20 --trace -o "$d" --quiet 2>/dev/null &
  pid=$!
  wait_tmp "$d" || { kill -9 $pid; return 1; }
  kill -9 $pid; wait $pid
  [ -n "$(temporaries "$d")" ] || { echo "  kill -9 left no temporary"; return 1; }
  "$K" run $SCN -r 20 --trace -o "$d" --quiet --resume || return 1
  left=$(temporaries "$d")
  [ -z "$left" ] || { echo "  left: $left"; return 1; }
  same "$T/refP" "$d"
}
check "kill -9 while publishing: --resume removes the killed run's temporaries" killed_publishing

# a job started with SIGINT ignored keeps ignoring it (POSIX): the run
# completes, as it would have without kimsim catching signals
ignored_int() {
  d=$T/ign
  ( trap '' INT; exec "$K" run $SCN -r $RI -j 2 -o "$d" --quiet 2>/dev/null ) &
  pid=$!
  wait_res "$d" 3 || { kill -9 $pid; return 1; }
  kill -INT $pid; wait $pid; st=$?
  [ $st -eq 0 ] || { echo "  exit $st, want 0"; return 1; }
  grep -q '^complete: yes$' "$d/manifest.txt" && same "$T/refI" "$d"
}
check "SIGINT ignored at start stays ignored: the run completes" ignored_int

# --- shards and merge -------------------------------------------------
V="--vary posts.drk-hueckelhoven.fte=1.0,1.5 --trace"
"$K" run $SCN -r 7 $V -o "$T/whole" --quiet
for k in 1 2 3; do "$K" run $SCN -r 7 $V --shard $k/3 -o "$T/s$k" --quiet; done
check "merge of 2 shards of 3 refused" sh -c "'$K' merge '$T/s1' '$T/s3' -o '$T/m12' 2>/dev/null; \
  [ \$? -eq 2 ] && [ ! -e '$T/m12' ]"
check "merge of a shard twice refused" sh -c "'$K' merge '$T/s1' '$T/s2' '$T/s3' '$T/s2' \
  -o '$T/m4' 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$T/m4' ]"
"$K" run $SCN -r 7 --shard 1/3 -o "$T/other" --quiet
check "merge of shards of different runs refused" sh -c "'$K' merge '$T/other' '$T/s2' '$T/s3' \
  -o '$T/mo' 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$T/mo' ]"
# shards differ in K only: --trace and N are compared too
"$K" run $SCN -r 7 ${V% --trace} --shard 2/3 -o "$T/s2nt" --quiet
"$K" run $SCN -r 7 $V --shard 2/2 -o "$T/s2of2" --quiet
check "merge of shards with and without --trace refused" sh -c "'$K' merge '$T/s1' '$T/s2nt' \
  '$T/s3' -o '$T/mt' --quiet 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$T/mt' ] && '$K' merge \
  '$T/s2nt' '$T/s1' '$T/s3' -o '$T/mt' --quiet 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$T/mt' ]"
check "merge of shards of another N refused" sh -c "'$K' merge '$T/s1' '$T/s2of2' '$T/s3' \
  -o '$T/mn' --quiet 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$T/mn' ]"
"$K" merge "$T/s3" "$T/s1" "$T/s2" -o "$T/merged" --quiet
check "shards 1/3 2/3 3/3 merged = unsharded" same "$T/whole" "$T/merged"
check "shards keep their journal" test -f "$T/s1/.journal/ident"
# merge stopped while publishing: nothing of it in OUT but the manifest
# (complete: no); killed there: merge --force removes its temporaries
merge_stopped() {
  d=$T/mstop
  KIMSIM_TEST_STALL=publish "$K" merge "$T/s1" "$T/s2" "$T/s3" -o "$d" --quiet 2>/dev/null &
  pid=$!
  wait_tmp "$d" || { kill -9 $pid; return 1; }
  kill -TERM $pid; wait $pid; st=$?
  [ $st -eq 143 ] || { echo "  exit $st, want 143"; return 1; }
  [ "$(ls -A "$d")" = manifest.txt ] || { echo "  left in $d: $(ls -A "$d")"; return 1; }
  grep -q '^complete: no$' "$d/manifest.txt" || { echo "  manifest not incomplete"; return 1; }
  KIMSIM_TEST_STALL=publish "$K" merge "$T/s1" "$T/s2" "$T/s3" -o "$d" --force --quiet &
  pid=$!
  wait_tmp "$d" || { kill -9 $pid; return 1; }
  kill -9 $pid; wait $pid 2>/dev/null
  [ -n "$(temporaries "$d")" ] || { echo "  kill -9 left no temporary"; return 1; }
  "$K" merge "$T/s1" "$T/s2" "$T/s3" -o "$d" --force --quiet || return 1
  left=$(temporaries "$d")
  [ -z "$left" ] || { echo "  left: $left"; return 1; }
  grep -q '^complete: yes$' "$d/manifest.txt" && same "$T/whole" "$d"
}
check "merge: SIGTERM while publishing exits 143, complete: no; after kill -9 merge --force \
removes the temporaries" merge_stopped

cp -r "$T/s1" "$T/s1x"
rm "$T/s1x/.journal/r0t0g0.ts"
check "journal with a lost log: --resume reruns its replications" sh -c "'$K' run $SCN -r 7 $V \
  --shard 1/3 -o '$T/s1x' --resume --quiet && for f in '$T/s1'/*.csv; do cmp \"\$f\" \
  '$T/s1x'/\"\${f##*/}\" || exit 1; done"

# --- a changed arrivals_file is another input -------------------------
# the hash covers the arrivals replayed, not the file's name: --resume and
# merge refuse a folder run against other rows of the same file
mkdir "$T/af"
cp tests/fixtures/good/full.cfg tests/fixtures/good/arrivals.csv tests/fixtures/good/erkelenz.csv "$T/af"
"$K" run "$T/af/full.cfg" -r 6 --shard 1/2 -o "$T/af1" --quiet
"$K" run "$T/af/full.cfg" -r 6 -o "$T/afwhole" --quiet
cp "$T/af/arrivals.csv" "$T/af/arrivals.orig"
echo "20.5,Erkelenz," >>"$T/af/arrivals.csv"
"$K" run "$T/af/full.cfg" -r 6 --shard 2/2 -o "$T/af2" --quiet
before=$(cd "$T/af1" && ls -lA --time-style=full-iso . .journal | cksum)
check "--resume after the arrivals_file changed: exit 2, untouched" sh -c "'$K' run '$T/af/full.cfg' \
  -r 6 --shard 1/2 -o '$T/af1' --resume --quiet 2>/dev/null; [ \$? -eq 2 ] && \
  [ \"\$(cd '$T/af1' && ls -lA --time-style=full-iso . .journal | cksum)\" = '$before' ]"
check "merge of shards run against different arrivals refused" sh -c "'$K' merge '$T/af1' '$T/af2' \
  -o '$T/afm' --quiet 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$T/afm' ]"
cp "$T/af/arrivals.orig" "$T/af/arrivals.csv"
"$K" run "$T/af/full.cfg" -r 6 --shard 2/2 -o "$T/af2" --force --quiet
check "shards of the same arrivals merged = unsharded" sh -c "'$K' merge '$T/af1' '$T/af2' \
  -o '$T/afm' --quiet && for f in '$T/afwhole'/*.csv; do cmp \"\$f\" '$T/afm'/\"\${f##*/}\" \
  || exit 1; done"

# --- --timeseries N: the time series of the first N replications -------
"$K" run $SCN -r 7 $V --timeseries 2 -j 2 -o "$T/ts2" --quiet
check "--timeseries 2: other files as without it" sh -c "for f in summary replications verdict \
  cases comparison; do cmp '$T/whole/'\$f.csv '$T/ts2/'\$f.csv || exit 1; done"
check "--timeseries 2: the rows of replications 1 and 2, in order" sh -c "awk -F, 'NR == 1 || \
  \$3 <= 2' '$T/whole/timeseries.csv' | cmp - '$T/ts2/timeseries.csv'"
"$K" run $SCN -r 3 --timeseries 0 -o "$T/ts0" --quiet
check "--timeseries 0: no timeseries.csv" test ! -e "$T/ts0/timeseries.csv" -a -f "$T/ts0/summary.csv"
for k in 1 2 3; do "$K" run $SCN -r 7 $V --timeseries 2 --shard $k/3 -o "$T/t$k" --quiet; done
"$K" merge "$T/t2" "$T/t3" "$T/t1" -o "$T/tmerged" --quiet
check "--timeseries 2 shards merged = unsharded" same "$T/ts2" "$T/tmerged"
check "--timeseries and whole shards not merged" sh -c "'$K' merge '$T/t1' '$T/s2' '$T/s3' \
  -o '$T/tmix' 2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$T/tmix' ]"

# --- several scenarios in one run -------------------------------------
"$K" run $SCN scenarios/mmc.cfg -r 2 -o "$T/two" --quiet
check "one folder per scenario" test -f "$T/two/default-heinsberg/summary.csv" -a \
  -f "$T/two/mmc/summary.csv" -a -f "$T/two/summary.csv" -a -f "$T/two/verdict.csv"
check "combined summary has both scenarios" sh -c "cut -d, -f1 '$T/two/summary.csv' | sort -u | \
  tr '\n' ' ' | grep -q 'default-heinsberg mmc scenario'"
# --force starts over: a run of another layout leaves none of the
# previous run's files (but a file of the user's stays, with its folder)
force_layouts() {
  d=$T/fz
  "$K" run $SCN -r 2 --trace --vary seed=1,2 -o "$d" --quiet || return 1
  "$K" run scenarios/mmc.cfg scenarios/unna.cfg -r 2 -o "$d" --force --quiet || return 1
  [ "$(ls "$d" | tr '\n' ' ')" = "manifest.txt mmc summary.csv unna verdict.csv " ] \
    || { echo "  several files: $(ls "$d" | tr '\n' ' ')"; return 1; }
  echo note >"$T/fz/unna/notes.txt"
  "$K" run $SCN -r 2 -o "$d" --force --quiet || return 1
  "$K" run $SCN -r 2 -o "$T/fz1" --quiet
  [ "$(ls "$d" | tr '\n' ' ')" = "manifest.txt replications.csv summary.csv timeseries.csv unna \
verdict.csv " ] || { echo "  one file: $(ls "$d" | tr '\n' ' ')"; return 1; }
  [ "$(ls -A "$d/unna")" = notes.txt ] && same "$T/fz1" "$d"
}
check "--force over another layout: the previous run's files and folders go" force_layouts
check "duplicate scenario names refused" sh -c "'$K' run $SCN $SCN -r 2 -o '$T/dup' --quiet \
  2>/dev/null; [ \$? -eq 2 ] && [ ! -e '$T/dup' ]"

# --- refusals leave the folder untouched ------------------------------
snapshot() { (cd "$1" && ls -lA --time-style=full-iso . .journal 2>/dev/null; cat ./*.csv) | cksum; }
before=$(snapshot "$T/s1")
check "existing -o DIR without --force: exit 2" sh -c "'$K' run $SCN -r 7 -o '$T/s1' --quiet \
  2>/dev/null; [ \$? -eq 2 ]"
check "--resume of another scenario's folder: exit 2" sh -c "'$K' run scenarios/mmc.cfg -r 7 \
  --shard 1/3 -o '$T/s1' --resume --quiet 2>/dev/null; [ \$? -eq 2 ]"
check "--resume with other replications: exit 2" sh -c "'$K' run $SCN -r 8 $V --shard 1/3 \
  -o '$T/s1' --resume --quiet 2>/dev/null; [ \$? -eq 2 ]"
check "refused folders untouched" test "$before" = "$(snapshot "$T/s1")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
