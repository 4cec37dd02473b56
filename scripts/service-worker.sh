#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml): writes sw.js into the build from web/sw.template.js, listing every
# file trunk produced (hashed names included) as the shell to precache, with a version derived from the
# contents of those files and of the template. Run by trunk with TRUNK_STAGING_DIR set; by hand:
#   TRUNK_STAGING_DIR=dist scripts/service-worker.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
template="$root/web/sw.template.js"
staging="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook, or set TRUNK_STAGING_DIR to a built dist/}"
cd "$staging"
[ -f index.html ] || { echo "service-worker.sh: no index.html in $staging" >&2; exit 1; }

# Everything trunk wrote except the worker itself and the brotli copies (scripts/precompress.sh, run
# beside this hook: the browser asks for the file, the server picks the copy); index.html is precached as `./`, the URL the server
# answers with its base-path rewrite.
files=()
while IFS= read -r file; do
  # The names go into a JavaScript string literal unescaped: allow only what trunk and public/ produce.
  [[ "$file" =~ ^[A-Za-z0-9._/-]+$ ]] || { echo "service-worker.sh: unexpected file name: $file" >&2; exit 1; }
  files+=("$file")
done < <(find . -type f ! -name sw.js ! -name index.html ! -name '.*' ! -name '*.br' | sed 's|^\./||' | LC_ALL=C sort)

shell="'./'"
for file in "${files[@]}"; do
  shell+=", './$file'"
done
version=$( { sha256sum -- "$template" index.html "${files[@]}" | cut -d' ' -f1; } | sha256sum | cut -c1-16)

template_text=$(<"$template")
[[ "$template_text" == *"'__VERSION__'"* && "$template_text" == *"'__SHELL__'"* ]] \
  || { echo "service-worker.sh: $template lost a placeholder" >&2; exit 1; }
# Quoted patterns and replacements: no glob or `&` substitution in the names.
template_text=${template_text/"'__VERSION__'"/"'$version'"}
template_text=${template_text/"'__SHELL__'"/"$shell"}
printf '%s\n' "$template_text" >sw.js
echo "service-worker.sh: sw.js precaches ${#files[@]} files + index, version $version" >&2
