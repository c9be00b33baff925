#!/bin/sh
# Command-line tests of where output goes: -o and the folders named after
# scenarios (run, compare, recommend), the options' strict parsing (-s,
# --shard), check and erlang refusing run-only options, and the output
# folder claimed by one run at a time.  Every refusal must exit 2 with a
# message and create or change nothing.
set -u
K=${KIMSIM:-build/kimsim}
case $K in /*) ;; *) K=$(pwd)/$K ;; esac
R=$(pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok()   { echo "ok   $1"; }
bad()  { echo "FAIL $1"; fails=$((fails + 1)); }
# refused WHAT FRAGMENT CMD...: CMD exits 2 and says FRAGMENT on stderr.
refused() {
  what=$1; frag=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; rc=$?
  if [ $rc = 2 ] && grep -qF -- "$frag" "$T/err"; then ok "$what"
  else bad "$what: exit $rc, want 2 and '$frag':"; cat "$T/err"; fi
}
# listing DIR: every path under DIR with its checksum (to see nothing changed).
listing() { (cd "$1" && find . -print | sort && find . -type f -exec cksum {} + | sort); }

# A small scenario; variants of it differ in their name (line 2).
cat > "$T/base.cfg" <<'EOF'
# a scenario whose name is on line 2 (name = "in a comment" does not count)
name = "base";
horizon_days = 200.5; sample_days = 50.0;
case_types = ( { name = "standard"; share = 1.0;
                 duration = { dist = "exponential"; mean = 40.5; }; } );
municipalities = ( { name = "Stadt"; arrivals_per_year = 80.5; } );
posts = ( { name = "Kreis"; fte = 1.5; serves = ["*"]; } );
EOF
named() { sed "s|^name = \"base\";|name = \"$1\";|" "$T/base.cfg" > "$T/$2"; }
named ".." dotdot.cfg
named "../victim" victim.cfg
named "/abs" abs.cfg
named ".hidden" hidden.cfg
named "summary.csv" summary.cfg
named "plots" plots.cfg
named "manifest.txt" manifest.cfg
named "other" other.cfg
printf '# includes the scenario named ..\n@include "dotdot.cfg"\n' > "$T/inc.cfg"

# A work folder with a results folder beside out/ and files of its own.
W=$T/w
mkdir -p "$W/victim" "$W/out"
echo precious > "$W/summary.csv"; echo keep > "$W/cases.csv"
echo precious > "$W/victim/summary.csv"; echo keep > "$W/victim/cases.csv"
listing "$W" > "$T/before"
unchanged() {
  listing "$W" > "$T/after"
  if cmp -s "$T/before" "$T/after"; then ok "$1: nothing created or changed"
  else bad "$1: the work folder changed:"; diff "$T/before" "$T/after"; fi
}
cd "$W" || exit 1

# --- -o '' (was: files written into /) ----------------------------------
for c in run compare recommend; do
  set -- "$T/base.cfg"; [ $c = compare ] && set -- "$T/base.cfg" "$T/other.cfg"
  refused "$c -o '': exit 2" "-o: needs a folder name, got ''" $K $c "$@" -r 2 -o '' --quiet
done
refused "merge -o '': exit 2" "-o: needs a folder name, got ''" $K merge "$W/victim" -o '' --quiet
unchanged "-o ''"

# --- scenario names that would leave out/ -------------------------------
refused "run: name '..' refused for out/<name>/" "dotdot.cfg:2: name: '..' cannot name a folder" \
  $K run "$T/dotdot.cfg" -r 2 -j 1 --quiet
refused "run: name '../victim' refused" "victim.cfg:2: name: '../victim'" \
  $K run "$T/victim.cfg" -r 2 -j 1 --quiet
refused "run: name '/abs' refused" "abs.cfg:2: name:" $K run "$T/abs.cfg" -r 2 -j 1 --quiet
refused "run: name '.hidden' refused" "hidden.cfg:2: name:" $K run "$T/hidden.cfg" -r 2 -j 1 --quiet
refused "run: name from an @include'd file: its file and line" "dotdot.cfg:2: name: '..'" \
  $K run "$T/inc.cfg" -r 2 -j 1 --quiet
refused "run: name from --set: the --set named" "--set name=../victim: name: '../victim'" \
  $K run "$T/base.cfg" --set name=../victim -r 2 -j 1 --quiet
refused "compare: names in the default folder refused" "dotdot.cfg:2: name:" \
  $K compare "$T/dotdot.cfg" --vary horizon_days=200.5,250.5 -r 2 -j 1 --quiet
refused "compare: names of the per-file folders refused (with -o)" "victim.cfg:2: name:" \
  $K compare "$T/base.cfg" "$T/victim.cfg" -r 2 -j 1 -o cmp --quiet
refused "recommend: name in out/recommend-<name>/ refused" "victim.cfg:2: name:" \
  $K recommend "$T/victim.cfg" -r 2 -j 1 --quiet
unchanged "names that leave out/"
# With -o the name names no folder: accepted.
$K run "$T/dotdot.cfg" -r 2 -j 1 -o "$T/given" --quiet 2>"$T/err" && [ -s "$T/given/summary.csv" ] \
  && ok "run -o DIR: a name that is no folder name is fine" \
  || { bad "run -o DIR with name '..'"; cat "$T/err"; }

# --- several files: names that are files of DIR --------------------------
for f in summary plots manifest; do
  refused "run of several files: name of $f.cfg refused" "$f.cfg:2: name:" \
    $K run "$T/base.cfg" "$T/$f.cfg" -r 2 -j 1 -o "$T/multi" --quiet
done
refused "compare: name summary.csv refused" "summary.cfg:2: name: 'summary.csv' is reserved" \
  $K compare "$T/base.cfg" "$T/summary.cfg" -r 2 -j 1 -o "$T/multi" --quiet
refused "run of several files: the same name twice refused" "name: 'base' is also the name of" \
  $K run "$T/base.cfg" "$T/base.cfg" -r 2 -j 1 -o "$T/multi" --quiet
[ ! -e "$T/multi" ] && ok "several files refused: DIR not created" || bad "several files: DIR created"

# --- -o naming something that is not a folder ----------------------------
echo x > "$T/file"
for args in "" "--force" "--resume"; do
  # shellcheck disable=SC2086
  refused "run -o FILE $args: exit 2" "$T/file exists and is not a folder" \
    $K run "$T/base.cfg" -r 2 -o "$T/file" $args --quiet
done
refused "compare -o FILE: exit 2" "exists and is not a folder" \
  $K compare "$T/base.cfg" "$T/other.cfg" -r 2 -o "$T/file" --force --quiet
refused "recommend -o FILE: exit 2" "exists and is not a folder" \
  $K recommend "$T/base.cfg" -r 2 -o "$T/file" --force --quiet
refused "run -o FILE/sub: exit 2" "Not a directory" $K run "$T/base.cfg" -r 2 -o "$T/file/sub" --quiet
[ "$(cat "$T/file")" = x ] && ok "-o FILE: the file untouched" || bad "-o FILE: the file changed"

# --- strict numbers: -s, --shard -----------------------------------------
for s in 9223372036854775808 18446744073709551615 99999999999999999999 ' -1' ' 5' +5 -1 5x ''; do
  refused "-s '$s': exit 2" "-s: seed must be 0..9223372036854775807, got '$s'" \
    $K run "$T/base.cfg" -r 2 -s "$s" -o "$T/seed" --quiet
done
for s in 1/2x ' 1/2' 1/+2 1/ /2 1//2 0/2 3/2 1/2/3 x; do
  refused "--shard '$s': exit 2" "--shard needs K/N" \
    $K run "$T/base.cfg" -r 2 --shard "$s" -o "$T/seed" --quiet
done
[ ! -e "$T/seed" ] && ok "-s/--shard refused: DIR not created" || bad "-s/--shard: DIR created"
$K run "$T/base.cfg" -r 2 -j 1 -s 9223372036854775807 --shard 2/2 -o "$T/smax" --quiet \
  && grep -q "seed: 9223372036854775807" "$T/smax/manifest.txt" \
  && ok "-s 2^63-1 and --shard 2/2 accepted" || bad "-s 2^63-1 --shard 2/2"

# --- check and erlang take files and --set only --------------------------
for c in check erlang; do
  for opt in "-r 7" "-s 99" "-j 2" "--vary horizon_days=abc,-5" "--trace" "--force" \
             "--resume" "--quiet" "-o $T/never" "--shard 1/2" "--timeseries 3"; do
    # shellcheck disable=SC2086
    refused "$c $opt: exit 2" "${opt%% *} does not apply here" $K $c "$T/base.cfg" $opt
    [ -s "$T/out" ] && bad "$c $opt: printed a scenario or estimate"
  done
  $K $c "$T/base.cfg" --set horizon_days=250.5 >"$T/out" 2>"$T/err" \
    && ok "$c --set still works" || { bad "$c --set"; cat "$T/err"; }
done
$K check "$T/base.cfg" --set horizon_days=250.5 | grep -q "horizon_days = 250.5" \
  && ok "check --set applied" || bad "check --set applied"
refused "recommend --timeseries: exit 2" "--timeseries belong to run" \
  $K recommend "$T/base.cfg" -r 2 --timeseries 3 -o "$T/never" --quiet
[ ! -e "$T/never" ] && ok "check/erlang/recommend: nothing created" || bad "check/erlang: created"

# --- the output folder belongs to one run at a time ----------------------
# Two runs started together on the same new -o DIR: one runs, the other
# finds DIR claimed (exit 2); never both, never a folder mixing the two.
both=0; neither=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  rm -rf "$T/race"
  $K run "$R/scenarios/default.cfg" -r 3 -j 1 -o "$T/race" --quiet 2>/dev/null & p1=$!
  $K run "$R/scenarios/default.cfg" -r 3 -j 1 -s 7 -o "$T/race" --quiet 2>/dev/null & p2=$!
  wait $p1; a=$?; wait $p2; b=$?
  [ $a != 2 ] && [ $b != 2 ] && both=$((both + 1))
  [ $a = 2 ] && [ $b = 2 ] && neither=$((neither + 1))
done
[ $both = 0 ] && [ $neither = 0 ] && ok "two runs on one new -o DIR: exactly one runs (20 tries)" \
  || bad "two runs on one new -o DIR: both ran $both times, neither $neither times"
# A folder another process holds (flock, as a running kimsim does): refused
# with --force, with --resume and as the default out/<name>/, untouched.
if command -v flock >/dev/null 2>&1; then
  $K run "$T/base.cfg" -r 2 -j 1 -o "$T/held" --quiet
  (cd "$T/held" && find . -type f -exec cksum {} + | sort) > "$T/held.sum"
  refused "run --force on a folder in use: exit 2" "is in use by another kimsim run" \
    flock "$T/held" $K run "$T/base.cfg" -r 2 -j 1 -o "$T/held" --force --quiet
  refused "run --resume on a folder in use: exit 2" "is in use by another kimsim run" \
    flock "$T/held" $K run "$T/base.cfg" -r 2 -j 1 -o "$T/held" --resume --quiet
  refused "compare --force on a folder in use: exit 2" "is in use by another kimsim run" \
    flock "$T/held" $K compare "$T/base.cfg" "$T/other.cfg" -r 2 -j 1 -o "$T/held" --force --quiet
  $K run "$T/base.cfg" -r 2 -j 1 --shard 1/1 -o "$T/shard" --quiet
  refused "merge --force into a folder in use: exit 2" "is in use by another kimsim run" \
    flock "$T/held" $K merge "$T/shard" -o "$T/held" --force --quiet
  (cd "$T/held" && find . -type f -exec cksum {} + | sort) | cmp -s - "$T/held.sum" \
    && ok "folder in use: untouched" || bad "folder in use: changed"
  $K run "$T/base.cfg" -r 2 -j 1 -o "$T/held" --force --quiet \
    && ok "once released, --force runs" || bad "--force after the lock is released"
  mkdir -p "$W/out/base"
  refused "run to the default out/<name>/ in use: exit 2" "out/base is in use" \
    flock "$W/out/base" $K run "$T/base.cfg" -r 2 -j 1 --quiet
else
  echo "note: flock(1) missing, the lock is not checked"
fi

# Parents of a new -o DIR are made; a run there is unchanged.
$K run "$T/base.cfg" -r 2 -j 1 -o "$T/a/b/c" --quiet && [ -s "$T/a/b/c/summary.csv" ] \
  && ok "-o a/b/c: parents made" || bad "-o a/b/c"

[ $fails = 0 ]
