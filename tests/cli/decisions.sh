#!/bin/sh
# Command-line tests of the decisions: comparison.csv from --vary and
# compare, the council-paper sentences, warmup_days = "auto", recommend
# (table, recommendation.csv, --budget, bad input) and erlang.
set -u
K=${KIMSIM:-build/kimsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok()   { echo "ok   $1"; }
bad()  { echo "FAIL $1"; fails=$((fails + 1)); }
head_cmp="scenario,baseline,variant,group,metric,diff_mean,diff_ci_low,diff_ci_high"
head_rec="scenario,method,post,current_fte,recommended_fte,verdict,p90_wait_days,within_target_share"

# --vary: comparison.csv against the first variant, and the sentence.
$K run scenarios/default.cfg -r 6 -o "$T/v" --vary posts.diakonie-erkelenz.fte=1.0,1.5 >"$T/out"
[ "$(head -1 "$T/v/comparison.csv")" = "$head_cmp" ] && ok "--vary writes comparison.csv" \
  || bad "--vary comparison.csv header"
awk -F, 'NR>1 && $2!="posts.diakonie-erkelenz.fte=1.0" {b=1} END {exit b}' "$T/v/comparison.csv" \
  && grep -q '^default-heinsberg,posts.diakonie-erkelenz.fte=1.0,posts.diakonie-erkelenz.fte=1.5,municipality:Erkelenz,wait_p90,-' "$T/v/comparison.csv" \
  && ok "comparison.csv: baseline 1.0, Erkelenz's p90 shorter at 1.5" || bad "comparison.csv rows"
awk -F, '$4=="district" && $5=="cost_eur" {exit !($6==30000 && $7==30000 && $8==30000)}' "$T/v/comparison.csv" \
  && ok "cost difference exactly 0.5 x 60,000 EUR" || bad "cost difference"
grep -q "^Diakonie Erkelenz at 1.5 instead of 1.0 FTE: p90 wait in Erkelenz .* days shorter, 95 % CI .*verdict inadequate → adequate; cost +30,000 EUR/year.$" "$T/out" \
  && ok "sentence a council paper can quote" || { bad "sentence"; grep "instead of" "$T/out"; }
grep -q "Erlang C estimate against the simulation" "$T/out" && ok "run prints Erlang C beside simulated" \
  || bad "Erlang table in run"
$K run scenarios/default.cfg -r 2 -o "$T/v" --force --quiet
[ ! -e "$T/v/comparison.csv" ] && ok "no stale comparison.csv without variants" || bad "stale comparison.csv"

# compare: two files, A's seed, one comparison.csv, per-scenario folders.
$K compare scenarios/unna.cfg scenarios/unna-separate.cfg -r 4 -o "$T/c" >"$T/out"; rc=$?
[ $rc = 0 ] && [ -f "$T/c/unna/summary.csv" ] && [ -f "$T/c/unna-separate/verdict.csv" ] \
  && [ "$(head -1 "$T/c/comparison.csv")" = "$head_cmp" ] && ok "compare: files and comparison.csv" \
  || bad "compare files (rc $rc)"
grep -q '^unna-separate,unna,unna-separate,municipality:Kamen,' "$T/c/comparison.csv" \
  && ok "compare: groups matched by label" || bad "compare rows"
s1=$(sed -n 's/^  seed: //p' "$T/c/unna/manifest.txt"); s2=$(sed -n 's/^  seed: //p' "$T/c/unna-separate/manifest.txt")
[ -n "$s1" ] && [ "$s1" = "$s2" ] && ok "compare: same seed ($s1)" || bad "compare seeds ($s1 vs $s2)"
grep -q "unna-separate instead of unna" "$T/out" && ok "compare: 'B instead of A' sentences" || bad "compare sentences"
$K compare scenarios/unna.cfg -o "$T/never" 2>/dev/null; rc=$?
[ $rc = 2 ] && [ ! -e "$T/never" ] && ok "compare of one file without --vary: exit 2" || bad "compare one file (rc $rc)"
$K compare scenarios/unna.cfg scenarios/unna-separate.cfg -r 2 -o "$T/c" 2>/dev/null; rc=$?
[ $rc = 2 ] && ok "compare: existing -o refused" || bad "compare existing -o (rc $rc)"

# warmup_days = "auto": chosen by MSER-5, in the manifest and the header.
$K run scenarios/coesfeld.cfg -r 5 -o "$T/w" --set warmup_days=auto >"$T/out"
w=$(sed -n 's/^  warmup_auto_days: //p' "$T/w/manifest.txt")
[ -n "$w" ] && grep -q "warm-up $w days (auto, MSER-5)" "$T/out" \
  && ok "warm-up auto: $w days, in manifest and table" || bad "warm-up auto ($w)"

# recommend: table, recommendation.csv, budget split, formula split.
$K recommend scenarios/default.cfg -r 5 -o "$T/r" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && [ "$(head -1 "$T/r/recommendation.csv")" = "$head_rec" ] && ok "recommend: recommendation.csv" \
  || { bad "recommend (rc $rc)"; cat "$T/err"; }
for m in current smallest-adequate formula; do
  [ "$(awk -F, -v m=$m '$2==m' "$T/r/recommendation.csv" | wc -l)" = 3 ] || bad "recommend rows of $m"
done
awk -F, '$2=="smallest-adequate" {if ($5 % 0.5 != 0 || $5 < 0.5 || $6 != "adequate") b=1} END {exit b}' \
  "$T/r/recommendation.csv" && ok "recommend: multiples of 0.5, adequate" || bad "recommend values"
$K recommend scenarios/default.cfg -r 5 --budget 12 -o "$T/b" >"$T/out" 2>/dev/null
sum=$(awk -F, '$2=="marginal-allocation" {s += $5} END {print s}' "$T/b/recommendation.csv")
fsum=$(awk -F, '$2=="formula" {s += $5} END {print s}' "$T/b/recommendation.csv")
[ "$sum" = 12 ] && [ "$fsum" = 12 ] && grep -q "Fox 1966" "$T/out" \
  && ok "recommend --budget 12: best split and formula both use 12 FTE" || bad "budget sums ($sum, $fsum)"
$K recommend scenarios/default.cfg --budget 1 -o "$T/never" 2>/dev/null; rc=$?
[ $rc = 2 ] && [ ! -e "$T/never" ] && ok "recommend: budget below 0.5 per post refused" || bad "small budget (rc $rc)"
$K recommend scenarios/default.cfg --step -1 2>/dev/null; [ $? = 2 ] && ok "recommend: bad --step" || bad "bad --step"
$K recommend scenarios/default.cfg --vary posts.kreis-ki.fte=1,2 2>/dev/null; [ $? = 2 ] \
  && ok "recommend: --vary refused" || bad "recommend --vary"

# erlang: instant, one row per own-post town and pool, formula values.
$K erlang scenarios/mmc.cfg >"$T/out"; rc=$?
[ $rc = 0 ] && grep -Eq '^Queue +12 +10\.800 +0\.90 +0\.64 +0\.5 +1\.5 ' "$T/out" \
  && ok "erlang: M/M/12 at rho 0.9: P(wait) 0.64, p90 1.5 days" || { bad "erlang mmc (rc $rc)"; cat "$T/out"; }
$K erlang scenarios/unna.cfg | grep -q "^pool: Mittelkreis" && ok "erlang: pools listed" || bad "erlang pools"
$K erlang "$T/missing.cfg" 2>/dev/null; rc=$?
[ $rc = 2 ] || [ $rc = 1 ] && ok "erlang: missing file refused" || bad "erlang missing (rc $rc)"
for c in compare recommend erlang; do
  $K $c --help | grep -q "usage: kimsim $c" || bad "$c --help"
done
$K --help | grep -q "recommend" && ok "commands listed in --help" || bad "kimsim --help"

echo "$fails failed"
[ $fails = 0 ]
