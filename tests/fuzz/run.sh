#!/bin/sh
# tests/fuzz/run.sh — `make fuzz`: builds the libFuzzer harnesses with
# clang -fsanitize=fuzzer,address,undefined and runs each for
# $FUZZ_SECONDS (default 60) on a seed corpus made from the shipped
# scenarios, the test fixtures and the saved regressions.
#
# Exit status: 0 when every harness ran its time without a crash, leak,
# timeout or sanitizer report; 1 otherwise (the input that failed is in
# build-fuzz/artifacts/: copy it to tests/fuzz/regressions/ as
# scenario-NAME.cfg or trace-NAME.csv and fix the bug).  Run from the
# repository root.
set -u
SECONDS_EACH=${FUZZ_SECONDS:-60}
B=${FUZZ_BUILD:-build-fuzz}
CC_FUZZ=${FUZZ_CC:-clang}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# Warnings are shown but not fatal here: -Werror is make test's job (gcc),
# and a clang-only warning must not stop the fuzzing.
CFLAGS_FUZZ="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g $SAN \
 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -pthread"
LIBS="$(pkg-config --libs gsl libconfig) -lm -pthread"

command -v "$CC_FUZZ" >/dev/null || { echo "fuzz: $CC_FUZZ not found (apt-get install clang libclang-rt-14-dev)"; exit 1; }
mkdir -p "$B/obj" "$B/artifacts" "$B/seeds/scenario" "$B/seeds/trace" \
         "$B/corpus/scenario" "$B/corpus/trace"

# The library part the harnesses reach: kernel, model data, loader.
echo "fuzz: building with $CC_FUZZ"
ls sim/*.c models/*.c scenarios/*.c | sed 's/\.c$//' | xargs -P 2 -I{} sh -c \
  "mkdir -p \"$B/obj/\$(dirname {})\" && $CC_FUZZ $CFLAGS_FUZZ -fsanitize=fuzzer-no-link \
   -c {}.c -o $B/obj/{}.o" || exit 1
OBJS=$(ls sim/*.c models/*.c scenarios/*.c | sed "s|^|$B/obj/|; s|\.c$|.o|")
for h in scenario trace; do
  $CC_FUZZ $CFLAGS_FUZZ -fsanitize=fuzzer -o "$B/fuzz_$h" tests/fuzz/fuzz_$h.c \
    $OBJS $LIBS || exit 1
done

# Seed corpora: every scenario and trace the repository holds.
cp scenarios/*.cfg tests/fixtures/good/*.cfg tests/fixtures/bad/*.cfg "$B/seeds/scenario/"
[ -d tests/bad ] && cp tests/bad/*.cfg "$B/seeds/scenario/" 2>/dev/null
cp tests/fixtures/good/*.csv tests/fixtures/traces/*.csv tests/fixtures/bad/*.csv \
   "$B/seeds/trace/"
[ -d tests/bad ] && cp tests/bad/*.csv "$B/seeds/trace/" 2>/dev/null
# --set overrides ride along as "#set KEY=VALUE" lines (entry.h).
awk -F'\t' '$4 ~ /--set/ { sub(/^--set /, "", $4); print $1 "\t" $4 }' tests/bad/EXPECT |
while IFS="$(printf '\t')" read -r f set; do
  { echo "#set $set"; cat "tests/bad/$f"; } > "$B/seeds/scenario/set-$f"
done
for f in scenarios/*.cfg; do
  { echo "#set horizon_days=400.5"; echo "#set replications=3"; echo "#set max_waiting=5000";
    cat "$f"; } > "$B/seeds/scenario/set-$(basename "$f")"
done
for f in tests/fuzz/regressions/scenario-*; do [ -f "$f" ] && cp "$f" "$B/seeds/scenario/"; done
for f in tests/fuzz/regressions/trace-*; do [ -f "$f" ] && cp "$f" "$B/seeds/trace/"; done

# libconfig 1.5's leaks on syntax errors are suppressed by the loader
# itself (__lsan_default_suppressions in scenarios/load.c).
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Leaks are looked for twice: LeakSanitizer at the end of the timed run
# (over every input it ran), and input by input over the final corpus
# (names the input).  Per-input checks during the timed run would cost
# 95 % of the speed, because libconfig's leak on syntax errors makes
# LeakSanitizer scan the heap after nearly every mutated input.
fails=0
for h in scenario trace; do
  echo "fuzz: $h for $SECONDS_EACH s"
  log="$B/fuzz_$h.log"
  "$B/fuzz_$h" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -detect_leaks=0 -print_final_stats=1 -dict="tests/fuzz/$h.dict" \
    -artifact_prefix="$B/artifacts/$h-" "$B/corpus/$h" "$B/seeds/$h" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | head -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | head -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "fuzz: $h: exit $rc, ${execs:-?} executions, ${rate:-?} exec/s, $cov"
  if [ $rc -eq 0 ]; then
    "$B/fuzz_$h" -runs=0 -detect_leaks=1 -timeout=10 -max_len=16384 \
      -artifact_prefix="$B/artifacts/$h-" "$B/corpus/$h" >"$log.leaks" 2>&1
    rc=$?
    echo "fuzz: $h: leak check of $(ls "$B/corpus/$h" | wc -l) corpus inputs: exit $rc"
    [ $rc -ne 0 ] && log="$log.leaks"
  fi
  if [ $rc -ne 0 ]; then
    fails=$((fails + 1))
    grep -E 'ERROR|SUMMARY|runtime error|fuzz_(scenario|trace):|Test unit written' "$log" | head -20
    tail -60 "$log"
  fi
done
[ $fails -eq 0 ] && echo "fuzz: every harness clean" || echo "fuzz: $fails harness(es) failed"
[ $fails -eq 0 ]
