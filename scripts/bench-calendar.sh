#!/usr/bin/env bash
# Benchmark (figures, not a test): the promotion calendar's month view on the peers' data (5,000
# promotions over 300 stores in 2026), measured with the peers' own harness (same Chromium, flags,
# 1280×800 viewport and end-of-render rule), beside FullCalendar measured in the same run.
#   scripts/bench-calendar.sh [RUNS]     # 5 runs by default; about 5 minutes after the builds
# PEERS_DIR: the peers folder (default ../shared/peers beside the repository); it is copied, as it is
# read-only, and its npm packages installed from the registry.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
ensure_test_tools
RUNS="${1:-5}"
PEERS_DIR="${PEERS_DIR:-$ROOT/../shared/peers}"
[ -d "$PEERS_DIR" ] || die "no peers folder at $PEERS_DIR (set PEERS_DIR)"
work="$(mktemp -d /tmp/yingxiao-bench-calendar.XXXXXX)"
trap 'kill ${SERVER_PID:-} 2>/dev/null || true; rm -rf "$work"' EXIT

peers="$ROOT/target/peers"
if [ ! -d "$peers/node_modules" ]; then
  say "copying the peers to target/peers and installing their npm packages"
  rm -rf "$peers" && cp -r "$PEERS_DIR" "$peers"
  (cd "$peers" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
(cd "$peers" && node gen-promos.js >/dev/null)

build_web_app
cargo build --quiet --profile server -p yingxiao-server
SERVER="$ROOT/target/server/yingxiao-server"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export BENCH_LOGIN=bench BENCH_PASSWORD=bench-password-1
printf '%s\n' "$BENCH_PASSWORD" | "$SERVER" user add --login "$BENCH_LOGIN" --role hq_marketing \
  --password-stdin --data-dir "$work/data" >/dev/null
"$SERVER" serve --addr "127.0.0.1:$PORT" --data-dir "$work/data" --dist "$ROOT/dist" >"$work/server.log" 2>&1 &
SERVER_PID=$!
wait_for_health "$PORT"
node end2end/bench/calendar-load.mjs "http://127.0.0.1:$PORT/" "$BENCH_LOGIN" "$BENCH_PASSWORD" \
  "$peers/data/promos-5000.json"

# January 2026 starts on a Thursday: its month grid starts on Monday 29 December 2025; February's
# on Monday 26 January. "Drawn" means every bar the month's lanes hold is in the DOM.
drawn() {
  echo "(() => { const c = document.querySelector('[data-testid=calendar]'); return !!c && !c.classList.contains('calendar-tall') && c.dataset.first === '$1' && +c.dataset.bars > 0 && document.querySelectorAll('[data-testid=calendar-bar]').length === +c.dataset.bars; })()"
}
say "the app: /promotions, January 2026, $RUNS fresh loads"
node "$peers/measure-url.js" --url "http://127.0.0.1:$PORT/promotions?date=2026-01-01" --runs "$RUNS" \
  --label app-calendar --out "$work/app.json" --setup "$ROOT/end2end/bench/calendar-login.cjs" \
  --ready "$(drawn 2025-12-29)" \
  --action "document.querySelector('[data-testid=calendar-next]').click()" --after "$(drawn 2026-01-26)" \
  --action "document.querySelector('[data-testid=view-week]').click()" \
  --after "!!document.querySelector('.calendar-tall [data-testid=calendar-bar]')" \
  --action "document.querySelector('[data-testid=view-month]').click()" --after "$(drawn 2026-01-26)" \
  | tail -n 20
# The year timeline of 300 stores, opened on January: complete when the rows in view (which cover
# the viewport) show every bar they should (`data-bars`, counted by the same pass that draws them).
timeline_drawn() {
  echo "(() => { const t = document.querySelector('[data-testid=timeline]'); return !!t && t.dataset.measured === 'true' && ($1) && +t.dataset.bars > 0 && t.querySelectorAll('[data-testid=calendar-bar]').length === +t.dataset.bars; })()"
}
say "the app: /promotions year timeline of 300 stores, $RUNS fresh loads"
node "$peers/measure-url.js" --url "http://127.0.0.1:$PORT/promotions?date=2026-01-01&view=timeline" --runs "$RUNS" \
  --label app-timeline --out "$work/app-timeline.json" --setup "$ROOT/end2end/bench/calendar-login.cjs" \
  --ready "$(timeline_drawn true)" \
  --action "(() => { const t = document.querySelector('[data-testid=timeline]'); t.scrollTop += t.clientHeight; window.__top = t.scrollTop; })()" \
  --after "$(timeline_drawn "+t.dataset.scrollTop === window.__top")" \
  --action "document.querySelector('[data-testid=calendar-next]').click()" \
  --after "$(timeline_drawn "+t.dataset.scrollLeft === 31 * 32")" \
  --action "document.querySelector('[data-testid=view-month]').click()" --after "$(drawn 2026-01-26)" \
  --action "document.querySelector('[data-testid=view-timeline]').click()" \
  --after "$(timeline_drawn "+t.dataset.scrollLeft === 31 * 32")" \
  | tail -n 16
node end2end/bench/timeline-frames.cjs "$peers/lib/harness.js" \
  "http://127.0.0.1:$PORT/promotions?date=2026-01-01&view=timeline"

say "the peers in the same run: FullCalendar (cal, cal-max), Bryntum Scheduler Pro and EventCalendar timelines"
(cd "$peers" && node run-peers.js --only cal,cal-max,bryntum-timeline,bryntum-timeline-year,ec-timeline \
  --runs "$RUNS" --out "$work/peers.json" | tail -n 60)

node -e '
const app = require(process.argv[1]), peers = require(process.argv[2]), timeline = require(process.argv[3]);
const median = (xs) => { const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const a = (k) => median(app.runs.filter((r) => r.ok).map((r) => r[k]));
const p = (suite, k) => median(peers.suites[suite].runs.filter((r) => r.ok).map((r) => r[k]));
const row = (what, ours, ref, refName) => console.log(`${what.padEnd(46)} ${ours.toFixed(1).padStart(8)} ms   ${refName.padEnd(28)} ${ref.toFixed(1).padStart(8)} ms   ${(ref / ours).toFixed(1)}×`);
console.log("\nmonth view, 5,000 promotions (medians)          app            peer, same run");
row("from navigation start to January drawn", a("ready_since_nav_ms"), p("cal", "render_since_nav_ms"), "FullCalendar since nav");
row("month drawn from memory (week → month)", a("step3_ms"), p("cal", "render_ms"), "FullCalendar render");
row("  against FullCalendar with +N more", a("step3_ms"), p("cal-max", "render_ms"), "FullCalendar dayMaxEvents");
row("next month (January → February)", a("step1_ms"), p("cal", "next_ms"), "FullCalendar next()");
row("  against FullCalendar with +N more", a("step1_ms"), p("cal-max", "next_ms"), "FullCalendar dayMaxEvents");
console.log(`app document elements: ${a("dom_elements")}; goal: 20× FullCalendar (render, next)`);
const t = (k) => median(timeline.runs.filter((r) => r.ok).map((r) => r[k]));
console.log("\nyear timeline, 300 stores (medians)             app            peer, same run");
row("from navigation start to the first full screen", t("ready_since_nav_ms"), p("bryntum-timeline-year", "render_since_nav_ms"), "Bryntum year since nav");
row("  against Bryntum with bars in the DOM", t("ready_since_nav_ms"), p("bryntum-timeline-year", "render_since_nav_ms") - p("bryntum-timeline-year", "render_ms") + p("bryntum-timeline-year", "render_dom_ms"), "Bryntum year, DOM only");
row("  against EventCalendar month timeline", t("ready_since_nav_ms"), p("ec-timeline", "render_since_nav_ms"), "EventCalendar since nav");
row("timeline drawn from memory (month → timeline)", t("step4_ms"), p("bryntum-timeline-year", "render_ms"), "Bryntum year render");
row("  against Bryntum with bars in the DOM", t("step4_ms"), p("bryntum-timeline-year", "render_dom_ms"), "Bryntum year, DOM only");
row("scroll one screen down", t("step1_ms"), p("bryntum-timeline-year", "scroll_ms"), "Bryntum year scroll");
row("next month", t("step2_ms"), p("bryntum-timeline", "next_ms"), "Bryntum shiftNext()");
console.log(`app timeline document elements: ${t("dom_elements")}; goal: first screen 10× Bryntum (render from data in memory, as the month view is compared), every scroll frame under 16 ms`);
' "$work/app.json" "$work/peers.json" "$work/app-timeline.json"
