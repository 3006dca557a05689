#!/usr/bin/env bash
# The GPU validation in one call: build, GPU tests, a time-only --grid=model, --grid=calibrate with energy read at the
# same time by an independent process, the built-in networks (layers and Net/), the PyTorch comparison, and the model
# fitted on the grids and checked on the networks. Every step is time-boxed inside one budget, so a slow step cannot
# eat the rest; what a step finished is kept. Findings, judged against the targets: OUT/summary.md.
#   scripts/validate-gpu.sh OUT [options]
# Options (defaults are the GPU run's):
#   --backend=cuda|cpu         (cuda)
#   --power=SOURCE             the energy steps' source (nvml; cpu: e.g. replay:FILE)
#   --build-dir=DIR            (build-gpu); --no-build: use the binaries already there
#   --budget-s=S               the whole run's wall-clock budget (480)
#   --model-grid=G --model-filter=REGEX          step 2's grid (model) and filter (.)
#   --calibrate-grid=G --calibrate-filter=REGEX  step 3's grid (calibrate) and filter (.)
#   --rel-err=X                step 3's energy target (0.05); --net-rel-err=X the networks' layers' (0.1)
#   --repeat=N                 repetitions of step 3's repeatability cases (3; 0: none)
#   --networks="A B"           networks measured layer by layer plus Net/ (resnet18 mobilenet_v2)
#   --net-only="A B"           networks measured as Net/ only (vgg16 alexnet)
#   --onnx=FILE                one ONNX network, layers plus Net/ (tests/fixtures/onnx/torchvision_resnet18.onnx
#                              where layer_bench has ONNX; "none" skips it)
#   --no-pytorch               skip the PyTorch comparison (the CPU run skips it: it needs a CUDA GPU)
# OUT gets at most 8 files: log.txt, grid-model.json, calibrate.json, repeat.json, networks.json, reader.csv,
# pytorch.md, summary.md. Exit 0 when the run finished (targets missed are findings, not failures); 1 when the
# build or a step the summary needs failed outright; 2 for bad arguments.
set -uo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

usage() { echo "validate-gpu.sh: $*" >&2; echo "usage: scripts/validate-gpu.sh OUT [options] (see the header of $0)" >&2; exit 2; }
[ $# -ge 1 ] || usage "OUT is required"
out=$1
shift
case $out in -*) usage "OUT must come first, not '$out'" ;; esac
backend=cuda power=nvml build=build-gpu do_build=1 budget=480
model_grid=model model_filter=. calibrate_grid=calibrate calibrate_filter=.
rel_err=0.05 net_rel_err=0.1 repeat=3 networks="resnet18 mobilenet_v2" net_only="vgg16 alexnet"
onnx=$src/tests/fixtures/onnx/torchvision_resnet18.onnx pytorch=1
number() { [[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]] || usage "$1 needs a number, not '$2'"; }
for arg in "$@"; do
  value=${arg#*=}
  case $arg in
    --backend=cuda | --backend=cpu) backend=$value ;;
    --power=?*) power=$value ;;
    --build-dir=?*) build=$value ;;
    --no-build) do_build=0 ;;
    --budget-s=*) number --budget-s "$value"; budget=${value%.*} ;;
    --model-grid=?*) model_grid=$value ;;
    --model-filter=?*) model_filter=$value ;;
    --calibrate-grid=?*) calibrate_grid=$value ;;
    --calibrate-filter=?*) calibrate_filter=$value ;;
    --rel-err=*) number --rel-err "$value"; rel_err=$value ;;
    --net-rel-err=*) number --net-rel-err "$value"; net_rel_err=$value ;;
    --repeat=*) number --repeat "$value"; repeat=${value%.*} ;;
    --networks=*) networks=$value ;;
    --net-only=*) net_only=$value ;;
    --onnx=?*) onnx=$value ;;
    --no-pytorch) pytorch=0 ;;
    *) usage "unknown argument '$arg'" ;;
  esac
done
[ "$backend" = cpu ] && pytorch=0
case $build in /*) ;; *) build=$src/$build ;; esac
mkdir -p "$out" || usage "cannot create $out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/validate-gpu.XXXXXX")
reader_pid=
cleanup() {
  [ -n "$reader_pid" ] && kill "$reader_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
log=$out/log.txt steps=$work/steps.tsv
: >"$log"
: >"$steps"
start=$(date +%s)
deadline=$((start + budget))
export CUDA_DEVICE_ORDER=PCI_BUS_ID  # CUDA device 0 is NVML device 0, the one the reader reads

say() { echo "validate-gpu: $*" | tee -a "$log" >&2; }
# box SECONDS: the time a step may take, its share capped by what is left of the budget (5 s floor).
box() {
  local left=$((deadline - $(date +%s)))
  local t=$1
  [ "$left" -lt "$t" ] && t=$left
  [ "$t" -lt 5 ] && t=5
  echo "$t"
}
# step NAME SECONDS COMMAND...: runs it time-boxed (SIGINT first: layer_bench keeps its finished cases), logs its
# output, records status and time. Returns the command's status.
step() {
  local name=$1 limit
  limit=$(box "$2")
  shift 2
  local t0 rc note=
  t0=$(date +%s)
  say "$name (at most $limit s): $*"
  # One SIGINT when the box ends (not timeout(1), which signals the child and then its process group again: a
  # second SIGINT ends layer_bench the default way, possibly while it writes its file), SIGKILL 15 s later.
  rm -f "$work/boxed"
  "$@" >>"$log" 2>&1 &
  local pid=$!
  (
    trap 'kill "$s" 2>/dev/null; exit 0' TERM  # the step ended in time: stop the sleep too
    sleep "$limit" &
    s=$!
    wait "$s"
    touch "$work/boxed"
    kill -INT "$pid" 2>/dev/null
    sleep 15 &
    s=$!
    wait "$s"
    kill -KILL "$pid" 2>/dev/null
  ) >/dev/null 2>&1 &
  local watchdog=$!
  wait "$pid"
  rc=$?
  kill "$watchdog" 2>/dev/null
  wait "$watchdog" 2>/dev/null
  if [ -e "$work/boxed" ]; then
    status=time-boxed note="stopped after $limit s (exit $rc); finished cases kept"
  elif [ "$rc" = 0 ]; then
    status=ok
  else
    status="failed ($rc)"
  fi
  printf '%s\t%s\t%s\t%s\n' "$name" "$status" $(($(date +%s) - t0)) "$note" >>"$steps"
  say "$name: $status"
  return $rc
}
skip() { printf '%s\tskipped\t0\t%s\n' "$1" "$2" >>"$steps"; say "$1: skipped ($2)"; }

# ---- 1. build and GPU tests --------------------------------------------------------------------------------------
bench=$build/layer_bench
if [ "$do_build" = 1 ]; then
  cuda=ON targets="layer_bench energy_fit energy_predict test_gpu_backend test_nvml_source"
  if [ "$backend" = cpu ]; then cuda=AUTO; else targets="$targets test_cuda_lt_matmul"; fi
  step build 200 bash -c "cmake -S '$src' -B '$build' -DCMAKE_BUILD_TYPE=Release -DLAYER_ENERGY_FETCH=OFF \
      -DLAYER_ENERGY_CUDA=$cuda && cmake --build '$build' -j $(nproc) --target $targets" ||
    { say "build failed: see $log"; exit 1; }
else
  skip build "--no-build: $build as it is"
fi
for tool in layer_bench energy_fit energy_predict; do
  [ -x "$build/$tool" ] || { say "$build/$tool is not built"; exit 1; }
done
for t in test_gpu_backend test_cuda_lt_matmul test_nvml_source; do
  if [ -x "$build/tests/$t" ]; then
    step "$t" 60 "$build/tests/$t" --gtest_brief=1 --gtest_output="json:$work/$t.json"
    # The tally goes into the step's note (a GPU test skipped where there is no GPU gives its reason in the log).
    python3 - "$work/$t.json" "$steps" <<'PY' 2>>"$log"
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(0)
cases = [c for s in doc.get("testsuites", []) for c in s.get("testsuite", [])]
skipped = sum(1 for c in cases if c.get("result") == "SKIPPED")
failed = sum(1 for c in cases if c.get("failures"))
lines = open(sys.argv[2]).read().splitlines()
cells = (lines[-1].split("\t") + [""] * 4)[:4]
tally = f"{len(cases) - skipped - failed} passed, {skipped} skipped, {failed} failed"
cells[3] = cells[3] + "; " + tally if cells[3] else tally
lines[-1] = "\t".join(cells)
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
  else
    skip "$t" "not built in $build"
  fi
done

common=(--backend="$backend" --benchmark_out_format=json)
# ---- 2. time-only fitting grid (random order: a time box leaves an unbiased subset, not the first classes) ----------
# Google Benchmark 1.6+ shuffles; older ones (Debian 11's 1.5.2) run the grid in order.
shuffle=()
"$bench" --help 2>&1 | grep -q benchmark_enable_random_interleaving && shuffle=(--benchmark_enable_random_interleaving=true)
step "grid $model_grid, time only" 100 "$bench" "${common[@]}" --power=none --grid="$model_grid" \
  --benchmark_filter="$model_filter" ${shuffle[@]+"${shuffle[@]}"} --benchmark_out="$out/grid-model.json"

# ---- 3 and 5. calibration with energy, read at the same time by an independent process ------------------------------
cal_trace=
if [[ $power == nvml ]]; then
  python3 "$src/scripts/energy-reader.py" nvml --out "$out/reader.csv" --max-s "$budget" 2>>"$log" &
  reader_pid=$!
  sleep 1
else
  cal_trace=$work/trace.csv  # no second sensor: the reader integrates the raw samples layer_bench saw
fi
step "grid $calibrate_grid, $power, target $rel_err" 110 "$bench" "${common[@]}" --power="$power" \
  --grid="$calibrate_grid" --benchmark_filter="$calibrate_filter" --energy_rel_err="$rel_err" --idle_s=3 \
  --benchmark_out="$out/calibrate.json" ${cal_trace:+--power_trace_out="$cal_trace"}
if [ "$repeat" -gt 0 ]; then
  # Five cases spread evenly over the calibration grid, each measured $repeat times in a row.
  picks=$("$bench" --backend="$backend" --power=none --grid="$calibrate_grid" --benchmark_filter="$calibrate_filter" \
    --benchmark_list_tests=true 2>/dev/null |
    awk '{ a[NR] = $0 } END { s = NR / 5; if (s < 1) s = 1; for (i = 0; i < 5 && int(i * s) < NR; i++) print a[int(i * s) + 1] }' |
    sed 's/.*/^&$/' | paste -sd'|')
  if [ -n "$picks" ]; then
    step "repeatability, $repeat repetitions" 45 "$bench" "${common[@]}" --power="$power" --grid="$calibrate_grid" \
      --benchmark_filter="$picks" --benchmark_repetitions="$repeat" --energy_rel_err="$rel_err" --idle_s=0 \
      --benchmark_out="$out/repeat.json" ${cal_trace:+--power_trace_out="$work/trace-repeat.csv"}
  fi
else
  skip repeatability "--repeat=0"
fi
if [ -n "$reader_pid" ]; then
  kill -TERM "$reader_pid" 2>/dev/null
  wait "$reader_pid"
  printf 'independent reader\t%s\t-\tnvml, scripts/energy-reader.py\n' "$([ -s "$out/reader.csv" ] && echo ok || echo failed)" >>"$steps"
  reader_pid=
elif [ -s "$cal_trace" ]; then
  traces=$cal_trace
  [ -s "$work/trace-repeat.csv" ] && { tail -n +3 "$work/trace-repeat.csv" >>"$cal_trace"; }
  step "independent reader (trace)" 30 python3 "$src/scripts/energy-reader.py" trace "$traces" --out "$out/reader.csv"
fi

# ---- 4. networks: layers and Net/, Net/ only, one ONNX file -----------------------------------------------------
parts=()
# network_step NAME SECONDS ARGS...: one network run with energy; its file joins networks.json when it holds anything
# (a time-boxed run keeps its finished cases).
network_step() {
  local name=$1 box=$2 file=$work/net-$((${#parts[@]} + 1)).json
  shift 2
  step "$name" "$box" "$bench" "${common[@]}" --power="$power" --energy_rel_err="$net_rel_err" --idle_s=0 \
    --benchmark_out="$file" "$@"
  [ -s "$file" ] && parts+=("$file")
}
for net in $networks; do
  network_step "network $net" 45 --network="$net"
done
for net in $net_only; do
  network_step "network $net, Net/ only" 25 --network="$net" --benchmark_filter='^Net/'
done
if [ "$onnx" = none ]; then
  skip "onnx network" "--onnx=none"
elif ! "$bench" --backend="$backend" --power=none --onnx="$onnx" --benchmark_list_tests=true >/dev/null 2>"$work/onnx.err"; then
  skip "onnx network" "$(head -1 "$work/onnx.err")"
else
  network_step "onnx $(basename "$onnx")" 45 --onnx="$onnx"
fi
if [ ${#parts[@]} -gt 0 ]; then
  python3 - "$out/networks.json" "${parts[@]}" <<'EOF' 2>>"$log"
import json, os, sys
# One file of the network runs: their entries in order, the first run's context, every command line kept.
out, parts = sys.argv[1], sys.argv[2:]
docs = []
for p in parts:
    try:
        docs.append(json.load(open(p, encoding="utf-8")))
    except ValueError as e:
        print(f"validate-gpu: {p}: {e}; left out", file=sys.stderr)
if docs:
    context = dict(docs[0].get("context", {}))
    context["command_line"] = " ; ".join(d.get("context", {}).get("command_line", "") for d in docs)
    merged = {"context": context, "benchmarks": [e for d in docs for e in d.get("benchmarks", [])]}
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=1)
    os.replace(out + ".tmp", out)
EOF
fi

# ---- 6. speed against PyTorch ------------------------------------------------------------------------------------
if [ "$pytorch" = 1 ]; then
  if step "quick grid, time only" 40 "$bench" "${common[@]}" --power=none --grid=quick \
       --benchmark_out="$work/quick.json"; then
    step "compare-pytorch.py" 60 bash -c "python3 '$src/scripts/compare-pytorch.py' '$work/quick.json' \
      >'$out/pytorch.md' 2>'$work/pytorch.err'; rc=\$?; cat '$work/pytorch.err'; exit \$rc"
  fi
else
  skip "compare-pytorch.py" "$([ "$backend" = cpu ] && echo "needs a CUDA GPU" || echo "--no-pytorch")"
fi

# ---- 7. the model: fitted on steps 2-3, checked on step 4 ----------------------------------------------------------
fit_inputs=()
for f in grid-model.json calibrate.json repeat.json networks.json; do
  [ -s "$out/$f" ] && fit_inputs+=("$out/$f")
done
rows= preds=
if [ ${#fit_inputs[@]} -gt 0 ] && step energy_fit 60 "$build/energy_fit" "${fit_inputs[@]}" --out "$work/model.json" \
     --report "$work/report.md" --plots "$work/plots"; then
  python3 "$src/scripts/model_accuracy_summary.py" "this run" "$work/model.json" "$work/plots" >"$work/rows.md" \
    2>>"$log" && rows=$work/rows.md
  if [ -s "$out/networks.json" ]; then
    # The networks' measured layers as a layer file named by case, predicted by the model alone.
    python3 "$src/scripts/zoo_accuracy.py" layers "$out/networks.json" "$work/layers.csv" 2>>"$log"
    step "energy_predict, network layers" 30 "$build/energy_predict" --model "$work/model.json" \
      --layers "$work/layers.csv" --model-only --out "$work/predictions.json" && preds=$work/predictions.json
  fi
fi

python3 "$src/scripts/validate_gpu_summary.py" "$out" --steps "$steps" ${rows:+--model-rows "$rows"} \
  ${preds:+--layer-predictions "$preds"} --fit-report "$work/report.md" >"$out/summary.md" 2>>"$log" ||
  say "the summary failed: see $log"
say "done in $(($(date +%s) - start)) s (budget $budget s); findings in $out/summary.md"
[ -s "$out/summary.md" ]
