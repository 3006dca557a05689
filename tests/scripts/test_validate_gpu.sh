#!/usr/bin/env bash
# scripts/validate-gpu.sh on a machine without a GPU (--backend=cpu, a replayed power trace that varies, short grids),
# so the one device call is not the script's first run: every step runs, OUT holds the promised files and nothing
# else, the independent reader agrees with layer_bench on every window, the summary judges what it read (a reader
# 5% off is caught), a time box stops a step and keeps its finished cases, bad arguments exit 2, and the reader's
# NVML path reads the fake NVML.
#   test_validate_gpu.sh SOURCE_DIR BUILD_DIR [FAKE_NVML_SO]
set -uo pipefail
src=${1:?usage: test_validate_gpu.sh SOURCE_DIR BUILD_DIR [FAKE_NVML_SO]}
build=${2:?usage: test_validate_gpu.sh SOURCE_DIR BUILD_DIR [FAKE_NVML_SO]}
fake_nvml=${3:-}
command -v python3 >/dev/null || { echo "SKIPPED: no python3 (the reader and the summary are Python)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
script=$src/scripts/validate-gpu.sh

# A power trace that is not constant (6 +- 4 W, period 1.3 s): a window integrated at the wrong edges shows.
python3 -c "
import math
print('t_s,rail,value,unit')
for i in range(200):
    print(f'{i * 0.05:.3f},VDD_IN,{6 + 4 * math.sin(2 * math.pi * i * 0.05 / 1.3):.4f},W')
" >"$tmp/trace.csv"
small=$src/tests/fixtures/layers_small.csv
cpu=(--backend=cpu --power=replay:"$tmp/trace.csv" --build-dir="$build" --no-build --onnx=none)

# 1. The whole run, short.
out=$tmp/out
rc=0
bash "$script" "$out" "${cpu[@]}" --model-grid="$small" --calibrate-grid="$small" --calibrate-filter='^Conv/' \
  --rel-err=0.5 --net-rel-err=1 --repeat=2 --networks=resnet18 --net-only=alexnet >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
check "run: exit 0" equals "$rc" 0
files=$(cd "$out" && find . -mindepth 1 | sort | tr '\n' ' ')
check "OUT: the promised files, no folders" equals "$files" \
  "./calibrate.json ./grid-model.json ./log.txt ./networks.json ./reader.csv ./repeat.json ./summary.md "
summary=$out/summary.md
for s in "test_gpu_backend | ok" "grid $small, time only | ok" "independent reader (trace) | ok" "network resnet18 | ok" \
  "network alexnet, Net/ only | ok" "compare-pytorch.py | skipped | 0 | needs a CUDA GPU" "energy_fit | ok" \
  "energy_predict, network layers | ok"; do
  check "summary: step '$s'" has_text "$summary" "| $s"
done
check "summary: GPU tests' tally" has_text "$summary" "skipped, 0 failed"
# Every window of calibrate.json (5 convs) and repeat.json (the same 5, twice each) compared, all within 1%.
check "summary: reader on every window, all within 1%" has_line "$summary" \
  "$(grep -E '^\| all \| 15 \| [0-9.]+% \| 0\.[0-9]+% \| 15 \|$' "$summary" || echo '| all | 15 | (missing) | <1% | 9 |')"
check "summary: repeatability checked" has_text "$summary" "Repeatability (repeat.json, 5 case(s))"
check "summary: both networks judged" has_text "$summary" "Network totals within 2.5%"
check "summary: Net/resnet18 held out" has_text "$summary" "Net/resnet18 (21 layers, held out)"
check "summary: Net/alexnet measured" has_text "$summary" "Net/alexnet (8 layers, held out)"
check "summary: held-out layers" has_text "$summary" "Held-out layers (the networks' 12 distinct measured layers"
check "summary: fit report appended" has_text "$summary" "### Layer energy fit"
check "networks.json: both runs, their command lines kept" \
  python3 -c "import json,sys; d=json.load(open('$out/networks.json')); n={e['run_name'] for e in d['benchmarks']}; \
sys.exit(not ({'Net/resnet18','Net/alexnet'} <= n and d['context']['command_line'].count('--network') == 2))"

# 2. The summary judges what it reads: a reader 5% high is caught on every window.
mkdir "$tmp/off"
cp "$out"/*.json "$tmp/off/"
python3 -c "
import sys
for line in open('$out/reader.csv'):
    if line[0].isdigit():
        t, e = line.strip().split(',')
        line = f'{t},{float(e) * 1.05}\n'
    sys.stdout.write(line)
" >"$tmp/off/reader.csv"
printf 'x\tok\t1\t\n' >"$tmp/steps.tsv"
python3 "$src/scripts/validate_gpu_summary.py" "$tmp/off" --steps "$tmp/steps.tsv" >"$tmp/off.md"
check "summary: a 5% reader is outside 1% on every window" has_text "$tmp/off.md" "| all | 15 |"
check "summary: ... and none within 1%" has_text "$tmp/off.md" "| 0 |"
check "summary: ... so the target is not met" has_text "$tmp/off.md" "within 1%): **not met**"

# 3. A time box: the budget is spent, so the 1,240-case grid stops after 5 s with its finished cases kept.
out=$tmp/boxed
rc=0
bash "$script" "$out" "${cpu[@]}" --budget-s=1 --model-grid=model --calibrate-grid="$small" \
  --calibrate-filter='^FC/N:1/in:256' --rel-err=0.5 --repeat=0 --networks= --net-only= >"$tmp/boxed.out" 2>&1 || rc=$?
check "time box: exit 0" equals "$rc" 0
check "time box: the grid step says so" has_text "$out/summary.md" "time only | time-boxed |"
check "time box: finished cases kept, the file complete" \
  python3 -c "import json,sys; d=json.load(open('$out/grid-model.json')); n=sum(1 for e in d['benchmarks'] if not e.get('error_occurred')); sys.exit(not 0 < n < 1240)"

# 4. Bad arguments: exit 2, one line naming the argument.
rc=0
bash "$script" "$tmp/bad" --budget-s=soon >/dev/null 2>"$tmp/bad.err" || rc=$?
check "bad number: exit 2" equals "$rc" 2
check "bad number: names the flag" has_text "$tmp/bad.err" "--budget-s needs a number, not 'soon'"
rc=0
bash "$script" "$tmp/bad" --frobnicate >/dev/null 2>"$tmp/bad.err" || rc=$?
check "unknown flag: exit 2" equals "$rc" 2
check "unknown flag: named" has_text "$tmp/bad.err" "unknown argument '--frobnicate'"
# 5. The reader's NVML path, against the project's fake NVML (every read steps the counter by 250 mJ): one row per
# step, cumulative from 0, the device's name and PCI bus id in the header (the ctypes struct layout is right).
if [ -n "$fake_nvml" ] && [ -e "$fake_nvml" ]; then
  rc=0
  python3 "$src/scripts/energy-reader.py" nvml --library "$fake_nvml" --out "$tmp/nvml.csv" --max-s 0.3 \
    --period 0.02 >"$tmp/nvml.err" 2>&1 || rc=$?
  check "nvml reader: exit 0" equals "$rc" 0
  check "nvml reader: names the device" has_text "$tmp/nvml.csv" "# device: Fake NVIDIA H100 00000000:01:00.0"
  check "nvml reader: a row per 250 mJ step from 0" python3 -c "
import sys
rows = [tuple(map(float, l.split(','))) for l in open('$tmp/nvml.csv') if l[0].isdigit()]
e = [r[1] for r in rows]
t = [r[0] for r in rows]
sys.exit(not (len(rows) >= 5 and e[0] == 0 and all(abs(b - a - 0.25) < 1e-9 for a, b in zip(e[1:-1], e[2:-1]))
              and all(b > a for a, b in zip(t, t[1:]))))"
  rc=0
  python3 "$src/scripts/energy-reader.py" nvml --library "$tmp/none.so" --out "$tmp/x.csv" >/dev/null 2>"$tmp/nolib.err" || rc=$?
  check "nvml reader without NVML: exit 2" equals "$rc" 2
  check "nvml reader without NVML: says which library" has_text "$tmp/nolib.err" "$tmp/none.so cannot be loaded"
else
  echo "nvml reader: not checked (no fake NVML library given)"
fi
finish test_validate_gpu
