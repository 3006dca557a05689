#!/usr/bin/env bash
# The paper sweep on one machine, the documented way: prepare the board (Jetson), run layer_bench with repetitions,
# keep the raw power trace, fit the models, and resume after an interruption without measuring finished cases again.
#
#   scripts/run-sweep.sh [options] [-- LAYER_BENCH_ARGS...]
#
# Options:
#   --board NAME          results folder name (default: from /proc/device-tree/model, the GPU's or the CPU's name,
#                         slugified, e.g. jetson-agx-orin)
#   --out-root DIR        default: results/ of this checkout
#   --date YYYY-MM-DD     default: the newest unfinished sweep of this board, else today (UTC)
#   --grid G              quick | paper | FILE.csv (default paper)
#   --repetitions N       --benchmark_repetitions (default 5; energy_compare needs >= 5)
#   --energy-rel-err X    --energy_rel_err (default 0.02)
#   --mode N              nvpmodel mode for jetson-prepare.sh (default: its default, 0)
#   --modes N,M,...       measure each nvpmodel mode in turn (Jetson): one whole sweep per mode, in the order given,
#                         into OUT_ROOT/BOARD/DATE/mode-<N>/, then modes.md (scripts/compare-modes.py: which mode
#                         spends the least energy per layer class and network). jetson-prepare.sh sets each mode
#                         and puts the board's own mode back after it. A mode that cannot be set stops the sweep with
#                         one line and exit 2 before anything is measured in it; finished modes are kept, and the
#                         same command again skips them
#   --results-dir DIR     write into DIR itself instead of OUT_ROOT/BOARD/DATE (what --modes does per mode)
#   --no-prepare          do not touch the board state (also off on machines that are not Jetsons)
#   --root DIR            sysfs/proc/etc prefix (fixture trees): --power_sysfs_root and jetson-prepare.sh --root
#   --build-dir DIR       where layer_bench and energy_fit are (default: build/ of this checkout)
#   --layer-bench PATH    --energy-fit PATH   the binaries themselves
#   --dry-run             print what would be done ("would run: ..."), change nothing
#
# Writes OUT_ROOT/BOARD/DATE/: <grid>.json (layer_bench's result), trace.csv (every raw sample), model.json,
# report.md, plots/, command.txt (every command run), layer_bench.txt / layer_bench.log (stdout / stderr),
# board-state.txt (jetson-prepare's record). An unfinished sweep keeps a .incomplete marker; running the same command
# again moves <grid>.json to <grid>.part<N>.json (trace.csv likewise), merges the finished cases of every part into
# resume.json, runs layer_bench --resume=resume.json, and fits on all parts. With --modes, each DATE/mode-<N>/ holds
# all of this for one mode, and DATE/modes.md compares them.
# Exit: 0 done; 130 interrupted (run it again to resume); otherwise layer_bench's or energy_fit's status, or 1/2.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
all_args=("$@")

board=
out_root=$repo/results
date_dir=
grid=paper
repetitions=5
energy_rel_err=0.02
mode=
modes=
results_dir=
prepare=1
root=/
build_dir=$repo/build
layer_bench=
energy_fit=
dry_run=0
extra=()

die() { echo "run-sweep: $*" >&2; exit 2; }
note() { echo "run-sweep: $*" >&2; }
need() { [ -n "${2:-}" ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
  opt=$1
  val=
  case $opt in
    --*=*) val=${opt#*=}; opt=${opt%%=*}; shift ;;
    --board | --out-root | --date | --grid | --repetitions | --energy-rel-err | --mode | --modes | --results-dir | \
      --root | --build-dir | --layer-bench | --energy-fit) need "$opt" "${2:-}"; val=$2; shift 2 ;;
    *) shift ;;
  esac
  case $opt in
    --board) board=$val ;;
    --out-root) out_root=$val ;;
    --date) date_dir=$val ;;
    --grid) grid=$val ;;
    --repetitions) repetitions=$val ;;
    --energy-rel-err) energy_rel_err=$val ;;
    --mode) mode=$val ;;
    --modes) modes=$val ;;
    --results-dir) results_dir=$val ;;
    --root) root=$val ;;
    --build-dir) build_dir=$val ;;
    --layer-bench) layer_bench=$val ;;
    --energy-fit) energy_fit=$val ;;
    --no-prepare) prepare=0 ;;
    --dry-run) dry_run=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    --) extra=("$@"); break ;;
    *) die "unknown argument '$opt' (see --help)" ;;
  esac
done
[[ $repetitions =~ ^[1-9][0-9]*$ ]] || die "--repetitions '$repetitions' is not a positive number"
[ -z "$date_dir" ] || [[ $date_dir =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "--date '$date_dir' is not YYYY-MM-DD"
[ -n "$mode" ] && { [[ $mode =~ ^[0-9]+$ ]] || die "--mode '$mode' is not a number"; }
if [ -n "$modes" ]; then
  [[ $modes =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--modes '$modes' is not a comma-separated list of mode numbers (e.g. 0,2)"
  [ -z "$mode" ] || die "--mode and --modes exclude each other"
  [ -z "$results_dir" ] || die "--results-dir and --modes exclude each other (--modes writes DATE/mode-<N>/)"
  [ "$(tr ',' '\n' <<<"$modes" | sort | uniq -d)" = "" ] || die "--modes '$modes' names a mode twice"
fi
root=${root%/}
layer_bench=${layer_bench:-$build_dir/layer_bench}
energy_fit=${energy_fit:-$build_dir/energy_fit}
if [ "$dry_run" = 0 ]; then
  [ -x "$layer_bench" ] || die "$layer_bench not found: build first (scripts/test.sh) or pass --layer-bench PATH"
  command -v python3 >/dev/null || die "python3 is needed to merge interrupted parts"
fi
case $grid in
  quick | paper) grid_name=$grid ;;
  *) [ -r "$grid" ] || die "--grid: cannot read '$grid'"; grid_name=$(basename "${grid%.*}") ;;
esac

show() { printf '%q ' "$@" | sed 's/ $//'; }
# Runs (or with --dry-run prints) a command, and records it in command.txt.
act() {
  if [ "$dry_run" = 1 ]; then
    echo "would run: $(show "$@")"
    return 0
  fi
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(show "$@")" >>"$dir/command.txt"
  "$@"
}

# ---- which machine ------------------------------------------------------------------------------------------------
model=
[ -r "$root/proc/device-tree/model" ] && model=$(tr -d '\0' <"$root/proc/device-tree/model")
is_jetson=0
if [[ $model == *Jetson* ]] || [ -e "$root/etc/nv_tegra_release" ]; then is_jetson=1; fi
slug() {
  tr '[:upper:]' '[:lower:]' | sed -e 's/[^a-z0-9]\{1,\}/-/g' -e 's/^-//' -e 's/-$//' -e 's/^nvidia-//' \
    -e 's/-developer-kit$//' -e 's/-devkit$//'
}
if [ -z "$board" ]; then
  name=$model
  if [ -z "$name" ] && command -v nvidia-smi >/dev/null 2>&1; then
    name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1 || true)
  fi
  if [ -z "$name" ] && [ -r "$root/proc/cpuinfo" ]; then
    name=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' "$root/proc/cpuinfo" | head -n 1)
  fi
  board=$(printf '%s' "${name:-$(hostname)}" | slug)
  [ -n "$board" ] || die "cannot name this machine: pass --board NAME"
fi
[[ $board =~ ^[A-Za-z0-9._-]+$ ]] || die "--board '$board': letters, digits, '.', '_' and '-' only"

# ---- which folder: the newest unfinished sweep, else today's --------------------------------------------------------
board_dir=$out_root/$board
if [ -z "$date_dir" ] && [ -z "$results_dir" ]; then
  date_dir=$(date -u +%Y-%m-%d)
  if [ -d "$board_dir" ]; then
    newest_unfinished=$(find "$board_dir" -mindepth 2 -maxdepth 2 -name .incomplete -printf '%h\n' 2>/dev/null |
      sed 's|.*/||' | sort | tail -n 1)
    [ -n "$newest_unfinished" ] && date_dir=$newest_unfinished
  fi
fi
dir=$board_dir/$date_dir
[ -z "$results_dir" ] || dir=${results_dir%/}

# ---- --modes: the whole sweep below once per mode (this script again, into DIR/mode-<N>/) ---------------------------
if [ -n "$modes" ]; then
  [ "$is_jetson" = 1 ] || die "--modes: this machine is not a Jetson (no 'Jetson' in $root/proc/device-tree/model, no $root/etc/nv_tegra_release)"
  [ "$prepare" = 1 ] || die "--modes sets each mode through jetson-prepare.sh: drop --no-prepare"
  [ ! -e "$dir/$grid_name.json" ] || die "$dir holds a sweep of one mode; pass another --date"
  # Before anything is measured: a mode the board does not list (jetson-prepare's dry run checks, and changes nothing).
  for m in ${modes//,/ }; do
    if ! why=$(bash "$repo/scripts/jetson-prepare.sh" --root "${root:-/}" --mode "$m" --dry-run prepare 2>&1 >/dev/null); then
      die "nvpmodel mode $m cannot be set: $(sed -n 's/^jetson-prepare: cannot set nvpmodel mode [0-9]*: //p' <<<"$why" |
        grep . || tail -n 1 <<<"$why")"
    fi
  done
  # This command line without --modes; the per-mode options go first (what follows `--` is layer_bench's).
  rest=(${all_args[@]+"${all_args[@]}"})
  per_mode_args=()
  while [ ${#rest[@]} -gt 0 ]; do
    a=${rest[0]}
    rest=("${rest[@]:1}")
    case $a in
      --) per_mode_args+=("$a" ${rest[@]+"${rest[@]}"}); break ;;
      --modes=*) ;;
      --modes) rest=("${rest[@]:1}") ;;
      *) per_mode_args+=("$a") ;;
    esac
  done
  note "board $board${model:+ ($model)}; modes $modes, results in $dir/mode-<N>"
  # The marker makes the next run without --date pick this folder again (the newest unfinished sweep).
  [ "$dry_run" = 1 ] || { mkdir -p "$dir"; touch "$dir/.incomplete"; }
  done_modes=()
  for m in ${modes//,/ }; do
    mode_dir=$dir/mode-$m
    if [ -e "$mode_dir/$grid_name.json" ] && [ ! -e "$mode_dir/.incomplete" ]; then
      note "mode $m: measured already in $mode_dir; kept"
    else
      note "mode $m: sweep into $mode_dir"
      rc=0
      bash "$0" --mode "$m" --results-dir "$mode_dir" ${per_mode_args[@]+"${per_mode_args[@]}"} || rc=$?
      if [ "$rc" != 0 ]; then
        [ ${#done_modes[@]} -eq 0 ] || note "stopped at mode $m; the finished modes (${done_modes[*]}) are kept in $dir"
        exit "$rc"
      fi
    fi
    done_modes+=("$m")
  done
  mode_dirs=()
  for m in ${modes//,/ }; do mode_dirs+=("$dir/mode-$m"); done
  if [ "$dry_run" = 1 ]; then
    echo "would run: $(printf '%q ' /usr/bin/python3 "$repo/scripts/compare-modes.py" "${mode_dirs[@]}")> $dir/modes.md"
    exit 0
  fi
  rm -f "$dir/.incomplete"
  if /usr/bin/python3 "$repo/scripts/compare-modes.py" "${mode_dirs[@]}" >"$dir/modes.md.tmp"; then
    mv "$dir/modes.md.tmp" "$dir/modes.md"
    note "done: $dir (modes compared in $dir/modes.md)"
  else
    rm -f "$dir/modes.md.tmp"
    note "every mode is measured and fitted in $dir, but comparing them failed (scripts/compare-modes.py)"
    exit 1
  fi
  exit 0
fi
[ -z "$results_dir" ] && compgen -G "$dir/mode-*" >/dev/null &&
  die "$dir holds a --modes sweep: run it with the same --modes again, or pass another --date"
result=$dir/$grid_name.json
if [ -e "$result" ] && [ ! -e "$dir/.incomplete" ]; then
  echo "run-sweep: $dir holds a finished sweep; pass another --date or move it away" >&2
  exit 1
fi
note "board $board${model:+ ($model)}; results in $dir"

# ---- an interrupted earlier part: keep it, and resume from every part's finished cases -------------------------------
shopt -s nullglob
parts=()
next_part=1
for p in "$dir/$grid_name".part*.json; do
  n=${p##*.part}
  n=${n%.json}
  [[ $n =~ ^[0-9]+$ ]] || continue
  [ "$n" -ge "$next_part" ] && next_part=$((n + 1))
done
if [ "$dry_run" = 0 ]; then
  mkdir -p "$dir"
  touch "$dir/.incomplete"
fi
if [ -e "$result" ]; then
  note "an unfinished run is in $result: keeping it as part $next_part and resuming"
  act mv "$result" "$dir/$grid_name.part$next_part.json"
  [ -e "$dir/trace.csv" ] && act mv "$dir/trace.csv" "$dir/trace.part$next_part.csv"
  [ -e "$dir/board-state.txt" ] && act mv "$dir/board-state.txt" "$dir/board-state.part$next_part.txt"
  next_part=$((next_part + 1))
fi
for ((n = 1; n < next_part; n++)); do
  # (with --dry-run the newest part was not really moved)
  if [ -e "$dir/$grid_name.part$n.json" ] || { [ "$dry_run" = 1 ] && [ "$n" = $((next_part - 1)) ]; }; then
    parts+=("$dir/$grid_name.part$n.json")
  fi
done

# Merges the finished cases of every part into one resume file (layer_bench's --resume takes one file): only their
# iteration entries, numbers finite. A part cut off mid-write is salvaged entry by entry, as energy_fit does.
merge_parts() { # out parts...
  python3 - "$@" <<'EOF'
import json, sys

out, parts = sys.argv[1], sys.argv[2:]

def entries(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    try:
        data = json.loads(text)
        return data.get("context", {}), data.get("benchmarks", [])
    except ValueError:
        pass
    context = {}
    start = text.find('"benchmarks"')
    if start < 0:
        print("run-sweep: warning: %s has no benchmark list; nothing in it is resumed" % path, file=sys.stderr)
        return context, []
    decoder = json.JSONDecoder()
    i = text.find("[", start) + 1
    found = []
    while 0 < i < len(text):
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        try:
            entry, i = decoder.raw_decode(text, i)
        except ValueError:
            break
        found.append(entry)
    return context, found

def finished(e):
    if not isinstance(e, dict) or not isinstance(e.get("name"), str) or e.get("error_occurred"):
        return False
    skipped = e.get("skipped", False)
    if skipped if isinstance(skipped, bool) else True:
        return False
    return e.get("run_type", "iteration") == "iteration"

def finite(v):
    # Google Benchmark writes NaN (e.g. the cv of an all-zero counter), which strict JSON readers reject.
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return None
    return v

merged, names, context = [], set(), {}
for p in parts:
    c, found = entries(p)
    context = context or c
    for e in found:
        if finished(e):
            merged.append({k: finite(v) for k, v in e.items()})
            names.add(e.get("run_name", e["name"]))
context = dict(context)
context["resume_note"] = "finished cases merged by run-sweep.sh from: " + ", ".join(parts)
with open(out, "w", encoding="utf-8") as f:
    json.dump({"context": {k: finite(v) for k, v in context.items()}, "benchmarks": merged}, f, indent=1)
    f.write("\n")
print("run-sweep: %d finished cases in %d part(s) -> %s" % (len(names), len(parts), out), file=sys.stderr)
EOF
}

bench=("$layer_bench" "--grid=$grid" "--benchmark_repetitions=$repetitions" "--energy_rel_err=$energy_rel_err"
  "--benchmark_out=$result" "--benchmark_out_format=json" "--power_trace_out=$dir/trace.csv")
if [ -n "$root" ]; then bench+=("--power_sysfs_root=$root"); fi
if [ ${#parts[@]} -gt 0 ]; then
  act merge_parts "$dir/resume.json" "${parts[@]}"
  bench+=("--resume=$dir/resume.json")
fi
bench+=(${extra[@]+"${extra[@]}"})

# ---- measure ------------------------------------------------------------------------------------------------------
remaining=unknown
if [ "$dry_run" = 0 ] && [ ${#parts[@]} -gt 0 ]; then
  # The cases still to run (the same command listing its cases, without writing any file).
  list=()
  for a in "${bench[@]}"; do
    case $a in --benchmark_out=* | --benchmark_out_format=* | --power_trace_out=*) ;; *) list+=("$a") ;; esac
  done
  remaining=$("${list[@]}" --benchmark_list_tests=true 2>/dev/null | grep -c . || true)
  note "$remaining case(s) left to measure"
fi
cmd=("${bench[@]}")
if [ "$is_jetson" = 1 ] && [ "$prepare" = 1 ]; then
  prep=(bash "$repo/scripts/jetson-prepare.sh" --root "${root:-/}" --state-file "$dir/board-state.txt")
  [ -n "$mode" ] && prep+=(--mode "$mode")
  cmd=("${prep[@]}" run -- "${bench[@]}")
elif [ "$is_jetson" = 1 ]; then
  note "--no-prepare: the board state (nvpmodel mode, clocks, fan) is left as it is; the context records it"
fi

# A record left by an attempt that measured nothing (e.g. a mode that could not be set) is not this run's.
if [ "$dry_run" = 0 ] && [ -e "$dir/board-state.txt" ] && grep -q '^restored=' "$dir/board-state.txt"; then
  rm -f "$dir/board-state.txt"
fi

interrupted=0
trap 'interrupted=1' INT
rc=0
if [ "$remaining" = 0 ]; then
  note "every case is measured already"
elif [ "$dry_run" = 1 ]; then
  act "${cmd[@]}"
else
  {
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) run-sweep.sh on $(hostname), git $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  } >>"$dir/command.txt"
  # tee -i: Ctrl-C must not kill the copies while layer_bench finishes its case.
  act "${cmd[@]}" > >(tee -i -a "$dir/layer_bench.txt") 2> >(tee -i -a "$dir/layer_bench.log" >&2) || rc=$?
fi
trap - INT
if [ "$rc" != 0 ] && [ -r "$dir/board-state.txt" ]; then
  mode_error=$(sed -n 's/^mode_error=//p' "$dir/board-state.txt" | tail -n 1)
  [ -z "$mode_error" ] || die "nvpmodel mode ${mode:-0} cannot be set: $mode_error; nothing was measured in it"
fi
if [ "$rc" = 130 ] || [ "$rc" = 143 ] || [ "$interrupted" = 1 ]; then
  note "interrupted: the finished cases are kept; run the same command again to resume"
  exit 130
fi
[ "$rc" = 0 ] || { note "layer_bench failed (exit $rc); see $dir/layer_bench.log"; exit "$rc"; }

# ---- fit ----------------------------------------------------------------------------------------------------------
fit_inputs=(${parts[@]+"${parts[@]}"})
if [ "$dry_run" = 1 ] || [ -e "$result" ]; then fit_inputs+=("$result"); fi
if [ "$dry_run" = 0 ] && [ ! -x "$energy_fit" ]; then
  note "$energy_fit not found: measured, not fitted; run: $energy_fit ${fit_inputs[*]} --out $dir/model.json --report $dir/report.md --plots $dir/plots"
  exit 1
fi
rc=0
act "$energy_fit" "${fit_inputs[@]}" --out "$dir/model.json" --report "$dir/report.md" --plots "$dir/plots" || rc=$?
[ "$rc" = 0 ] || { note "energy_fit failed (exit $rc)"; exit "$rc"; }
if [ "$dry_run" = 0 ]; then
  rm -f "$dir/.incomplete"
  note "done: $dir"
fi
