#!/usr/bin/env bash
# docs/parameters.md must be exactly what `hashpivot params` prints, so the
# reference in the repository cannot drift from the declarations.
set -u
bin=$1; doc=$2
out=$(mktemp); trap 'rm -f "$out"' EXIT
if ! "$bin" params >"$out"; then
  echo "FAIL: '$bin params' exited non-zero"; exit 1
fi
if ! diff -u "$doc" "$out"; then
  echo "FAIL: docs/parameters.md is out of date with the parameter declarations."
  echo "Regenerate it from the source root with:  build/hashpivot params > docs/parameters.md"
  exit 1
fi
echo "docs/parameters.md is current ($(grep -c '^| `' "$doc") parameters)"
