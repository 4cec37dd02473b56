#!/usr/bin/env bash
# Prints the web app's download size (wasm + js + css), raw and brotli-compressed, per file and in total.
set -euo pipefail
dist="${1:-dist}"
total_raw=0 total_br=0
printf '%-48s %10s %10s\n' "file" "raw B" "brotli B"
while IFS= read -r file; do
  raw=$(wc -c <"$file")
  br=$(brotli -c -q 11 "$file" | wc -c)
  total_raw=$((total_raw + raw)) total_br=$((total_br + br))
  printf '%-48s %10d %10d\n' "${file#"$dist"/}" "$raw" "$br"
done < <(find "$dist" -maxdepth 1 -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \) | sort)
printf '%-48s %10d %10d   (%.1f KiB raw, %.1f KiB brotli)\n' "TOTAL" "$total_raw" "$total_br" \
  "$(awk "BEGIN{print $total_raw/1024}")" "$(awk "BEGIN{print $total_br/1024}")"
