#!/usr/bin/env bash
# The regression gate's one command line (CI's Jetson jobs and the tests both run this script):
#   compare-to-baseline.sh BASE.json NEW.json
# Runs energy_compare on energy with a 5 % threshold and a one-sided Mann-Whitney U test at alpha 0.05, prints a
# Markdown section (heading, energy_compare's table, verdict) on stdout, and exits with energy_compare's status:
# 0 no significant regression, 1 a significant regression beyond the threshold, 2 an error (unreadable input, ...).
# ENERGY_COMPARE=PATH selects the binary (default: build/energy_compare of this checkout, else energy_compare on PATH).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BASE.json NEW.json" >&2
  exit 2
fi
base=$1
new=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
tool=${ENERGY_COMPARE:-}
if [ -z "$tool" ]; then
  if [ -x "$repo/build/energy_compare" ]; then
    tool=$repo/build/energy_compare
  else
    tool=$(command -v energy_compare || true)
  fi
fi
if [ -z "$tool" ] || [ ! -x "$tool" ]; then
  echo "compare-to-baseline: energy_compare not found (build it, or set ENERGY_COMPARE=PATH)" >&2
  exit 2
fi

threshold=5%
alpha=0.05
metric=energy
echo "### Energy per case: $(basename "$new") against $(basename "$base")"
echo
echo "One-sided Mann-Whitney U over repetitions, alpha $alpha; a regression is a significant increase of the median by more than $threshold."
echo
rc=0
"$tool" "$base" "$new" --threshold "$threshold" --alpha "$alpha" --metric "$metric" || rc=$?
echo
case $rc in
  0) echo "**No significant regression.**" ;;
  1) echo "**Significant regression** (energy up by more than $threshold at alpha $alpha): see the rows marked as regressions." ;;
  *) echo "**energy_compare failed (exit $rc)**: see the job log." ;;
esac
exit "$rc"
