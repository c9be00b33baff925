#!/bin/sh
# Command-line tests of `kimsim run` and `kimsim check`: reproducibility,
# the output folder rules, bad input, and every shipped scenario.
set -u
K=${KIMSIM:-build/kimsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok()   { echo "ok   $1"; }
bad()  { echo "FAIL $1"; fails=$((fails + 1)); }
csvs="summary.csv replications.csv verdict.csv timeseries.csv"

# Same scenario and seed: byte-identical CSV; another seed: different.
$K run scenarios/default.cfg -r 4 -o "$T/a" --quiet
$K run scenarios/default.cfg -r 4 -o "$T/b" --quiet -j 1
same=1
for f in $csvs; do cmp -s "$T/a/$f" "$T/b/$f" || same=0; done
[ $same = 1 ] && ok "same seed, same bytes (-j 2 vs -j 1)" || bad "same seed, same bytes"
$K run scenarios/default.cfg -r 4 -o "$T/c" --quiet -s 99
# timeseries.csv: every row has the header's nine fields, and at every
# instant of every replication the district is the sum of its parts
# (waiting of the municipalities; open of the posts and of the
# municipalities; slots of the posts), and no post has a waiting list.
awk -F, 'NR == 1 { if (NF != 9) bad = 1; next }
  NF != 9 { bad = 1 }
  { k = $3 "," $4 }
  $5 == "district" { w[k] = $6; o[k] = $7; s[k] = $8; n++; next }
  $5 ~ /^municipality:/ { mw[k] += $6; mo[k] += $7; next }
  $5 ~ /^post:/ { if ($6 != 0) bad = 1; po[k] += $7; ps[k] += $8; next }
  { bad = 1 }
  END { for (k in w) if (w[k] != mw[k] || o[k] != po[k] || o[k] != mo[k] || s[k] != ps[k]) bad = 1
        exit bad || n < 4 * 150 }' "$T/a/timeseries.csv" \
  && ok "timeseries.csv: nine fields a row, the district the sum of its parts" \
  || bad "timeseries.csv: fields or sums"
# ... also without a warm-up (coesfeld.cfg measures from day 0), where a
# reused workspace once carried the backlog regression into the next run.
$K run scenarios/coesfeld.cfg -r 4 -o "$T/w1" --quiet -j 1
$K run scenarios/coesfeld.cfg -r 4 -o "$T/w2" --quiet -j 2
cmp -s "$T/w1/replications.csv" "$T/w2/replications.csv" \
  && ok "no warm-up: -j 1 and -j 2 identical" || bad "no warm-up: -j 1 and -j 2 identical"
cmp -s "$T/a/summary.csv" "$T/c/summary.csv" && bad "another seed differs" || ok "another seed differs"

# An existing -o DIR is not touched without --force (exit 2).
cp "$T/a/summary.csv" "$T/keep.csv"
$K run scenarios/default.cfg -r 2 -o "$T/a" --quiet 2>"$T/err"; rc=$?
[ $rc = 2 ] && cmp -s "$T/a/summary.csv" "$T/keep.csv" && grep -q -- "--force" "$T/err" \
  && ok "existing -o DIR refused (exit 2, untouched)" || bad "existing -o DIR refused (rc $rc)"
$K run scenarios/default.cfg -r 2 -o "$T/a" --quiet --force && ! cmp -s "$T/a/summary.csv" "$T/keep.csv" \
  && ok "--force replaces" || bad "--force replaces"
ls -a "$T/a" | grep -q '\.tmp' && bad "no temporary files left" || ok "no temporary files left"

# Bad input: exit 2, message names file, line and key, nothing written.
printf 'name = "x";\nhorizon_days = 100.0;\ncase_types = ( { name = "s"; share = 1.0;\n  duration = { dist = "exponential"; mean = 5.0; }; } );\nmunicipalities = ( { name = "A"; arrivals_per_year = 10.0; } );\nposts = ( { name = "P"; fte = -1.5; serves = ["*"]; } );\n' > "$T/bad.cfg"
$K run "$T/bad.cfg" -o "$T/never" 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ ! -e "$T/never" ] && grep -q "bad.cfg:6" "$T/err" && grep -q "fte" "$T/err" \
  && ok "bad input: exit 2, file:line:key, nothing written" || { bad "bad input (rc $rc)"; cat "$T/err"; }
$K run "$T/missing.cfg" -o "$T/never" 2>/dev/null; rc=$?
[ $rc = 2 ] || [ $rc = 1 ] && [ ! -e "$T/never" ] && ok "missing file refused" || bad "missing file (rc $rc)"
$K run scenarios/default.cfg --set posts.nope.fte=1 -o "$T/never" 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "nope" "$T/err" && ok "--set unknown id: exit 2" || bad "--set unknown id (rc $rc)"
$K run scenarios/default.cfg -r 0 -o "$T/never" 2>/dev/null; [ $? = 2 ] && ok "-r 0 refused" || bad "-r 0 refused"
$K frobnicate 2>/dev/null; [ $? = 2 ] && ok "unknown command: exit 2" || bad "unknown command"

# --set and --vary reach the model; --trace writes cases.csv whose rows
# balance the summary's counts.
$K run scenarios/default.cfg -r 2 -o "$T/t" --quiet --trace --set horizon_days=400 --set warmup_days=0
n=$(awk -F, 'NR>1 && $3==1' "$T/t/cases.csv" | wc -l)
a=$(awk -F, '$3==1 && $5=="district" && $6=="arrivals" {print $7}' "$T/t/replications.csv")
init=$($K check scenarios/default.cfg | sed -n 's/.*initial = { waiting = \([0-9]*\); open = \([0-9]*\);.*/\1 \2/p' \
       | awk '{s += $1 + $2} END {print s}')
[ -n "$a" ] && [ "$n" -eq $((a + init)) ] && ok "--trace: $n cases = $a arrivals + $init initial" \
  || bad "--trace rows ($n vs $a + $init)"
$K run scenarios/default.cfg -r 2 -o "$T/v" --quiet --vary posts.diakonie-erkelenz.fte=1.0,1.5
grep -q "posts.diakonie-erkelenz.fte=1.0" "$T/v/summary.csv" && grep -q "posts.diakonie-erkelenz.fte=1.5" "$T/v/summary.csv" \
  && ok "--vary: both variants in summary.csv" || bad "--vary variants"

# Every shipped scenario passes check and runs (short replications); the
# resolved scenario printed by check loads again to the same hash.
for f in scenarios/*.cfg; do
  name=$(basename "$f" .cfg)
  if $K check "$f" > "$T/$name.resolved.cfg" 2>"$T/err" \
     && $K check "$T/$name.resolved.cfg" > "$T/$name.again.cfg" 2>>"$T/err" \
     && cmp -s "$T/$name.resolved.cfg" "$T/$name.again.cfg" \
     && $K run "$f" -r 2 -o "$T/run-$name" --quiet 2>>"$T/err" \
     && [ -s "$T/run-$name/verdict.csv" ]; then
    ok "shipped scenario $name: check, reload, run"
  else
    bad "shipped scenario $name"; cat "$T/err"
  fi
done

# --vary: a value or a key given twice is refused (the variants would not
# be what their labels say); its errors name --vary; array values keep
# their commas.
V=posts.diakonie-erkelenz.fte
for args in "--vary $V=1.0,1.00" "--vary $V=1.0,1.5 --vary $V=2.0"; do
  # shellcheck disable=SC2086
  $K run scenarios/default.cfg -r 2 $args -o "$T/vdup" --quiet 2>"$T/err"; rc=$?
  [ $rc = 2 ] && [ ! -e "$T/vdup" ] && grep -q "given twice" "$T/err" \
    && ok "--vary refused: $args" || bad "--vary refused: $args (exit $rc)"
done
$K run scenarios/default.cfg -r 2 --vary horizon_dayz=1,2 -o "$T/vkey" --quiet 2>"$T/err"
grep -q "^kimsim: --vary horizon_dayz=1: unknown key" "$T/err" && ok "--vary errors name --vary" \
  || bad "--vary errors name --vary: $(cat "$T/err")"
$K run scenarios/default.cfg -r 2 -o "$T/varr" --quiet \
  --vary 'posts.diakonie-erkelenz.serves=["Erkelenz","Hückelhoven"],["*"]' 2>"$T/err"
[ "$(cut -d, -f2 "$T/varr/summary.csv" | sed 1d | sort -u | wc -l)" = 2 ] \
  && ok "--vary of arrays: two variants" || bad "--vary of arrays: $(cat "$T/err")"

[ $fails = 0 ]
