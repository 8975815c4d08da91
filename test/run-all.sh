#!/usr/bin/env bash
# Runs every test file. Node 20's `node --test` does not expand globs, so bash does; a run
# that finds no test file fails instead of passing vacuously.
set -euo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."
files=(test/**/*.test.ts)
if [ ${#files[@]} -eq 0 ]; then
  echo "no test files found under test/" >&2
  exit 1
fi
exec node --import tsx --test --test-reporter=spec "$@" "${files[@]}"
