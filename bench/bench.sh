#!/bin/sh
# make bench — speed and memory of the whole kimsim process.
# Prints wall time, events, events/s and peak RSS for each benchmark, the
# best of $BENCH_RUNS runs (default 3).  Figures, not pass/fail: the
# targets are printed beside them.
set -eu
BIN=${1:-build/kimsim}
RUNS=${BENCH_RUNS:-3}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# run NAME ARGS... : best wall time of $RUNS whole-process runs
bench() {
  name=$1; shift
  best=""; rss=0
  for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$OUT/time" "$BIN" run "$@" -o "$OUT/$name" --force --quiet >/dev/null
    read -r t m <"$OUT/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  ev=$(sed -n 's/^events: //p' "$OUT/$name/manifest.txt")
  eps=$(awk "BEGIN{printf \"%.1f\", $ev / ($best > 0 ? $best : 0.001) / 1e6}")
  printf '%-28s %8.3f s %12s events %8s M events/s  peak RSS %6.1f MiB\n' \
    "$name" "$best" "$ev" "$eps" "$(awk "BEGIN{print $rss / 1024}")"
  eval "RSS_$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')=$rss"
  eval "EPS_$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')=$eps"
}

echo "kimsim bench ($(nproc) cores, best of $RUNS runs, whole process)"
bench mmc-1m bench/mmc-1m.cfg -j 1
bench mmc-10m bench/mmc-10m.cfg -j 1
echo
printf 'target: >= 10 M events/s at 1M arrivals: %s M events/s  %s\n' "$EPS_mmc_1m" \
  "$(awk "BEGIN{exit !($EPS_mmc_1m >= 10)}" && echo ok || echo MISSED)"
printf 'target: peak RSS at 10M <= at 1M (+1 MiB slack): %s KiB vs %s KiB  %s\n' \
  "$RSS_mmc_10m" "$RSS_mmc_1m" \
  "$( [ "$RSS_mmc_10m" -le $((RSS_mmc_1m + 1024)) ] && echo ok || echo MISSED)"
