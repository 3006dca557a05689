#!/usr/bin/env bash
# Promotes a release run's layer_bench result to a board's regression baseline.
#   promote-baseline.sh [--out-dir DIR] [--force] RESULT.json BOARD
# BOARD is the runner label of the board's CI job (jetson-orin, jetson-xavier-nx, ...); the baseline goes to
# DIR/BOARD.json (DIR: results/baselines of this checkout). The result is checked first (python3, standard library):
# a layer_bench JSON whose every measured case has at least 5 repetitions with an energy_J, not a synthetic fixture,
# not an interrupted run. The copy's context gains the provenance: baseline_board, baseline_promoted_utc,
# baseline_promoted_from (file name), baseline_promoted_at_git_sha (this checkout), baseline_run_git_sha (the run's
# layer_energy_git_sha). An existing baseline is replaced only with --force. Then commit the file.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out_dir=$repo/results/baselines
force=0
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --out-dir) out_dir=${2:?--out-dir needs a directory}; shift 2 ;;
    --out-dir=*) out_dir=${1#--out-dir=}; shift ;;
    --force) force=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "promote-baseline: unknown option '$1'" >&2; exit 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ ${#args[@]} -ne 2 ]; then
  echo "usage: $0 [--out-dir DIR] [--force] RESULT.json BOARD" >&2
  exit 2
fi
result=${args[0]}
board=${args[1]}
[[ $board =~ ^[a-z0-9][a-z0-9._-]*$ ]] || { echo "promote-baseline: board '$board' must be a runner label like jetson-orin" >&2; exit 2; }
[ -r "$result" ] || { echo "promote-baseline: cannot read $result" >&2; exit 2; }
target=$out_dir/$board.json
if [ -e "$target" ] && [ "$force" = 0 ]; then
  echo "promote-baseline: $target exists; pass --force to replace it" >&2
  exit 1
fi
sha=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
mkdir -p "$out_dir"
tmp=$(mktemp "$out_dir/.promote.XXXXXX")
trap 'rm -f "$tmp"' EXIT

python3 - "$result" "$board" "$sha" "$tmp" <<'EOF'
import collections, datetime, json, os, sys

path, board, sha, out = sys.argv[1:5]
MIN_REPETITIONS = 5

def fail(msg):
    print("promote-baseline: %s: %s" % (path, msg), file=sys.stderr)
    sys.exit(1)

try:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
except ValueError as e:
    fail("not complete JSON (%s); an interrupted run cannot be a baseline" % e)
if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
    fail('not a layer_bench result (no "benchmarks" list)')
context = data.get("context")
if not isinstance(context, dict):
    fail('no "context" object')
if str(context.get("synthetic", "")).lower() == "true":
    fail("a synthetic test fixture, not a measurement")

reps = collections.Counter()
missing_energy = set()
interrupted = []
for e in data["benchmarks"]:
    if not isinstance(e, dict) or not isinstance(e.get("name"), str):
        fail("an entry of benchmarks has no name")
    if e.get("run_type", "iteration") != "iteration":
        continue
    name = e.get("run_name", e["name"])
    skipped = e.get("skipped", False)
    if e.get("error_occurred") or (skipped if isinstance(skipped, bool) else True):
        message = e.get("error_message") or e.get("skip_message") or ""
        if "interrupted" in message:
            interrupted.append(name)
        continue
    reps[name] += 1
    if not isinstance(e.get("energy_J"), (int, float)):
        missing_energy.add(name)
if interrupted:
    fail("%d case(s) were interrupted (first: %s); finish the run first" % (len(interrupted), interrupted[0]))
if not reps:
    fail("no measured case")
few = sorted(n for n, k in reps.items() if k < MIN_REPETITIONS)
if few:
    fail("%d case(s) have fewer than %d repetitions (first: %s, %d); run with --benchmark_repetitions=%d or more"
         % (len(few), MIN_REPETITIONS, few[0], reps[few[0]], MIN_REPETITIONS))
if missing_energy:
    fail("%d case(s) have no energy_J (first: %s): no power source was measuring"
         % (len(missing_energy), sorted(missing_energy)[0]))

context["baseline_board"] = board
context["baseline_promoted_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
context["baseline_promoted_from"] = os.path.basename(path)
context["baseline_promoted_at_git_sha"] = sha
context["baseline_run_git_sha"] = str(context.get("layer_energy_git_sha", "unknown"))
with open(out, "w", encoding="utf-8") as f:
    json.dump(data, f, indent=2)
    f.write("\n")
print("promote-baseline: %d cases, %d to %d repetitions, board '%s' (%s)"
      % (len(reps), min(reps.values()), max(reps.values()), board, context.get("board", "board unknown")),
      file=sys.stderr)
EOF
chmod 644 "$tmp"
mv "$tmp" "$target"
trap - EXIT
echo "promote-baseline: wrote $target; commit it (git add $target)" >&2
