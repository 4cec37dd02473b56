#!/usr/bin/env bash
# Benchmark (figures, not a test): the org chart (/org) on the peers' 10,000-person tree, imported
# with `import-org` from the peers' own CSV, measured with the peers' harness (same Chromium, flags,
# 1280×800 viewport and end-of-render rule), beside d3-org-chart measured in the same run; then the
# frame intervals of panning and zooming the whole chart.
#   scripts/bench-org.sh [RUNS]     # 5 runs by default; about 8 minutes after the builds
# PEERS_DIR: the peers folder (default ../shared/peers beside the repository); it is copied, as it is
# read-only, and its npm packages installed from the registry.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
ensure_test_tools
RUNS="${1:-5}"
PEERS_DIR="${PEERS_DIR:-$ROOT/../shared/peers}"
[ -d "$PEERS_DIR" ] || die "no peers folder at $PEERS_DIR (set PEERS_DIR)"
work="$(mktemp -d /tmp/yingxiao-bench-org.XXXXXX)"
trap 'kill ${SERVER_PID:-} 2>/dev/null || true; rm -rf "$work"' EXIT

peers="$ROOT/target/peers"
if [ ! -d "$peers/node_modules" ]; then
  say "copying the peers to target/peers and installing their npm packages"
  rm -rf "$peers" && cp -r "$PEERS_DIR" "$peers"
  (cd "$peers" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
(cd "$peers" && node gen-org.js >/dev/null)

build_web_app
cargo build --quiet --profile server -p yingxiao-server
SERVER="$ROOT/target/server/yingxiao-server"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export BENCH_LOGIN=bench BENCH_PASSWORD=bench-password-1
printf '%s\n' "$BENCH_PASSWORD" | "$SERVER" user add --login "$BENCH_LOGIN" --role admin \
  --password-stdin --data-dir "$work/data" >/dev/null
say "importing the peers' 10,000 people (import-org)"
"$SERVER" import-org "$peers/data/org-10000.csv" --data-dir "$work/data" | tail -n 2
"$SERVER" serve --addr "127.0.0.1:$PORT" --data-dir "$work/data" --dist "$ROOT/dist" >"$work/server.log" 2>&1 &
SERVER_PID=$!
wait_for_health "$PORT"

# Laid out: the viewport says how many cards the layout placed, once the canvas is painted for the
# current view; every card in view that is readable is an element by then (same reactive pass).
laid() { echo "(() => { const v = document.querySelector('.org-viewport'); return !!v && v.dataset.laidOut === '$1' && ($2); })()"; }
# The wide node (E00564, 200 reports) manages 深圳直营大客户组, so it is that unit's card.
find_wide="(() => { const i = document.querySelector('[data-testid=org-search]'); i.value = '深圳直营大客户组'; i.dispatchEvent(new Event('input', { bubbles: true })); i.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })); })()"
open_all="(() => { const s = document.querySelector('[data-testid=org-level]'); s.value = 'all'; s.dispatchEvent(new Event('change', { bubbles: true })); })()"
toggle="document.querySelector('.org-card.focused .toggle').click()"
say "the app: /org with every card open, $RUNS fresh loads (the device holds the people already)"
node "$peers/measure-url.js" --url "http://127.0.0.1:$PORT/org?level=all" --runs "$RUNS" \
  --label app-org-all --out "$work/app-all.json" --setup "$ROOT/end2end/bench/calendar-login.cjs" \
  --ready "$(laid 10001 true)" | tail -n 8
say "the app: /org opened at two levels, then every card opened, the wide node found, closed and opened"
node "$peers/measure-url.js" --url "http://127.0.0.1:$PORT/org?level=2" --runs "$RUNS" \
  --label app-org --out "$work/app.json" --setup "$ROOT/end2end/bench/calendar-login.cjs" \
  --ready "!!document.querySelector('.org-viewport[data-laid-out]')" \
  --action "$open_all" --after "$(laid 10001 true)" \
  --action "$find_wide" --after "$(laid 10001 "!!document.querySelector('.org-card.focused .toggle')")" \
  --action "$toggle" --after "$(laid 9801 "document.querySelector('.org-card.focused .toggle').getAttribute('aria-expanded') === 'false'")" \
  --action "$toggle" --after "$(laid 10001 "document.querySelector('.org-card.focused .toggle').getAttribute('aria-expanded') === 'true'")" \
  | tail -n 16
node end2end/bench/org-frames.cjs "$peers/lib/harness.js" "http://127.0.0.1:$PORT/org?level=all"

say "the peers in the same run: d3-org-chart (org, org-default)"
(cd "$peers" && node run-peers.js --only org,org-default --runs "$RUNS" --out "$work/peers.json" | tail -n 30)

node -e '
const all = require(process.argv[1]), app = require(process.argv[2]), peers = require(process.argv[3]);
const median = (xs) => { const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const a = (r, k) => median(r.runs.filter((x) => x.ok).map((x) => x[k]));
const p = (suite, k) => median(peers.suites[suite].runs.filter((r) => r.ok).map((r) => r[k]));
const row = (what, ours, ref, refName) => console.log(`${what.padEnd(50)} ${ours.toFixed(1).padStart(8)} ms   ${refName.padEnd(30)} ${ref.toFixed(1).padStart(8)} ms   ${(ref / ours).toFixed(1)}×`);
console.log("\norg chart, 10,000 people (medians)                  app            peer, same run");
row("from navigation start to every card laid out", a(all, "ready_since_nav_ms"), p("org", "render_since_nav_ms"), "d3-org-chart since nav");
row("every card opened, from data in memory", a(app, "step1_ms"), p("org", "render_ms"), "d3-org-chart render+expandAll");
row("close the 200-report node", a(app, "step3_ms"), p("org", "collapse_ms"), "d3-org-chart collapse");
row("open it again", a(app, "step4_ms"), p("org", "expand_ms"), "d3-org-chart expand");
console.log(`app document elements, every card open: ${a(all, "dom_elements")} (d3-org-chart: ${p("org", "dom_elements")}); goal: 20× d3-org-chart on render and collapse/expand, every pan or zoom frame under 16 ms`);
' "$work/app-all.json" "$work/app.json" "$work/peers.json"
