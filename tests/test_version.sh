#!/usr/bin/env bash
# The commit id a build stamps into every results file is the tree it was
# built from: the HEAD commit, and "+dirty.<8 hex of SHA-256 of git diff
# HEAD>" when tracked files have uncommitted changes (so that --resume
# refuses a file written by a build of other edits). Skipped (77) outside
# a git checkout. Fails when the binary is older than the tree: rebuild.
#   test_version.sh HASHPIVOT SOURCE_DIR
set -u
bin=$1; root=$2
cd "$root" || exit 1
want=$(git rev-parse --short=12 HEAD 2>/dev/null) || { echo "skipped: not a git checkout"; exit 77; }
if [[ -n $(git status --porcelain --untracked-files=no) ]]; then
  want="$want+dirty.$(git diff HEAD --no-ext-diff --binary | sha256sum | cut -c1-8)"
fi
got=$("$bin" --version)
echo "tree: $want; binary: $got"
[[ $got == *"(commit $want,"* ]]
