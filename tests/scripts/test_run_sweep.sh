#!/usr/bin/env bash
# scripts/run-sweep.sh: --dry-run (fresh, and after an interrupted part: --resume from the merged parts), refusal of a
# finished sweep, and a real small sweep on the CPU backend that is interrupted after its FC cases and resumed.
#   test_run_sweep.sh SOURCE_DIR [LAYER_BENCH ENERGY_FIT]
set -euo pipefail
src=${1:?usage: test_run_sweep.sh SOURCE_DIR [LAYER_BENCH ENERGY_FIT]}
layer_bench=${2:-}
energy_fit=${3:-}
sweep=$src/scripts/run-sweep.sh
orin=$src/tests/fixtures/sysfs/agx-orin-r36
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

# 1. Fresh dry run on the AGX Orin tree: board named from the model, board prepared, the recommended flags.
out=$tmp/r1
dir=$out/jetson-agx-orin/2024-05-01
rc=0
bash "$sweep" --dry-run --out-root "$out" --root "$orin" --date 2024-05-01 --layer-bench /opt/lb --energy-fit /opt/ef \
  >"$tmp/fresh.out" 2>"$tmp/fresh.err" || rc=$?
check "fresh dry-run: exit 0" equals "$rc" 0
check "fresh dry-run: prepared through jetson-prepare.sh run" has_text "$tmp/fresh.out" \
  "scripts/jetson-prepare.sh --root $orin --state-file $dir/board-state.txt run -- /opt/lb --grid=paper --benchmark_repetitions=5 --energy_rel_err=0.02 --benchmark_out=$dir/paper.json --benchmark_out_format=json --power_trace_out=$dir/trace.csv --power_sysfs_root=$orin"
check "fresh dry-run: no --resume" lacks_text "$tmp/fresh.out" "--resume"
check "fresh dry-run: fit" has_text "$tmp/fresh.out" \
  "would run: /opt/ef $dir/paper.json --out $dir/model.json --report $dir/report.md --plots $dir/plots"
check "fresh dry-run: nothing created" test ! -e "$out"

# 2. After an interrupted run (paper.json + trace.csv + the .incomplete marker): part kept, merged, resumed.
mkdir -p "$dir"
cp "$src/tests/fixtures/results/truncated.json" "$dir/paper.json"
: >"$dir/trace.csv"
touch "$dir/.incomplete"
rc=0
bash "$sweep" --dry-run --out-root "$out" --root "$orin" --layer-bench /opt/lb --energy-fit /opt/ef -- --precision=fp16 \
  >"$tmp/resume.out" 2>"$tmp/resume.err" || rc=$?
check "resume dry-run: exit 0" equals "$rc" 0
check "resume dry-run: picks the unfinished sweep's folder" has_text "$tmp/resume.err" "results in $dir"
check "resume dry-run: part kept" has_text "$tmp/resume.out" "would run: mv $dir/paper.json $dir/paper.part1.json"
check "resume dry-run: trace kept" has_text "$tmp/resume.out" "would run: mv $dir/trace.csv $dir/trace.part1.csv"
check "resume dry-run: parts merged" has_text "$tmp/resume.out" "would run: merge_parts $dir/resume.json $dir/paper.part1.json"
check "resume dry-run: layer_bench resumes" has_text "$tmp/resume.out" \
  "--power_sysfs_root=$orin --resume=$dir/resume.json --precision=fp16"
check "resume dry-run: fit on every part" has_text "$tmp/resume.out" "would run: /opt/ef $dir/paper.part1.json $dir/paper.json --out"
check "resume dry-run: nothing moved" test -e "$dir/paper.json"

# 3. A finished sweep is not overwritten.
rm "$dir/.incomplete"
rc=0
bash "$sweep" --dry-run --out-root "$out" --root "$orin" --date 2024-05-01 --layer-bench /opt/lb >/dev/null 2>"$tmp/done.err" || rc=$?
check "finished sweep: exit 1" equals "$rc" 1
check "finished sweep: says so" has_text "$tmp/done.err" "finished sweep"

# Not a Jetson: no prepare step.
bash "$sweep" --dry-run --out-root "$tmp/r3" --root "$src/tests/fixtures/sysfs/rapl-intel" --board cpu-test \
  --layer-bench /opt/lb --energy-fit /opt/ef >"$tmp/cpu.out" 2>&1
check "not a Jetson: no jetson-prepare" lacks_text "$tmp/cpu.out" "jetson-prepare"
check "not a Jetson: layer_bench run" has_text "$tmp/cpu.out" "would run: /opt/lb --grid=paper"

# 4. A real sweep, interrupted after the FC cases (a wrapper runs only them, then exits 130), then resumed.
if [ -n "$layer_bench" ] && [ -x "$layer_bench" ] && [ -n "$energy_fit" ] && [ -x "$energy_fit" ]; then
  cat >"$tmp/interrupted_bench" <<EOF
#!/usr/bin/env bash
"$layer_bench" "\$@" --benchmark_filter=FC
exit 130
EOF
  chmod +x "$tmp/interrupted_bench"
  real=$tmp/r4
  rdir=$real/test-cpu/2024-06-01
  args=(--out-root "$real" --board test-cpu --date 2024-06-01 --grid "$src/tests/fixtures/layers_small.csv"
    --repetitions 5 --no-prepare --energy-fit "$energy_fit" --
    --backend=cpu --power=replay:"$src/tests/fixtures/traces/constant_5w.csv" --idle_s=0 --benchmark_min_time=0.01)
  rc=0
  bash "$sweep" --layer-bench "$tmp/interrupted_bench" "${args[@]}" >"$tmp/run1.out" 2>"$tmp/run1.err" || rc=$?
  check "interrupted: exit 130" equals "$rc" 130
  check "interrupted: marker kept" test -e "$rdir/.incomplete"
  check "interrupted: says how to resume" has_text "$tmp/run1.err" "run the same command again to resume"
  check "interrupted: no model" test ! -e "$rdir/model.json"
  rc=0
  bash "$sweep" --layer-bench "$layer_bench" "${args[@]}" >"$tmp/run2.out" 2>"$tmp/run2.err" || rc=$?
  check "resumed: exit 0" equals "$rc" 0
  check "resumed: 3 FC cases skipped" has_text "$tmp/run2.err" "--resume: 3 cases already in $rdir/resume.json"
  check "resumed: 5 left" has_text "$tmp/run2.err" "5 case(s) left to measure"
  check "resumed: first part kept" test -s "$rdir/layers_small.part1.json"
  check "resumed: trace kept" test -s "$rdir/trace.part1.csv"
  check "resumed: new trace" test -s "$rdir/trace.csv"
  python3 - "$rdir/layers_small.part1.json" "$rdir/layers_small.json" >"$tmp/cases.txt" <<'EOF'
import json, sys
for path in sys.argv[1:]:
    runs = [b for b in json.load(open(path))["benchmarks"] if b.get("run_type") == "iteration"]
    kinds = sorted(set(b["run_name"].split("/")[0] for b in runs))
    print("%s cases=%d reps=%d" % (",".join(kinds), len(set(b["run_name"] for b in runs)), len(runs)))
EOF
  printf '%s\n' "FC cases=3 reps=15" "Conv cases=5 reps=25" >"$tmp/cases.expected"
  check "resumed: no case measured twice" diff -u "$tmp/cases.expected" "$tmp/cases.txt"
  check "resumed: model" test -s "$rdir/model.json"
  check "resumed: report" test -s "$rdir/report.md"
  check "resumed: command.txt" has_text "$rdir/command.txt" "--resume=$rdir/resume.json"
  check "resumed: fit on both parts" has_text "$rdir/command.txt" "$rdir/layers_small.part1.json $rdir/layers_small.json --out"
  check "resumed: marker gone" test ! -e "$rdir/.incomplete"
else
  echo "note: no layer_bench/energy_fit given: the real interrupted-and-resumed sweep is not run" >&2
fi

finish "run-sweep"
