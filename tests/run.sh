#!/bin/sh
# Runs every test binary given (under $VALGRIND when set), then the
# command-line tests in tests/cli/*.sh (which use $KIMSIM).  Prints one
# line per suite and a closing "N passed, N failed" line; exits 1 on any
# failure.
pass=0; fail=0; failed=""
for t in "$@"; do
  if $VALGRIND "$t" >"$t.log" 2>&1; then
    pass=$((pass + 1)); echo "ok   $t"
  else
    fail=$((fail + 1)); failed="$failed $t"; echo "FAIL $t"; tail -40 "$t.log"
  fi
done
if [ -z "$VALGRIND" ]; then
  for s in tests/cli/*.sh; do
    [ -f "$s" ] || continue
    log="${BUILD:-build}/tests/$(basename "$s").log"
    mkdir -p "$(dirname "$log")"
    if KIMSIM="$KIMSIM" sh "$s" >"$log" 2>&1; then
      pass=$((pass + 1)); echo "ok   $s"
    else
      fail=$((fail + 1)); failed="$failed $s"; echo "FAIL $s"; tail -40 "$log"
    fi
  done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
