#!/bin/sh
# Rebuild the vendored browser assets from the npm registry.
#   cd js && sh build.sh        (or: npm run vendor)
# Installs exactly what package-lock.json pins (npm ci), then writes to
# src/policykg/static/vendor/, with the licences and a MANIFEST.txt (versions
# and SHA-256 sums):
#   vis-network.min.js   the network view: the esnext builds of vis-network and
#                        vis-data (no polyfills, no eval), setting the global `vis`;
#   sparql-editor.min.js the /query page's editor: CodeMirror 6 with the SPARQL
#                        mode of @codemirror/legacy-modes, setting `PolicykgEditor`;
#   axe.min.js           axe-core, as published, for the accessibility tests.
# The output is byte-for-byte the same for the same lock file.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../src/policykg/static/vendor"
cd "$here"
npm ci --no-audit --no-fund
mkdir -p "$out"
rm -f "$out"/*
bundle() {
  ./node_modules/.bin/esbuild "$1" --bundle --minify --format=iife --target=es2020 \
    --legal-comments=inline --charset=utf8 --log-level=warning --outfile="$2"
}
bundle src/vis-entry.js "$out/vis-network.min.js"
cp node_modules/vis-network/LICENSE-APACHE-2.0 "$out/vis-network.LICENSE-APACHE-2.0"
cp node_modules/vis-network/LICENSE-MIT "$out/vis-network.LICENSE-MIT"

editor_pkgs="@codemirror/state @codemirror/view @codemirror/language @codemirror/legacy-modes
  @codemirror/streamparser @codemirror/commands @codemirror/autocomplete @lezer/common @lezer/highlight
  @lezer/lr @marijn/find-cluster-break crelt style-mod w3c-keyname"
bundle src/editor-entry.js "$out/sparql-editor.min.js"
for pkg in $editor_pkgs; do
  echo "==> $pkg (MIT) <=="
  cat "node_modules/$pkg/LICENSE"
  echo
done > "$out/sparql-editor.LICENSE"

cp node_modules/axe-core/axe.min.js "$out/axe.min.js"
cp node_modules/axe-core/LICENSE "$out/axe.LICENSE-MPL-2.0"
cp node_modules/axe-core/LICENSE-3RD-PARTY.txt "$out/axe.LICENSE-3RD-PARTY.txt"

v() { node -p "require('./node_modules/$1/package.json').version"; }
(
  echo "# Built by js/build.sh from the npm registry (js/package-lock.json); do not edit by hand."
  for pkg in vis-network vis-data vis-util @egjs/hammerjs component-emitter keycharm uuid $editor_pkgs \
             axe-core esbuild; do
    echo "$pkg $(v $pkg)"
  done
  cd "$out"
  for f in $(ls | grep -v '^MANIFEST.txt' | sort); do
    echo "$(sha256sum "$f" | cut -d' ' -f1)  $f"
  done
) > "$out/MANIFEST.txt.tmp"
mv "$out/MANIFEST.txt.tmp" "$out/MANIFEST.txt"
echo "vendored vis-network $(v vis-network), CodeMirror $(v @codemirror/view), axe-core $(v axe-core) into $out"
