#!/bin/sh
# e2e_report_chromium: the report built from the fixture logs, opened in
# headless Chromium: the DOM holds both charts and the tables, the page
# renders to a PNG that is not blank and prints to a PDF.
. "$(dirname "$0")/lib.sh"
FIX=$TOP/tests/fixtures/logs
SESS=$XDG_DATA_HOME/floorcoach/sessions

if ! "$FC" --help 2>&1 | grep -q '^ *report '; then
    fail "floorcoach has no 'report' command (wire report_main into src/cli.c)"
    check_report
    exit 1
fi
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
    fail "chromium is not installed (Debian package 'chromium'; make test installs it)"
    check_report
    exit 1
fi

mkdir -p "$SESS"
cp "$FIX"/* "$SESS"/
umask 022
timeout 30 "$FC" report >"$TMP/out" 2>"$TMP/err"
check "report exits 0" test $? = 0
REPORT=$XDG_DATA_HOME/floorcoach/report.html
check "default report written to the data folder" test -s "$REPORT"
check "says where it wrote" grep -q "Wrote the report of 5 sessions to $REPORT" "$TMP/out"
check "report is private (0600)" test "$(stat -c %a "$REPORT")" = 600
check "no heard text on stderr" sh -c "! grep -Eqi 'bladder|tingling|script' '$TMP/err'"
check "no script element in the file" sh -c "! grep -qi '<script' '$REPORT'"
check "injected markup escaped" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$REPORT"
check "nothing fetched from the network" sh -c "! grep -Eq 'https?:|src=' '$REPORT'"
check "--since filters" sh -c "timeout 30 '$FC' report --since 2025-03-06 --out - 2>/dev/null | grep -q '2 sessions from 2025-03-07 to 2025-03-09'"
check "a bad --since is refused" sh -c "! timeout 30 '$FC' report --since yesterday --out '$TMP/x.html' 2>/dev/null"
check "--out writes elsewhere, 0600" sh -c "timeout 30 '$FC' report --out '$TMP/other.html' >/dev/null 2>&1 && test \"\$(stat -c %a '$TMP/other.html')\" = 600"

# Chromium: a fresh profile and home each time, no network, bounded by timeout.
chrome() {
    rm -rf "$TMP/profile" "$TMP/home"
    mkdir -p "$TMP/profile" "$TMP/home"
    HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config XDG_CACHE_HOME=$TMP/home/.cache \
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-quic --user-data-dir="$TMP/profile" --hide-scrollbars "$@" \
        "file://$REPORT" 2>>"$TMP/chromium.log"
}
chrome --dump-dom >"$TMP/dom.html"
check "chromium dumped the DOM" test -s "$TMP/dom.html"
chrome --window-size=1000,2600 --screenshot="$TMP/report.png" >/dev/null
check "chromium rendered a PNG" test -s "$TMP/report.png"
chrome --print-to-pdf="$TMP/report.pdf" --no-pdf-header-footer >/dev/null
check "chromium printed a PDF" sh -c "test -s '$TMP/report.pdf' && head -c 5 '$TMP/report.pdf' | grep -q '%PDF-'"

check "DOM: both charts, the tables and the disclaimer are there and not empty" \
    python3 - "$TMP/dom.html" <<'EOF'
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    """Counts what lies inside the elements with the ids we look for."""
    def __init__(self):
        super().__init__()
        self.stack = []          # (tag, id) of open elements
        self.found = {}          # id -> {tag: count, '_text': str, '_d': [path data]}
        self.scripts = 0
    def inside(self):
        return [i for _, i in self.stack if i]
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'script':
            self.scripts += 1
        for i in self.inside():
            f = self.found[i]
            f[tag] = f.get(tag, 0) + 1
            if tag == 'path' and a.get('d'):
                f['_d'].append(a['d'])
        if a.get('id'):
            self.found.setdefault(a['id'], {'_text': '', '_d': []})
        if tag not in ('circle', 'rect', 'line', 'path', 'meta', 'br', 'img', 'input'):
            self.stack.append((tag, a.get('id')))
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
    def handle_endtag(self, tag):
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                break
    def handle_data(self, data):
        for i in self.inside():
            self.found[i]['_text'] += data

d = Dom()
d.feed(open(sys.argv[1], encoding='utf-8').read())
f = d.found
problems = []
for chart in ('pain-chart', 'location-chart'):
    c = f.get(chart)
    if not c:
        problems.append(chart + ' missing')
        continue
    if c.get('svg', 0) < 1:
        problems.append(chart + ' has no svg')
    if c.get('circle', 0) < 4 or c.get('rect', 0) < 3:
        problems.append(chart + ' has too few markers: %r' % c)
    if not any(len(p) > 10 for p in c['_d']):
        problems.append(chart + ' has no drawn line')
for table, rows in (('exercise-table', 5), ('safety-table', 4), ('session-table', 5)):
    t = f.get(table)
    if not t:
        problems.append(table + ' missing')
    elif t.get('tr', 0) < rows + 1 or t.get('td', 0) < rows * 4:
        problems.append(table + ' too small: %r' % {k: v for k, v in t.items() if k[0] != '_'})
if 'location-chart' in f:
    for word in ('back', 'buttock', 'thigh', 'knee', 'calf', 'foot'):
        if word not in f['location-chart']['_text']:
            problems.append('location axis lacks ' + word)
s = f.get('safety-table', {}).get('_text', '')
for words in ('“yes” to “Is there any numbness between your legs', 'pain down my leg', 'RED FLAG',
              '<script>alert(1)</script>'):
    if words not in s:
        problems.append('safety table lacks %r' % words)
if d.scripts:
    problems.append('%d script elements' % d.scripts)
page = open(sys.argv[1], encoding='utf-8').read()
if 'floorcoach does not replace a clinician' not in page:
    problems.append('no disclaimer')
if problems:
    print('\n'.join(problems))
    sys.exit(1)
EOF

check "PNG is not blank, and both charts drew dark ink" python3 - "$TMP/report.png" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', None
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
nonwhite = dark = 0
dark_rows = 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    row_dark = 0
    for x in range(0, stride, bpp):
        r, g, bl = line[x], line[x + 1], line[x + 2]
        if r < 245 or g < 245 or bl < 245:
            nonwhite += 1
        if r + g + bl < 300:
            row_dark += 1
    dark += row_dark
    dark_rows += row_dark > 0
    prev = line
total = w * h
print('%dx%d: %.1f%% not white, %.1f%% dark, %d rows with ink' %
      (w, h, 100.0 * nonwhite / total, 100.0 * dark / total, dark_rows))
assert nonwhite > total * 0.03, 'the page is nearly blank'
assert dark_rows > h * 0.3, 'too little text or drawing'
EOF

check "PDF has at least one page" grep -aq '/Count [1-9]' "$TMP/report.pdf"

check_report
