#!/usr/bin/env bash
# The CI regression gate: the workflow's own energy_compare command line (scripts/compare-to-baseline.sh) on stored
# synthetic result files, the fixtures' reproducibility, and scripts/promote-baseline.sh's checks.
#   test_regression_gate.sh SOURCE_DIR ENERGY_COMPARE
set -euo pipefail
src=${1:?usage: test_regression_gate.sh SOURCE_DIR ENERGY_COMPARE}
export ENERGY_COMPARE=${2:?usage: test_regression_gate.sh SOURCE_DIR ENERGY_COMPARE}
results=$src/tests/fixtures/results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

# The workflow's comparison step runs this very script on the board's baseline and the quick run.
# shellcheck disable=SC2016 # the literal text of the workflow step
check "workflow calls compare-to-baseline.sh" \
  grep -qF 'scripts/compare-to-baseline.sh "results/baselines/$BOARD.json" quick.json' "$src/.github/workflows/jetson.yml"

# The stored fixtures are what the generator writes (seeded, reproducible).
python3 "$src/scripts/make-regression-fixture.py" "$tmp/gen"
for f in regression_base.json regression_new.json regression_noise.json; do
  check "fixture $f reproducible" cmp -s "$tmp/gen/$f" "$results/$f"
done

compare() { # base new -> exit status; stdout to $tmp/out.md
  local rc=0
  bash "$src/scripts/compare-to-baseline.sh" "$1" "$2" >"$tmp/out.md" 2>"$tmp/out.err" || rc=$?
  echo "$rc"
}
check "10% regression on one case: exit 1" equals "$(compare "$results/regression_base.json" "$results/regression_new.json")" 1
check "regression: the case is named" has_text "$tmp/out.md" \
  "| Conv/N:1/C:64/H:28/W:28/K:64/R:3/S:3/stride:1/pad:1/groups:1 | energy |"
check "regression: verdict line" has_text "$tmp/out.md" "**Significant regression**"
check "same cases, new noise: exit 0" equals "$(compare "$results/regression_base.json" "$results/regression_noise.json")" 0
check "no regression: verdict line" has_text "$tmp/out.md" "**No significant regression.**"
check "unreadable baseline: exit 2" equals "$(compare "$tmp/missing.json" "$results/regression_new.json")" 2
check "usage: exit 2" bash -c "bash '$src/scripts/compare-to-baseline.sh' onlyone >/dev/null 2>&1; [ \$? -eq 2 ]"

# promote-baseline.sh: refuses synthetic fixtures, interrupted runs, too few repetitions; promotes a valid run.
promote() { # args -> exit status
  local rc=0
  bash "$src/scripts/promote-baseline.sh" --out-dir "$tmp/baselines" "$@" >"$tmp/promote.out" 2>"$tmp/promote.err" || rc=$?
  echo "$rc"
}
check "promote: synthetic refused" equals "$(promote "$results/regression_base.json" jetson-orin)" 1
check "promote: says synthetic" has_text "$tmp/promote.err" "synthetic"
python3 - "$results/regression_base.json" "$tmp/release.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("synthetic", "note"):
    d["context"].pop(k)
d["context"]["layer_energy_git_sha"] = "0123abc"
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF
check "promote: valid run" equals "$(promote "$tmp/release.json" jetson-orin)" 0
check "promote: file written" test -s "$tmp/baselines/jetson-orin.json"
python3 - "$tmp/baselines/jetson-orin.json" >"$tmp/prov.txt" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["context"]
for k in ("baseline_board", "baseline_promoted_from", "baseline_run_git_sha"):
    print("%s=%s" % (k, c[k]))
print("has_date=%s" % bool(c.get("baseline_promoted_utc")))
print("has_sha=%s" % bool(c.get("baseline_promoted_at_git_sha")))
EOF
printf '%s\n' baseline_board=jetson-orin baseline_promoted_from=release.json baseline_run_git_sha=0123abc has_date=True \
  has_sha=True >"$tmp/prov.expected"
check "promote: provenance in the context" diff -u "$tmp/prov.expected" "$tmp/prov.txt"
check "promoted baseline vs itself: exit 0" equals "$(compare "$tmp/baselines/jetson-orin.json" "$tmp/release.json")" 0
check "promote: existing kept without --force" equals "$(promote "$tmp/release.json" jetson-orin)" 1
check "promote: --force replaces" equals "$(promote --force "$tmp/release.json" jetson-orin)" 0
check "promote: truncated run refused" equals "$(promote "$results/truncated.json" jetson-xavier-nx)" 1
python3 - "$tmp/release.json" "$tmp/few.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["benchmarks"] = [b for b in d["benchmarks"] if b.get("repetition_index", 0) < 3]
json.dump(d, open(sys.argv[2], "w"))
EOF
check "promote: 3 repetitions refused" equals "$(promote "$tmp/few.json" jetson-xavier-nx)" 1
check "promote: says repetitions" has_text "$tmp/promote.err" "fewer than 5 repetitions"
check "promote: bad board name" equals "$(promote "$tmp/release.json" 'Jetson Orin')" 2
check "promote: nothing written for refused runs" test ! -e "$tmp/baselines/jetson-xavier-nx.json"

finish "regression gate"
