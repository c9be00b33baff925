#!/bin/sh
# report.sh — kimsim report end to end, and what ships around it:
#   1. plots from a real run: every SVG/PNG non-empty, SVGs well-formed XML,
#      umlauts in the SVG text, no temporary files left; report.html holds
#      the verdict table and its plots inline and loads nothing from outside;
#   2. exit statuses: no summary.csv -> 2, malformed CSV -> 2, no gnuplot on
#      PATH -> 0 with a warning and a page that says so;
#   3. names with & < > " ' stay well-formed in every SVG and are escaped in
#      the page;
#   4. the page in headless Chromium: a screenshot that is not blank, shows
#      the verdict colours and the plots (compared with the same page
#      stripped of its SVGs) — skipped when chromium is not installed;
#   5. the gnuplot example of docs/plotting.md runs on summary.csv;
#   6. `kimsim --help` and `kimsim CMD --help` for every listed command;
#   7. make install into a DESTDIR, the installed binary runs a shipped
#      scenario, the man page renders, make uninstall removes it all.
# Uses $KIMSIM (default build/kimsim); run from anywhere.  Exit 1 on any
# failure.  Needs gnuplot (Debian gnuplot-nox) and python3 or xmllint.
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
KIMSIM=${KIMSIM:-build/kimsim}
case $KIMSIM in /*) ;; *) KIMSIM=$root/$KIMSIM ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok:   $*"; }

valid_xml() {
  if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$1"
  else
    python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"
  fi
}

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

# ------------------------------------------------------------------ 1
if ! command -v gnuplot >/dev/null 2>&1; then
  fail "gnuplot is not installed (Debian: apt-get install gnuplot-nox fonts-dejavu-core)"
fi
"$KIMSIM" run scenarios/default.cfg -r 3 -o "$tmp/run" --force --quiet || fail "kimsim run"
"$KIMSIM" report "$tmp/run" >"$tmp/report.out" 2>&1 || { fail "kimsim report exit $?"; cat "$tmp/report.out"; }
for p in waiting waits verdict; do
  for e in svg png; do
    [ -s "$tmp/run/plots/$p.$e" ] || fail "plots/$p.$e missing or empty"
  done
  valid_xml "$tmp/run/plots/$p.svg" || fail "plots/$p.svg is not well-formed XML"
  is_png "$tmp/run/plots/$p.png" || fail "plots/$p.png is not a PNG"
done
grep -q 'Hückelhoven' "$tmp/run/plots/waiting.svg" || fail "umlaut (Hückelhoven) missing in waiting.svg"
grep -q 'Übach-Palenberg' "$tmp/run/plots/verdict.svg" || fail "umlaut (Übach) missing in verdict.svg"
[ -z "$(ls -A "$tmp/run/plots" | grep '^\.')" ] || fail "temporary files left in plots/: $(ls -A "$tmp/run/plots")"
[ -z "$(ls -A "$tmp/run" | grep '^\.report')" ] || fail "temporary report file left"
html=$tmp/run/report.html
[ -s "$html" ] || fail "report.html missing"
grep -q 'class="verdict-table"' "$html" || fail "report.html has no verdict table"
grep -q '<td class="\(adequate\|inadequate\|uncertain\)">' "$html" || fail "verdict cells not coloured"
[ "$(grep -c '<svg' "$html")" -ge 3 ] || fail "report.html inlines fewer than 3 SVG plots"
grep -q '@media print' "$html" || fail "report.html has no print style"
grep -q 'kimsim_version:' "$html" || fail "report.html lacks the manifest"
if grep -q -i '<script\|<link \|src="http\|href="http\|url(http' "$html"; then
  fail "report.html loads something from outside"
fi
ok "plots and page from a real run"

# ------------------------------------------------------------------ 2
mkdir -p "$tmp/empty"
"$KIMSIM" report "$tmp/empty" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "report of a folder without summary.csv: exit $rc, want 2"
grep -q 'summary.csv' "$tmp/err" || fail "the message does not name summary.csv"
printf 'scenario,variant\n"open,x\n' >"$tmp/empty/summary.csv"
"$KIMSIM" report "$tmp/empty" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "malformed summary.csv: exit $rc, want 2"
grep -q 'line 2' "$tmp/err" || fail "malformed CSV message lacks the line"
"$KIMSIM" report >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "report without DIR: exit $rc, want 2"
cp -r "$tmp/run" "$tmp/nogp"
rm -rf "$tmp/nogp/plots" "$tmp/nogp/report.html"
mkdir -p "$tmp/nobin"
PATH=$tmp/nobin "$KIMSIM" report "$tmp/nogp" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "report without gnuplot: exit $rc, want 0"
grep -q 'gnuplot-nox' "$tmp/err" || fail "no warning naming gnuplot-nox"
grep -q 'gnuplot-nox' "$tmp/nogp/report.html" || fail "page without plots does not say why"
grep -q 'class="verdict-table"' "$tmp/nogp/report.html" || fail "page without plots lacks the verdict table"
ok "exit statuses and the page without gnuplot"

# ------------------------------------------------------------------ 3
cat >"$tmp/names.cfg" <<'EOF'
name = "names";
description = "Names with <markup> & \"quotes\"";
horizon_days = 200.0; warmup_days = 20.0; replications = 2; sample_days = 7.0;
case_types = ( { name = "standard"; share = 1.0;
                 duration = { dist = "exponential"; mean = 60.0; }; } );
municipalities = ( { name = "A&B <Süd> \"x\", O'Brien"; arrivals_per_year = 50.0; },
                   { name = "Bönen"; arrivals_per_year = 40.0; } );
posts = ( { name = "Post \"1\" & <2>"; fte = 0.5; serves = ["*"]; } );
EOF
"$KIMSIM" run "$tmp/names.cfg" -o "$tmp/names" --force --quiet || fail "run of names.cfg"
"$KIMSIM" report "$tmp/names" >/dev/null || fail "report of names.cfg"
for f in "$tmp"/names/plots/*.svg; do
  valid_xml "$f" || fail "$(basename "$f") with & < > \" in names is not well-formed"
done
grep -q 'A&amp;B &lt;Süd&gt; &quot;x&quot;, O&#39;Brien' "$tmp/names/report.html" \
  || fail "municipality name not escaped in the page"
grep -q 'Bönen' "$tmp/names/plots/waiting.svg" || fail "umlaut (Bönen) missing in waiting.svg"
ok "names with markup characters"

# ------------------------------------------------------------------ 4
# Decodes a PNG (8-bit RGB/RGBA, not interlaced) with zlib alone (no PIL)
# and prints: distinct colours, pixels in the verdict colours of the page's
# CSS, saturated pixels (max - min channel > 80: plot colours, not text).
# Filters Up and Sub run on whole rows as big integers, adding bytewise
# without carries (SWAR); Sub as a prefix sum by doubling.
cat >"$tmp/png.py" <<'EOF'
import collections, struct, sys, zlib
def rows_of(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, []
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat.append(body)
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6) and interlace == 0, 'unsupported PNG'
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(b''.join(idat)), w * bpp
    m7 = int.from_bytes(b'\x7f' * stride, 'big')
    m8 = int.from_bytes(b'\x80' * stride, 'big')
    def add(a, b):   # bytewise a + b mod 256 on big integers (SWAR)
        return ((a & m7) + (b & m7)) ^ ((a ^ b) & m8)
    prev, i, out = bytes(stride), 0, []
    for _ in range(h):
        f, line = raw[i], raw[i + 1:i + 1 + stride]
        i += 1 + stride
        if f == 2:
            line = add(int.from_bytes(line, 'big'), int.from_bytes(prev, 'big')).to_bytes(stride, 'big')
        elif f == 1:   # prefix sum with stride bpp by doubling
            x, k = int.from_bytes(line, 'big'), bpp
            while k < stride:
                x = add(x, (x >> 8 * k))
                k *= 2
            line = x.to_bytes(stride, 'big')
        elif f in (3, 4):
            b, line = prev, bytearray(line)
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                c = b[x - bpp] if x >= bpp else 0
                if f == 3:
                    line[x] = (line[x] + (a + b[x]) // 2) & 255
                else:
                    p = a + b[x] - c
                    pa, pb, pc = abs(p - a), abs(p - b[x]), abs(p - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b[x] if pb <= pc else c)) & 255
            line = bytes(line)
        out.append(line)
        prev = line
    return out, bpp
rows, bpp = rows_of(sys.argv[1])
count = collections.Counter()
for line in rows:
    count.update(zip(line[0::bpp], line[1::bpp], line[2::bpp]))
verdict = {(0xd9, 0xf0, 0xd3), (0xff, 0xe8, 0xb0), (0xf8, 0xc9, 0xc4)}
print(len(count), sum(count[c] for c in verdict),
      sum(n for c, n in count.items() if max(c) - min(c) > 80))
EOF
browser=""
for b in chromium chromium-browser; do
  command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
shot() {  # shot FILE.html OUT.png
  timeout 180 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" \
    --screenshot="$2" --window-size=1280,9000 "file://$1" >/dev/null 2>&1
}
if [ -z "$browser" ]; then
  echo "SKIP: chromium not installed"
elif ! command -v python3 >/dev/null 2>&1; then
  fail "python3 is needed to check the screenshot"
else
  shot "$html" "$tmp/shot.png"
  [ -s "$tmp/shot.png" ] || fail "chromium wrote no screenshot"
  python3 - "$html" "$tmp/noplots.html" <<'EOF'
import re, sys
page = open(sys.argv[1], encoding='utf-8').read()
open(sys.argv[2], 'w', encoding='utf-8').write(re.sub(r'(?s)<svg.*?</svg>', '', page))
EOF
  shot "$tmp/noplots.html" "$tmp/noplots.png"
  set -- $(python3 "$tmp/png.py" "$tmp/shot.png") x x x
  colours=$1 verdict_px=$2 sat=$3
  set -- $(python3 "$tmp/png.py" "$tmp/noplots.png") x x x
  sat0=$3
  echo "screenshot: $colours colours, $verdict_px verdict-coloured pixels, saturated $sat (without plots $sat0)"
  [ "$colours" != x ] && [ "$colours" -gt 100 ] || fail "screenshot looks blank ($colours colours)"
  [ "$verdict_px" != x ] && [ "$verdict_px" -gt 2000 ] || fail "verdict table colours not on screen"
  [ "$sat" != x ] && [ "$sat0" != x ] && [ "$sat" -gt $((sat0 + 20000)) ] \
    || fail "plots not rendered (saturated pixels $sat with plots, $sat0 without)"
  timeout 180 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" \
    --dump-dom "file://$html" >"$tmp/dom.html" 2>/dev/null
  grep -q 'class="verdict-table"' "$tmp/dom.html" || fail "rendered DOM lacks the verdict table"
  [ "$(grep -c '<svg' "$tmp/dom.html")" -ge 3 ] || fail "rendered DOM lacks the plots"
  timeout 180 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" \
    --no-pdf-header-footer --print-to-pdf="$tmp/report.pdf" "file://$html" >/dev/null 2>&1
  # A4 is 595.28 x 841.89 pt; the page's @page rule asks for it
  grep -a -q 'MediaBox *\[0 0 59[45]\.[0-9]* 84[12]\.[0-9]*\]' "$tmp/report.pdf" \
    || fail "report.html does not print on A4"
  ok "report.html in headless $browser (screen and A4 print)"
fi

# ------------------------------------------------------------------ 5
sed -n '/<!-- gnuplot-example-begin -->/,/<!-- gnuplot-example-end -->/p' docs/plotting.md \
  | grep -v '^<!--\|^```' >"$tmp/example.gp"
[ -s "$tmp/example.gp" ] || fail "no gnuplot example between the markers in docs/plotting.md"
out=$(sed -n "s/^set output '\([^']*\)'.*/\1/p" "$tmp/example.gp" | head -1)
[ -n "$out" ] || fail "the gnuplot example sets no output file"
(cd "$tmp/run" && gnuplot "$tmp/example.gp") >"$tmp/gp.log" 2>&1 || { fail "gnuplot example failed"; cat "$tmp/gp.log"; }
[ -n "$out" ] && [ -s "$tmp/run/$out" ] || fail "gnuplot example wrote no $out"
ok "gnuplot example of docs/plotting.md"

# ------------------------------------------------------------------ 6
"$KIMSIM" --help >"$tmp/help" 2>&1 || fail "kimsim --help exit status"
grep -q '^usage: kimsim' "$tmp/help" || fail "kimsim --help prints no usage"
cmds=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$tmp/help")
[ -n "$cmds" ] || fail "kimsim --help lists no commands"
for c in $cmds; do
  "$KIMSIM" "$c" --help >"$tmp/help.$c" 2>&1 || fail "kimsim $c --help: exit status $?"
  grep -q "usage: kimsim $c" "$tmp/help.$c" || fail "kimsim $c --help prints no usage"
  grep -q "^\.SS $c\b\|^\.SS \"$c\|^\.B kimsim $c\|^\.SS kimsim $c" kimsim.1 \
    || fail "kimsim.1 does not describe '$c'"
done
ok "--help of: $(echo $cmds)"

# ------------------------------------------------------------------ 7
dest=$tmp/dest
make -s install PREFIX=/usr/local DESTDIR="$dest" BUILD="${BUILD:-build}" >"$tmp/install.log" 2>&1 \
  || { fail "make install"; tail -20 "$tmp/install.log"; }
p=$dest/usr/local
for f in bin/kimsim share/man/man1/kimsim.1 share/kimsim/scenarios/default.cfg \
         share/doc/kimsim/csv.md share/doc/kimsim/plotting.md; do
  [ -s "$p/$f" ] || fail "make install did not install $f"
done
"$p/bin/kimsim" run "$p/share/kimsim/scenarios/default.cfg" -r 2 -o "$tmp/inst" --quiet \
  || fail "installed kimsim run"
head -1 "$tmp/inst/summary.csv" 2>/dev/null | grep -q '^scenario,variant,group,metric,n,mean' \
  || fail "installed run wrote no summary.csv"
[ "$(wc -l <"$tmp/inst/summary.csv" 2>/dev/null || echo 0)" -gt 10 ] || fail "installed run's summary.csv is short"
if command -v man >/dev/null 2>&1; then
  MANWIDTH=80 man -l "$p/share/man/man1/kimsim.1" 2>"$tmp/man.err" | grep -q 'kimsim report' \
    || fail "man -l kimsim.1 does not render"
  [ ! -s "$tmp/man.err" ] || { fail "man -l kimsim.1 warns"; cat "$tmp/man.err"; }
fi
make -s uninstall PREFIX=/usr/local DESTDIR="$dest" >/dev/null 2>&1 || fail "make uninstall"
left=$(find "$dest" -type f | sed "s|^$dest||")
[ -z "$left" ] || fail "make uninstall left: $left"
ok "make install / uninstall into DESTDIR"

# A paired comparison from one replication has no confidence interval:
# the page says so instead of calling a difference clear.
"$KIMSIM" run scenarios/default.cfg -r 1 --vary posts.diakonie-erkelenz.fte=1.0,1.5 \
  -o "$tmp/one" --force --quiet 2>/dev/null || fail "kimsim run -r 1 --vary"
"$KIMSIM" report "$tmp/one" >/dev/null 2>&1 || fail "kimsim report of one replication"
if grep -q "one replication: no confidence interval" "$tmp/one/report.html" \
   && ! grep -q "clearly" "$tmp/one/report.html"; then
  ok "one replication: no interval, nothing called clear"
else
  fail "one replication: the report calls a difference clear or shows a CI"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all report tests passed"
