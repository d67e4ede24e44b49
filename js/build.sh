#!/bin/sh
# Rebuild the vendored browser assets of the network view from the npm registry.
#   cd js && sh build.sh        (or: npm run vendor)
# Installs exactly what package-lock.json pins (npm ci), bundles the esnext
# builds of vis-network and vis-data (no polyfills, no eval) with esbuild into
# one script that sets the global `vis`, and writes it with the licences and a
# MANIFEST.txt (versions and SHA-256 sums) to src/policykg/static/vendor/.
# The output is byte-for-byte the same for the same lock file.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../src/policykg/static/vendor"
cd "$here"
npm ci --no-audit --no-fund
mkdir -p "$out"
rm -f "$out"/*
./node_modules/.bin/esbuild src/vis-entry.js --bundle --minify --format=iife --target=es2020 \
  --legal-comments=inline --charset=utf8 --log-level=warning --outfile="$out/vis-network.min.js"
cp node_modules/vis-network/LICENSE-APACHE-2.0 "$out/vis-network.LICENSE-APACHE-2.0"
cp node_modules/vis-network/LICENSE-MIT "$out/vis-network.LICENSE-MIT"
v() { node -p "require('./node_modules/$1/package.json').version"; }
(
  echo "# Built by js/build.sh from the npm registry (js/package-lock.json); do not edit by hand."
  for pkg in vis-network vis-data vis-util @egjs/hammerjs component-emitter keycharm uuid esbuild; do
    echo "$pkg $(v $pkg)"
  done
  cd "$out"
  for f in $(ls | grep -v '^MANIFEST.txt' | sort); do
    echo "$(sha256sum "$f" | cut -d' ' -f1)  $f"
  done
) > "$out/MANIFEST.txt.tmp"
mv "$out/MANIFEST.txt.tmp" "$out/MANIFEST.txt"
echo "vendored vis-network $(v vis-network) into $out"
