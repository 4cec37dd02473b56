#!/usr/bin/env bash
# Checks the layout rules of ARCHITECTURE.md that a machine can check: grep over the sources, no build,
# no network, well under a second. Each rule is one function that prints the rule in words, then either
# "ok" or every offending line, and fails when the rule is broken; all rules run, and the script fails
# if any did. To add a rule, write a `rule_…` function and add its name to RULES.
# No pipefail: grep finding nothing is the good case; a rule's result is what `offences` says.
set -u
cd "$(dirname "$0")/.."

# Prints each offending line (from stdin) under the rule and fails when there is one.
offences() {
  local lines
  lines="$(cat)"
  if [ -z "$lines" ]; then
    echo "  ok"
    return 0
  fi
  sed 's/^/  broken: /' <<<"$lines"
  return 1
}

# The Rust files under a directory, leaving out one of its subdirectories.
rust_files_outside() {
  find "$1" -path "$2" -prune -o -name '*.rs' -print
}

rule_server_modules_outside_http_never_import_http() {
  echo "server: no module outside server/src/http/ imports http/ — they return their own error types, which"
  echo "        only http/ turns into status codes (no crate::http, super::http or http::error, also not"
  echo "        inside a use crate::{…} list)"
  local files
  mapfile -t files < <(rust_files_outside server/src server/src/http)
  {
    grep -nHE 'crate::http|super::http|http::error' "${files[@]}"
    grep -lPz '(?s)\bcrate::\{[^;]*\bhttp\b' "${files[@]}" | sed 's/$/: names http in a use crate::{…} list/'
  } | offences
}

rule_core_uses_no_server_or_browser_crate() {
  echo "core: core/src uses no I/O, server or browser crate (sqlx, axum, web_sys, js_sys, leptos,"
  echo "      wasm_bindgen, tokio): it is plain rules that build for wasm32 and native alike"
  local names='sqlx|axum|web_sys|js_sys|leptos|wasm_bindgen|tokio'
  # Code only: a path, a use, an attribute or an extern crate; comments may name them.
  grep -rnE --include='*.rs' "\b($names)::|\buse ($names)\b|#!?\[\s*($names)\b|extern crate ($names)\b" core/src |
    grep -vE '^[^:]+:[0-9]+:\s*//' | offences
}

rule_a_page_imports_no_other_page() {
  echo "web: a page imports no other page — src/pages/<feature>/ names no other feature's module; what two"
  echo "     features share lives in src/components/ (interface) or src/data/ (read models)"
  local dir feature
  for dir in src/pages/*/; do
    feature="$(basename "$dir")"
    grep -rnHE --include='*.rs' "crate::pages::|super::super::" "$dir" |
      grep -vE "crate::pages::${feature}\b" |
      grep -vE '^[^:]+:[0-9]+:\s*//'
  done | offences
}

rule_pages_never_call_the_network() {
  echo "web: pages and components never call the network — they read and change the device's data"
  echo "     (src/data/) or the session (src/session.rs); only src/api.rs speaks HTTP"
  grep -rnHE --include='*.rs' '\bapi::[a-z_]+\(|gloo_net|web_sys::Request\b|fetch_with_' src/pages src/components |
    grep -vE '^[^:]+:[0-9]+:\s*//' | offences
}

rule_core_knows_no_web_app_or_server() {
  echo "core: core/ depends on neither the web app nor the server (its Cargo.toml names neither crate)"
  grep -nHE '^\s*(yingxiao|yingxiao-server)\s*=' core/Cargo.toml | offences
}

RULES=(
  rule_server_modules_outside_http_never_import_http
  rule_core_uses_no_server_or_browser_crate
  rule_core_knows_no_web_app_or_server
  rule_a_page_imports_no_other_page
  rule_pages_never_call_the_network
)

broken=0
for rule in "${RULES[@]}"; do
  "$rule" || broken=$((broken + 1))
done
if [ "$broken" -gt 0 ]; then
  echo "check-layout: $broken of ${#RULES[@]} rules broken (see ARCHITECTURE.md)" >&2
  exit 1
fi
echo "check-layout: all ${#RULES[@]} rules hold"
