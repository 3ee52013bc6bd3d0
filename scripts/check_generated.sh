#!/usr/bin/env bash
# Fail if generated/capella_api differs from a fresh generation of spec/openapi.yaml.
# Usage: bash scripts/check_generated.sh   (run from anywhere; `make check-generated` does this)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="${GENERATE_PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=python3; fi
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if ! "$python" scripts/generate.py "$tmp/capella_api" >"$tmp/generate.log" 2>&1; then
  cat "$tmp/generate.log" >&2
  echo "check_generated: generation failed" >&2
  exit 1
fi

excludes=(--exclude=__pycache__ --exclude=.ruff_cache)
if [ ! -d generated/capella_api ]; then
  echo "check_generated: generated/capella_api is missing: run 'make generate'" >&2
  exit 1
fi
if ! diff -ru "${excludes[@]}" "$tmp/capella_api" generated/capella_api >"$tmp/diff.txt"; then
  echo "check_generated: generated/capella_api is stale (it differs from spec/openapi.yaml):" >&2
  diff -rq "${excludes[@]}" "$tmp/capella_api" generated/capella_api \
    | sed -e "s#$tmp/capella_api#<fresh>#g" -e 's/^/  /' >&2 || true
  echo "hint: run 'make generate' and commit the result" >&2
  exit 1
fi
echo "check_generated: generated/capella_api is up to date"
