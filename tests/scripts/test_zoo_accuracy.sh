#!/usr/bin/env bash
# scripts/zoo_accuracy.py and the zoo fixture: every zoo layer is a valid case; a model fitted on the simulated H200's
# model grid predicts the zoo's layers (never measured) within the figure model-accuracy.sh reports; the foreign
# form keeps nothing another harness would not have; bad usage exits 2.
#   test_zoo_accuracy.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?usage: test_zoo_accuracy.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: test_zoo_accuracy.sh SOURCE_DIR BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
zoo=$src/tests/fixtures/layers/torchvision-zoo.csv
script=$src/scripts/zoo_accuracy.py

check "zoo fixture: 1,200 distinct valid layers" \
  bash -c "'$build/energy_simulate' --grid '$zoo' --repetitions 1 --no-aggregates --out '$tmp/zoo.json' 2>&1 |
           grep -qF '1200 layers on h200'"
check "zoo fixture: no duplicate rows" equals "$(tail -n +2 "$zoo" | sort | uniq -d | wc -l)" 0

"$build/energy_simulate" --grid model --out "$tmp/grid.json" 2>/dev/null
"$build/energy_fit" --no-poly "$tmp/grid.json" --out "$tmp/model.json" >/dev/null 2>&1
python3 "$script" transfer "sim h200" "$tmp/model.json" "$tmp/zoo.json" "$build/energy_predict" >"$tmp/rows.md" \
  2>/dev/null
# The conv row: | label | zoo conv (...) | energy MAPE | median | wMAPE | time MAPE | coverage |
conv_mape=$(awk -F'|' '/zoo conv/ {gsub(/[ %]/, "", $4); print $4}' "$tmp/rows.md")
time_mape=$(awk -F'|' '/zoo conv/ {gsub(/[ %]/, "", $7); print $7}' "$tmp/rows.md")
covered=$(awk -F'|' '/zoo conv/ {gsub(/[ %]/, "", $8); print $8}' "$tmp/rows.md")
check "transfer prints a conv and an FC row" equals "$(grep -c '^| sim h200 | zoo \(conv\|fc\) (' "$tmp/rows.md")" 2
check "transfer leaves out the zoo layers the grid measured" has_text "$tmp/rows.md" "measured in the model's own runs, left out"
# 4.0% energy and 3.6% time on 2026-12-07 (model-accuracy.sh, section 1b): a model change that loses off-grid
# accuracy fails here.
check "zoo conv energy MAPE ${conv_mape}% <= 5%" awk -v v="$conv_mape" 'BEGIN { exit !(v > 0 && v <= 5) }'
check "zoo conv time MAPE ${time_mape}% <= 5%" awk -v v="$time_mape" 'BEGIN { exit !(v > 0 && v <= 5) }'
# The 90% interval on layers it was not calibrated on: 90.4% with 1x1 convs in their own cell (89.3% before).
check "zoo conv 90% interval covers ${covered}% >= 87%" awk -v v="$covered" 'BEGIN { exit !(v >= 87 && v <= 100) }'

python3 "$script" foreign "$tmp/zoo.json" "$tmp/foreign.json"
check "foreign: no hardware facts, counters or labels; power external" python3 -c "
import json, sys
d = json.load(open('$tmp/foreign.json'))
ctx = d['context']
bad = [k for k in ctx if k.startswith('gpu_') or k in ('backend', 'idle_W')]
bad += [k for b in d['benchmarks'] for k in b if k in ('kernels', 'blocks', 'threads_per_block', 'label', 'gpu_clock_MHz')]
sys.exit(1 if bad or ctx['power_source'] != 'external' or not all('energy_J' in b for b in d['benchmarks']) else 0)"
"$build/energy_fit" --no-poly "$tmp/foreign.json" --out "$tmp/foreign_model.json" --report "$tmp/foreign.md" \
  >/dev/null 2>&1
check "foreign: energy_fit fits the units itself" has_text "$tmp/foreign.md" "parallel units (SM count / threads) not in the context: fitted"

rc=0
python3 "$script" transfer only-two-args x >/dev/null 2>&1 || rc=$?
check "bad usage: exit 2" equals "$rc" 2
finish test_zoo_accuracy
