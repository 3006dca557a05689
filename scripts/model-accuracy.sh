#!/usr/bin/env bash
# The model's accuracy and speed figures, printed as Markdown (the closing notes and README quote this output).
#   scripts/model-accuracy.sh [--build DIR] [--out DIR] [--quick] [--no-measure] [--no-speed]
# Sections:
#   1. simulated GPUs (H200, Jetson Orin) and CPUs (16-core Xeon, 2-core laptop): fit on the model grid, check on the
#      built-in networks (their layers and Net/ cases are never training data)
#  1b. the torchvision zoo's layers (tests/fixtures/layers/torchvision-zoo.csv): predicted by section 1's models as
#      unmeasured layers; and, stripped to what another harness records, fitted under nested CV beside generic
#      learners (random forest, extra trees, gradient boosting; scikit-learn where installed)
#   2. real H200 measurements in results/h200-nvml/ (NVML, quick grid)
#   3. the CPU backend timed on this machine (--power=none, --grid=model; --network=resnet18 held out), and the zoo's
#      layers timed here, fitted under nested CV beside generic learners (about 4 more minutes on 2 cores)
#   4. speed: analysis_bench (nested fit of 2,172 and 100k cases, prediction with interval per layer)
# --quick: fewer simulated devices, about half of the model grid in 3; --no-measure skips 3; --no-speed skips 4.
# Columns: nested-CV MAPE of energy and time (the form chosen inside the folds), energy-weighted MAPE, the worst
# leave-one-level-out MAPE (extrapolation to an unseen C, H or K), and the 90% interval's coverage; network rows give
# the signed error of the network's total energy and time.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build out=
quick=0 measure=1 speed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --build=*) build=${1#--build=}; shift ;;
    --out) out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --quick) quick=1; shift ;;
    --no-measure) measure=0; shift ;;
    --no-speed) speed=0; shift ;;
    *) echo "model-accuracy.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
for tool in energy_simulate energy_fit; do
  [ -x "$build/$tool" ] || { echo "model-accuracy.sh: $build/$tool not built (cmake --build $build)" >&2; exit 2; }
done
[ -n "$out" ] || out=$(mktemp -d /tmp/model-accuracy.XXXXXX)
mkdir -p "$out"
summary() { /usr/bin/python3 scripts/model_accuracy_summary.py "$@"; }
logged() {  # logged LOG COMMAND...: output to LOG; on failure say which command and where its output is
  local log=$1
  shift
  "$@" >>"$log" 2>&1 || { echo "model-accuracy.sh: $1 failed (status $?); see $log" >&2; exit 1; }
}
header() {
  echo
  echo "| data | part | cases | chosen | energy MAPE (nested) | energy wMAPE | time MAPE (nested) | worst leave-one-level-out | 90% coverage |"
  echo "|---|---|---|---|---|---|---|---|---|"
}
fit() {  # fit LABEL DIR FILES...: energy_fit with plots, then the summary rows (TRUTH_DIR: noise-free Net/ runs)
  local label=$1 dir=$2
  shift 2
  if ! "$build/energy_fit" "$@" --out "$dir/model.json" --report "$dir/report.md" --plots "$dir/plots" \
       >"$dir/fit.log" 2>&1; then
    echo "| $label | energy_fit failed: see $dir/fit.log | | | | | | | |"
    return
  fi
  summary "$label" "$dir/model.json" "$dir/plots" ${TRUTH_DIR:+"$TRUTH_DIR"}
}

echo "# Model accuracy ($(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
echo
echo "## 1. Simulated devices (analysis/simulator): trained on --grid model, networks held out"
header
devices="gpu:h200 gpu:jetson_orin cpu:xeon16 cpu:laptop2"
[ $quick = 1 ] && devices="gpu:h200 cpu:xeon16"
for d in $devices; do
  device=${d%%:*} preset=${d#*:} dir="$out/sim-$preset"
  mkdir -p "$dir/truth"
  logged "$dir/simulate.log" "$build/energy_simulate" --device "$device" --preset "$preset" --grid model \
    --out "$dir/grid.json"
  files=("$dir/grid.json")
  for net in resnet18 mobilenet_v2 vgg16 alexnet; do
    logged "$dir/simulate.log" "$build/energy_simulate" --device "$device" --preset "$preset" --grid network \
      --network "$net" --seed 7 --out "$dir/$net.json"
    # The same network without measurement noise: what the Net/ case would read with endless repetitions.
    logged "$dir/simulate.log" "$build/energy_simulate" --device "$device" --preset "$preset" --grid network \
      --network "$net" --noise 0 --out "$dir/truth/$net.json"
    files+=("$dir/$net.json")
  done
  TRUTH_DIR="$dir/truth" fit "sim $preset" "$dir" "${files[@]}"
done

echo
echo "## 1b. Real networks' layers: the torchvision zoo (tests/fixtures/layers/torchvision-zoo.csv)"
echo
echo "The distinct conv and FC layers of 22 torchvision classifiers at 160, 224 and 320 px (scripts/zoo-layers.py),"
echo "simulated on each device and predicted by the model of section 1 (fitted on the model grid) as unmeasured layers."
echo
echo "| data | part | energy MAPE | median APE | energy wMAPE | time MAPE | 90% interval covers |"
echo "|---|---|---|---|---|---|---|"
zoo=tests/fixtures/layers/torchvision-zoo.csv
for d in $devices; do
  device=${d%%:*} preset=${d#*:} dir="$out/sim-$preset"
  [ -f "$dir/model.json" ] || continue
  logged "$dir/simulate.log" "$build/energy_simulate" --device "$device" --preset "$preset" --grid "$zoo" --seed 5 \
    --out "$dir/zoo.json"
  /usr/bin/python3 scripts/zoo_accuracy.py transfer "sim $preset" "$dir/model.json" "$dir/zoo.json" \
    "$build/energy_predict" 2>>"$dir/simulate.log"
done
echo
echo "The zoo as another harness's data (a PyTorch sweep with an external meter): no hardware facts, kernel counters or"
echo "labels, 3% energy noise; energy_fit's nested CV against generic learners on the same geometry (5-fold CV)."
header
foreign_presets="jetson_orin h200"
[ $quick = 1 ] && foreign_presets="jetson_orin"
for preset in $foreign_presets; do
  dir="$out/zoo-foreign-$preset"
  mkdir -p "$dir"
  logged "$dir/simulate.log" "$build/energy_simulate" --device gpu --preset "$preset" --grid "$zoo" --seed 5 \
    --noise 0.03 --out "$dir/full.json"
  /usr/bin/python3 scripts/zoo_accuracy.py foreign "$dir/full.json" "$dir/zoo.json"
  fit "zoo, sim $preset, foreign" "$dir" "$dir/zoo.json"
  /usr/bin/python3 scripts/zoo_accuracy.py forest "zoo, sim $preset, foreign" "$dir/zoo.json"
done

echo
echo "## 2. Real H200 (results/h200-nvml, NVML, quick grid)"
header
mkdir -p "$out/h200"
fit "H200 quick-run2" "$out/h200" results/h200-nvml/quick-run2.json

if [ $measure = 1 ]; then
  [ -x "$build/layer_bench" ] || { echo "model-accuracy.sh: $build/layer_bench not built" >&2; exit 2; }
  echo
  echo "## 3. CPU backend on this machine ($(nproc) cores), time only: --grid=model, resnet18 held out"
  dir="$out/cpu-here"
  mkdir -p "$dir"
  filter=.
  # --quick: the K sweep's even K and every case off it with an even K (about half), so the run stays short.
  [ $quick = 1 ] && filter='/K:[0-9]*[02468]/|FC/'
  start=$(date +%s)
  logged "$dir/model.log" "$build/layer_bench" --backend=cpu --power=none --grid=model --benchmark_filter="$filter" \
    --benchmark_out="$dir/model.json" --benchmark_out_format=json
  echo
  echo "layer_bench --power=none --grid=model (filter '$filter') ran $(( $(date +%s) - start )) s."
  logged "$dir/resnet18.log" "$build/layer_bench" --backend=cpu --power=none --network=resnet18 \
    --benchmark_out="$dir/resnet18.json" --benchmark_out_format=json
  header
  fit "CPU here" "$dir" "$dir/model.json" "$dir/resnet18.json"
fi
if [ $measure = 1 ] && [ $quick = 0 ]; then
  # Real networks' layers measured here: the model against generic learners on real kernels (oneDNN's choices), both
  # as this harness records them and as another harness would hand them over (no hardware facts or counters).
  zdir="$out/cpu-zoo"
  mkdir -p "$zdir/foreign"
  start=$(date +%s)
  logged "$zdir/zoo.log" "$build/layer_bench" --backend=cpu --power=none --grid="$zoo" \
    --benchmark_out="$zdir/zoo.json" --benchmark_out_format=json
  echo
  echo "layer_bench --power=none --grid=$zoo ran $(( $(date +%s) - start )) s (time only: the rows' MAPE is time)."
  header
  fit "CPU here, zoo" "$zdir" "$zdir/zoo.json"
  /usr/bin/python3 scripts/zoo_accuracy.py foreign "$zdir/zoo.json" "$zdir/foreign/zoo.json"
  fit "CPU here, zoo, foreign" "$zdir/foreign" "$zdir/foreign/zoo.json"
  /usr/bin/python3 scripts/zoo_accuracy.py forest "CPU here, zoo" "$zdir/zoo.json"
fi

if [ $speed = 1 ] && [ -x "$build/analysis_bench" ]; then
  echo
  echo "## 4. Speed ($(nproc) cores): analysis_bench"
  echo
  echo '```'
  "$build/analysis_bench" --benchmark_counters_tabular=true 2>/dev/null | grep -v '^\(---\|\*\*\*\)' || true
  echo '```'
fi
echo
echo "Files (models, reports, plots): $out"
