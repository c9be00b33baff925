#!/bin/sh
# reliability.sh — kimsim under bad input, faults and load (docs/reliability.md):
#   1. the catalogue tests/bad/EXPECT: `kimsim check` and `kimsim run -o DIR`
#      exit 2, print the expected file:line: key message, and write nothing;
#      absurd sizes (huge arrays) made here rather than committed;
#   2. results are never lost or clobbered: /dev/full, a full tmpfs under a
#      previous complete run (skipped with a message when mount is refused);
#   3. overload stays bounded: utilisation 3.0 for ten years under a
#      waiting-list limit, peak RSS below the documented ceiling.
# Run from the repository root with $KIMSIM = the binary; exits 1 on any
# failure and prints a closing "N passed, N failed" line.
set -u
K=${KIMSIM:-build/kimsim}
T=$(mktemp -d)
MNT=""
cleanup() {
  [ -n "$MNT" ] && umount "$MNT" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
pass=0; fails=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
TAB=$(printf '\t')

# measure CMD...: runs CMD, its peak RSS in KiB into $T/rss (0 without
# /usr/bin/time, Debian package time, which .ci/run installs).
measure() {
  if [ -x /usr/bin/time ]; then /usr/bin/time -f "%M" -o "$T/rss" "$@"
  else echo 0 > "$T/rss"; "$@"; fi
}
[ -x /usr/bin/time ] || echo "note: /usr/bin/time missing, peak RSS not checked"

# A small valid scenario (section 2 grows its output by --set).
cat > "$T/small.cfg" <<'EOF'
name = "small"; horizon_days = 3650.0; sample_days = 365.0;
caseload = { per_fte = 10.0; };
case_types = ( { name = "standard"; share = 1.0;
                 duration = { dist = "exponential"; mean = 40.5; }; } );
municipalities = ( { name = "Stadt"; arrivals_per_year = 80.5; } );
posts = ( { name = "Kreis"; fte = 1.0; serves = ["*"]; } );
EOF

# ---------------------------------------------------------------------------
# 1. The catalogue of bad inputs
# ---------------------------------------------------------------------------

# check_bad FILE STATUS FRAGMENT ARGS: both commands refuse FILE as expected.
check_bad() {
  f=$1; want=$2; frag=$3; args=$4
  # shellcheck disable=SC2086
  $K check "tests/bad/$f" $args >/dev/null 2>"$T/err"; rc=$?
  if [ $rc != "$want" ] || ! grep -qF -- "$frag" "$T/err"; then
    bad "check $f: exit $rc (want $want), message:"; cat "$T/err"
    echo "     expected fragment: $frag"; return
  fi
  out="$T/out-${f%.cfg}"
  # shellcheck disable=SC2086
  $K run "tests/bad/$f" $args -o "$out" --quiet >/dev/null 2>"$T/err"; rc=$?
  if [ $rc != "$want" ] || ! grep -qF -- "$frag" "$T/err" || [ -e "$out" ]; then
    bad "run $f: exit $rc (want $want), $out $( [ -e "$out" ] && echo exists || echo absent):"
    cat "$T/err"; return
  fi
  ok "bad input $f: exit $want, message, nothing written"
}

n_bad=0
while IFS="$TAB" read -r f want frag args; do
  case "$f" in ''|'#'*) continue ;; esac
  n_bad=$((n_bad + 1))
  check_bad "$f" "$want" "$frag" "${args:-}"
done < tests/bad/EXPECT
[ "$n_bad" -ge 40 ] && ok "catalogue holds $n_bad bad inputs (>= 40)" || bad "catalogue holds only $n_bad"
for f in tests/bad/*.cfg; do
  grep -q "^$(basename "$f")$TAB" tests/bad/EXPECT || bad "$f has no line in tests/bad/EXPECT"
done

# -r is applied after loading, by `run` only: 10^7 replications whose
# results would take 8.8 GB are refused before anything is allocated.
measure $K run "$T/small.cfg" -r 10000000 \
  -o "$T/never" 2>"$T/err"; rc=$?
rss=$(tail -1 "$T/rss")
[ $rc = 2 ] && [ ! -e "$T/never" ] && [ "$rss" -lt 20000 ] \
  && grep -qF -- "-r: 10000000 replications need 8.8 GB for their results, at most 4.29 GB" "$T/err" \
  && ok "-r 10000000: results too big, refused (exit 2, peak RSS $rss KiB)" || { bad "-r 10000000 (rc $rc)"; cat "$T/err"; }

# Huge arrays, made here: 10001 municipalities (one more than allowed), and
# a file of 300 MB (more than kimsim reads).  Both refused at once.
awk 'BEGIN { print "name = \"big\"; horizon_days = 30.5;";
  print "case_types = ( { name = \"a\"; share = 1.0; duration = { dist = \"fixed\"; value = 2.5; }; } );";
  print "posts = ( { name = \"p\"; fte = 1.5; serves = [\"*\"]; } );";
  printf "municipalities = (";
  for (i = 0; i < 10001; i++) printf "%s{ name = \"m%d\"; arrivals_per_day = 0.5; }\n", i ? "," : "", i;
  print ");" }' > "$T/munis.cfg"
$K run "$T/munis.cfg" -o "$T/never" 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ ! -e "$T/never" ] && grep -qF "munis.cfg:4: municipalities: has 10001 entries, at most 10000" "$T/err" \
  && ok "10001 municipalities refused (exit 2)" || { bad "10001 municipalities (rc $rc)"; cat "$T/err"; }
head -c 300000000 /dev/zero | tr '\0' ' ' > "$T/huge.cfg" 2>/dev/null
measure $K check "$T/huge.cfg" >/dev/null 2>"$T/err"; rc=$?
rss=$(tail -1 "$T/rss")
[ $rc = 2 ] && grep -qF "huge.cfg: the scenario is larger than 256 MB" "$T/err" && [ "$rss" -lt 20000 ] \
  && ok "300 MB scenario refused before reading (exit 2, peak RSS $rss KiB)" \
  || { bad "300 MB scenario (rc $rc, RSS $rss KiB)"; cat "$T/err"; }
rm -f "$T/huge.cfg"

# ---------------------------------------------------------------------------
# 2. Results are never lost or clobbered
# ---------------------------------------------------------------------------

RESULTS="summary.csv replications.csv verdict.csv manifest.txt timeseries.csv"

# An existing -o DIR is refused without --force, byte for byte untouched.
$K run "$T/small.cfg" -r 2 -o "$T/keep" --quiet
cp -r "$T/keep" "$T/keep.before"
$K run "$T/small.cfg" -r 3 -o "$T/keep" --quiet 2>"$T/err"; rc=$?
[ $rc = 2 ] && diff -r "$T/keep" "$T/keep.before" >/dev/null && grep -q -- "--force" "$T/err" \
  && ok "existing -o DIR refused without --force (exit 2, untouched)" || bad "existing -o DIR (rc $rc)"

# Publishing is all or nothing: a file that cannot be renamed into place
# (a folder of the user's named cases.csv) fails the rerun, and none of
# the previous run's files is replaced, none removed, no temporary left.
$K run "$T/small.cfg" -r 2 -o "$T/pub" --quiet
mkdir -p "$T/pub/cases.csv/mine"
cp -r "$T/pub" "$T/pub.before"
$K run "$T/small.cfg" -r 3 --trace --set sample_days=0 -o "$T/pub" --force --quiet 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "cannot write $T/pub/cases.csv: Is a directory" "$T/err" \
  && diff -r -x .journal "$T/pub" "$T/pub.before" >/dev/null && ! ls -A "$T/pub" | grep -q '\.tmp' \
  && ok "a rename that fails while publishing: exit 1, previous files all kept" \
  || { bad "a rename that fails while publishing (rc $rc)"; cat "$T/err"; }

# /dev/full: what a command prints is part of its result.
$K check "$T/small.cfg" >/dev/full 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "cannot write to standard output: No space left on device" "$T/err" \
  && ok "check > /dev/full: exit 1, says so" || { bad "check > /dev/full (rc $rc)"; cat "$T/err"; }
$K run "$T/small.cfg" -r 2 -o "$T/full" >/dev/full 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "standard output" "$T/err" && [ -s "$T/full/summary.csv" ] \
  && ok "run > /dev/full: exit 1, says so, files written" || { bad "run > /dev/full (rc $rc)"; cat "$T/err"; }

# fill_rerun DIR ARGS...: from a previous complete run in DIR (on a small
# tmpfs), reruns with --force and ARGS.  Returns 0 when the rerun filled
# the disk, exited 1 naming a file in DIR, and left the previous files
# byte-identical; 2 when the rerun fitted (the caller grows it); 1 else.
fill_rerun() {
  d=$1; shift
  rm -rf "$d" "$T/prev"
  $K run "$T/small.cfg" -r 2 -o "$d" --quiet 2>"$T/err" || { cat "$T/err"; return 1; }
  cp -r "$d" "$T/prev"
  $K run "$T/small.cfg" -o "$d" --quiet --force "$@" 2>"$T/err"; rc=$?
  [ $rc = 0 ] && return 2
  { [ $rc = 1 ] && grep -q "$d/.*No space left on device" "$T/err"; } || { cat "$T/err"; return 1; }
  for f in $RESULTS; do
    cmp -s "$T/prev/$f" "$d/$f" || { echo "     $f changed"; return 1; }
  done
  if ls -a "$d" | grep -q '\.tmp'; then echo "     temporary files left"; return 1; fi
  echo "     $(head -1 "$T/err")"
  return 0
}

MNT="$T/mnt"
mkdir -p "$MNT"
if mount -t tmpfs -o size=200k tmpfs "$MNT" 2>"$T/err"; then
  # Writing the files: the replications fit, the files made at the end
  # (summary.csv and the rest) do not.
  res=2
  for sd in 60 30 15 7 3 1; do
    fill_rerun "$MNT/out" -r 4 --set sample_days=$sd; res=$?
    [ $res != 2 ] && break
  done
  [ $res = 0 ] && ok "disk full while writing the files: exit 1, file named, previous results byte-identical" \
    || bad "disk full while writing the files (sample_days $sd)"
  # Running: the journal's case trace of more replications does not fit.
  res=2
  for reps in 4 16 64 256; do
    fill_rerun "$MNT/out" -r $reps --trace; res=$?
    [ $res != 2 ] && break
  done
  [ $res = 0 ] && ok "disk full while running (journal): exit 1, previous results byte-identical" \
    || bad "disk full while running ($reps replications)"
  umount "$MNT" && MNT=""
else
  echo "skip tmpfs tests: mount not permitted here ($(head -1 "$T/err"))"
fi

# ---------------------------------------------------------------------------
# 3. Overload stays bounded
# ---------------------------------------------------------------------------

# Utilisation 3.0 for ten years: 6000 arrivals a year, 10 slots, 1.825 days
# each (capacity 2000 a year); the waiting list grows by ~11 a day and
# reaches max_waiting = 20000 after about five years.  The ceiling is the
# one docs/reliability.md documents: 16 MiB + jobs x max_waiting x 256 B.
cat > "$T/overload.cfg" <<'EOF'
name = "overload"; horizon_days = 3650.0; replications = 4; sample_days = 0.0;
max_waiting = 20000;
caseload = { per_fte = 10.0; };
case_types = ( { name = "standard"; share = 1.0;
                 duration = { dist = "exponential"; mean = 1.825; }; } );
municipalities = ( { name = "Stadt"; arrivals_per_year = 6000.0; } );
posts = ( { name = "Kreis"; fte = 1.0; serves = ["*"]; } );
EOF
ceiling=$((16384 + 2 * 20000 * 256 / 1024))
measure $K run "$T/overload.cfg" -j 2 -o "$T/over" >"$T/out" 2>"$T/err"; rc=$?
rss=$(tail -1 "$T/rss")
grep -q "4 of 4 replications stopped at the waiting-list limit (max_waiting = 20000): the allocation is overloaded" "$T/err" \
  && [ $rc = 0 ] && grep -q "^overloaded_replications: 4" "$T/over/manifest.txt" \
  && ok "overload: exit 0, 4 of 4 stopped at max_waiting, manifest says so" \
  || { bad "overload (rc $rc)"; cat "$T/err"; }
grep -q "^district .*INADEQUATE" "$T/out" && ok "overload: verdict INADEQUATE" \
  || { bad "overload verdict"; cat "$T/out"; }
case "${BUILD:-}$K" in
  *asan*) echo "skip peak RSS under sanitizers (shadow memory): $rss KiB" ;;
  *) [ "$rss" -lt "$ceiling" ] && ok "overload: peak RSS $rss KiB < ceiling $ceiling KiB" \
       || bad "overload: peak RSS $rss KiB >= ceiling $ceiling KiB" ;;
esac
$K check "$T/overload.cfg" --set max_waiting=5000 | grep -q "^max_waiting = 5000;" \
  && ok "max_waiting: --set and check print it" || bad "max_waiting --set"

echo "$pass passed, $fails failed"
[ $fails = 0 ]
