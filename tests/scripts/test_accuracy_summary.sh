#!/usr/bin/env bash
# scripts/model_accuracy_summary.py: the rows model-accuracy.sh prints from a model file and its networks.csv; with a
# directory of noise-free network runs (the simulators'), each network row also gives the error against that truth.
#   test_accuracy_summary.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: test_accuracy_summary.sh SOURCE_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
summary=$src/scripts/model_accuracy_summary.py

mkdir -p "$tmp/plots" "$tmp/truth"
cat >"$tmp/model.json" <<'JSON'
{"cv": {"conv": {"cases": 10, "chosen": "physical", "nested_metrics": {"mape": 4.25, "wmape": 3.0, "coverage": 0.9},
 "time": {"nested_metrics": {"mape": 5.5}}, "leave_one_level_out": {"K": {"mape": 7.0, "n": 4}}}}}
JSON
# Predicted 1.10 J and 2.0 ms against a Net/ case read at 1.00 J and 2.5 ms, its layers alone 0.80 J.
cat >"$tmp/plots/networks.csv" <<'CSV'
name,layers,measured_J,predicted_J,predicted_lo_J,predicted_hi_J,measured_s,predicted_s,layers_measured_J,layers_measured_s,measured_rel_se
Net/alexnet,8,1.0,1.1,0.9,1.3,0.0025,0.002,0.8,0.0025,0.005
CSV
# Without noise the Net/ case reads 1.25 J and 2,000,000 ns.
cat >"$tmp/truth/alexnet.json" <<'JSON'
{"benchmarks": [{"name": "Net/alexnet", "run_type": "iteration", "energy_J": 1.25, "real_time": 2000000,
  "time_unit": "ns"}]}
JSON

python3 "$summary" "sim x" "$tmp/model.json" "$tmp/plots" >"$tmp/plain.md"
python3 "$summary" "sim x" "$tmp/model.json" "$tmp/plots" "$tmp/truth" >"$tmp/truth.md"
check "conv row: nested energy, time, worst level, coverage" has_line "$tmp/plain.md" \
  "| sim x | conv | 10 | physical | 4.2% | 3.0% | 5.5% | 7.0% (K) | 90.0% |"
check "network row: signed errors, the layers alone, the measurement's standard error" has_line "$tmp/plain.md" \
  "| sim x | Net/alexnet (8 layers, held out) | | network | +10.0% (Net/ +25.0% over its layers alone, measured ±0.5%) | | -20.0% (Net/ +0.0% over its layers alone) | | inside |"
check "without a truth directory, no noise-free figure" lacks_text "$tmp/plain.md" "noise-free"
check "with one: the error against the noise-free Net/ case, energy and time" has_line "$tmp/truth.md" \
  "| sim x | Net/alexnet (8 layers, held out) | | network | +10.0% (Net/ +25.0% over its layers alone, measured ±0.5%; -12.0% against the noise-free Net/) | | -20.0% (Net/ +0.0% over its layers alone; +0.0% against the noise-free Net/) | | inside |"
rm "$tmp/truth/alexnet.json"
python3 "$summary" "sim x" "$tmp/model.json" "$tmp/plots" "$tmp/truth" >"$tmp/missing.md"
check "a network without a noise-free run keeps its plain row" equals "$(cat "$tmp/missing.md")" "$(cat "$tmp/plain.md")"
check "bad usage is refused" bash -c "! python3 '$summary' only-a-label 2>/dev/null"
finish accuracy_summary
