#!/usr/bin/env bash
# scripts/run-sweep.sh --modes on a copy of the AGX Orin fixture tree, with fake nvpmodel/jetson_clocks that change
# it: the dry run's order, bad --modes, a mode the board does not list; with the binaries, real CPU sweeps per mode
# (one folder each, the mode set in order and the board's own mode put back, the context recording the mode), a mode
# that cannot be set (exit 2, finished modes kept, resumed), energy_fit refusing to mix modes, and modes.md.
#   test_run_sweep_modes.sh SOURCE_DIR [LAYER_BENCH ENERGY_FIT]
set -euo pipefail
src=${1:?usage: test_run_sweep_modes.sh SOURCE_DIR [LAYER_BENCH ENERGY_FIT]}
layer_bench=${2:-}
energy_fit=${3:-}
sweep=$src/scripts/run-sweep.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

# The fake tools must not be found in a real PATH search on this machine.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The board: the AGX Orin tree (modes 0-3 in etc/nvpmodel.conf), in its own mode 3 so that a restore shows.
board=$tmp/board
cp -a "$src/tests/fixtures/sysfs/agx-orin-r36" "$board"
echo "pmode:0003" >"$board/var/lib/nvpmodel/status"
mkdir -p "$tmp/bin"
cat >"$tmp/bin/nvpmodel" <<'EOF'
#!/usr/bin/env bash
# Fake nvpmodel acting on $FAKE_ROOT; logs its arguments; `-m $FAKE_NVPMODEL_FAIL` fails as a real refusal does.
echo "nvpmodel $*" >>"$FAKE_LOG"
status=$FAKE_ROOT/var/lib/nvpmodel/status
case $1 in
  -q) m=$(sed -n 's/^pmode:0*\([0-9][0-9]*\)/\1/p' "$status"); echo "NV Power Mode: MODE_$m"; echo "$m" ;;
  -m)
    if [ "$2" = "${FAKE_NVPMODEL_FAIL:-}" ]; then echo "NVPM ERROR: failed to set power mode $2" >&2; exit 1; fi
    printf 'pmode:%04d\n' "$2" >"$status"
    ;;
  *) exit 1 ;;
esac
EOF
cat >"$tmp/bin/jetson_clocks" <<'EOF'
#!/usr/bin/env bash
# Fake jetson_clocks; logs its arguments.
echo "jetson_clocks${*:+ $*}" >>"$FAKE_LOG"
case ${1:-} in
  --store) echo "stored clocks" >"$2" ;;
  --restore) [ -f "$2" ] || exit 1 ;;
esac
EOF
chmod +x "$tmp/bin/nvpmodel" "$tmp/bin/jetson_clocks"
export FAKE_ROOT=$board FAKE_LOG=$tmp/tools.log
fakepath=$tmp/bin:$PATH
: >"$FAKE_LOG"
mode_of_board() { sed -n p "$board/var/lib/nvpmodel/status"; }

# 1. Dry run: one prepared sweep per mode, in the order given, each into DATE/mode-<N>/; then the comparison.
out=$tmp/dry
dir=$out/jetson-agx-orin/2024-07-01
rc=0
PATH=$fakepath bash "$sweep" --dry-run --modes 2,1 --out-root "$out" --root "$board" --date 2024-07-01 \
  --layer-bench /opt/lb --energy-fit /opt/ef >"$tmp/dry.out" 2>"$tmp/dry.err" || rc=$?
check "dry-run: exit 0" equals "$rc" 0
grep -o "jetson-prepare.sh --root $board --state-file [^ ]* --mode [0-9]" "$tmp/dry.out" >"$tmp/dry.prep" || true
cat >"$tmp/dry.prep.expected" <<EOF
jetson-prepare.sh --root $board --state-file $dir/mode-2/board-state.txt --mode 2
jetson-prepare.sh --root $board --state-file $dir/mode-1/board-state.txt --mode 1
EOF
check "dry-run: each mode prepared, in order" diff -u "$tmp/dry.prep.expected" "$tmp/dry.prep"
check "dry-run: mode 2 measured into its folder" has_text "$tmp/dry.out" "--benchmark_out=$dir/mode-2/paper.json"
check "dry-run: mode 1 fitted in its folder" has_text "$tmp/dry.out" \
  "would run: /opt/ef $dir/mode-1/paper.json --out $dir/mode-1/model.json"
check "dry-run: modes compared" has_text "$tmp/dry.out" \
  "scripts/compare-modes.py $dir/mode-2 $dir/mode-1 > $dir/modes.md"
check "dry-run: nothing created" test ! -e "$out"
check "dry-run: board untouched" equals "$(mode_of_board)" "pmode:0003"
check "dry-run: no tool changed anything" lacks_text "$FAKE_LOG" "nvpmodel -m"

# 2. Bad --modes: one line naming the flag, exit 2, nothing measured.
for bad in "1,x" "1,,2" "2,1,2"; do
  rc=0
  bash "$sweep" --dry-run --modes "$bad" --out-root "$tmp/bad" --root "$board" --layer-bench /opt/lb \
    >/dev/null 2>"$tmp/bad.err" || rc=$?
  check "--modes $bad: exit 2" equals "$rc" 2
  check "--modes $bad: one line naming the flag" equals "$(grep -c -- "--modes '$bad'" "$tmp/bad.err")" 1
done
rc=0
bash "$sweep" --dry-run --modes 0 --mode 1 --root "$board" --layer-bench /opt/lb >/dev/null 2>"$tmp/both.err" || rc=$?
check "--mode with --modes: exit 2" equals "$rc" 2
rc=0
bash "$sweep" --dry-run --modes 0,1 --out-root "$tmp/cpu" --board cpu-test \
  --root "$src/tests/fixtures/sysfs/rapl-intel" --layer-bench /opt/lb >/dev/null 2>"$tmp/cpu.err" || rc=$?
check "--modes off a Jetson: exit 2" equals "$rc" 2
check "--modes off a Jetson: says so" has_text "$tmp/cpu.err" "not a Jetson"
# A mode the board does not list stops the sweep before anything is measured or changed, even the modes before it.
rc=0
PATH=$fakepath bash "$sweep" --modes 1,9 --out-root "$tmp/nine" --root "$board" --layer-bench /bin/true \
  >/dev/null 2>"$tmp/nine.err" || rc=$?
check "unlisted mode: exit 2" equals "$rc" 2
check "unlisted mode: one line" equals "$(wc -l <"$tmp/nine.err" | tr -d ' ')" 1
check "unlisted mode: names the mode and why" has_text "$tmp/nine.err" \
  "run-sweep: nvpmodel mode 9 cannot be set: $board/etc/nvpmodel.conf lists no POWER_MODEL ID=9 (its modes: 0 1 2 3)"
check "unlisted mode: nothing measured" test ! -e "$tmp/nine"
check "unlisted mode: no tool run" lacks_text "$FAKE_LOG" "nvpmodel -m"

# 3. Real sweeps on the CPU backend (the fake board's state is what the context reads), fake nvpmodel/jetson_clocks.
if [ -z "$layer_bench" ] || [ ! -x "$layer_bench" ] || [ -z "$energy_fit" ] || [ ! -x "$energy_fit" ]; then
  echo "note: no layer_bench/energy_fit given: the real per-mode sweeps are not run" >&2
  finish "run-sweep --modes"
  exit $?
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "note: jetson-prepare.sh changes the (fake) board only as root; the real per-mode sweeps are not run" >&2
  finish "run-sweep --modes"
  exit $?
fi
# A wrapper that logs each measurement with the board's mode at that moment.
cat >"$tmp/bench" <<EOF
#!/usr/bin/env bash
case "\$*" in *--benchmark_list_tests*) ;; *) echo "layer_bench in \$(sed -n p "$board/var/lib/nvpmodel/status")" >>"\$FAKE_LOG" ;; esac
exec "$layer_bench" "\$@"
EOF
chmod +x "$tmp/bench"
real=$tmp/real
rdir=$real/jetson-agx-orin/2024-07-02
args=(--out-root "$real" --date 2024-07-02 --root "$board" --grid "$src/tests/fixtures/layers_small.csv"
  --repetitions 2 --layer-bench "$tmp/bench" --energy-fit "$energy_fit" --
  --backend=cpu --power=replay:"$src/tests/fixtures/traces/constant_5w.csv" --idle_s=0 --benchmark_min_time=0.01)
# Results in the context: what the fake board said while each mode was measured.
context_of() { # result.json -> "nvpmodel_status nvpmodel_mode"
  python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["context"]
print(c.get("nvpmodel_status", "-"), c.get("nvpmodel_mode", "-"))' "$1"
}

: >"$FAKE_LOG"
rc=0
PATH=$fakepath bash "$sweep" --modes 1,2 "${args[@]}" >"$tmp/real.out" 2>"$tmp/real.err" || rc=$?
check "two modes: exit 0" equals "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    /' "$tmp/real.err" >&2
for m in 1 2; do
  check "mode $m: results" test -s "$rdir/mode-$m/layers_small.json"
  check "mode $m: model" test -s "$rdir/mode-$m/model.json"
  check "mode $m: board state recorded" has_line "$rdir/mode-$m/board-state.txt" "set_nvpmodel_mode=$m (MODE_$((m * 15))W)"
  check "mode $m: finished" test ! -e "$rdir/mode-$m/.incomplete"
done
check "mode 1: context records the mode" equals "$(context_of "$rdir/mode-1/layers_small.json")" "pmode:0001 MODE_15W"
check "mode 2: context records the mode" equals "$(context_of "$rdir/mode-2/layers_small.json")" "pmode:0002 MODE_30W"
grep -E '^(nvpmodel -m|layer_bench in)' "$FAKE_LOG" >"$tmp/order" || true
cat >"$tmp/order.expected" <<EOF
nvpmodel -m 1
layer_bench in pmode:0001
nvpmodel -m 3
nvpmodel -m 2
layer_bench in pmode:0002
nvpmodel -m 3
EOF
check "two modes: set in order, measured in them, the board's mode put back after each" \
  diff -u "$tmp/order.expected" "$tmp/order"
check "two modes: board back in its own mode" equals "$(mode_of_board)" "pmode:0003"
check "two modes: sweep finished" test ! -e "$rdir/.incomplete"
check "modes.md: a column per mode" has_text "$rdir/modes.md" "| mode 1 (MODE_15W) | mode 2 (MODE_30W) |"
for row in "| conv (dense) | 4 |" "| conv (depthwise/grouped) | 1 |" "| FC | 3 |"; do
  check "modes.md: row $row" has_text "$rdir/modes.md" "$row"
done

# energy_fit never fits two modes into one model.
rc=0
"$energy_fit" "$rdir/mode-1/layers_small.json" "$rdir/mode-2/layers_small.json" --out "$tmp/mixed.json" \
  2>"$tmp/mixed.err" || rc=$?
check "mixed modes: energy_fit exits 1" equals "$rc" 1
check "mixed modes: one line naming both files and modes" has_text "$tmp/mixed.err" \
  "energy_fit: error: $rdir/mode-2/layers_small.json records nvpmodel mode 2 (MODE_30W) but $rdir/mode-1/layers_small.json records nvpmodel mode 1 (MODE_15W): fit one model per mode"

# 4. A mode that cannot be set: exit 2 before measuring in it, one line, finished modes kept; the same command
# again skips them and measures the rest.
real=$tmp/fail
rdir=$real/jetson-agx-orin/2024-07-02
args[1]=$real
: >"$FAKE_LOG"
rc=0
FAKE_NVPMODEL_FAIL=2 PATH=$fakepath bash "$sweep" --modes 1,2,0 "${args[@]}" >"$tmp/fail.out" 2>"$tmp/fail.err" || rc=$?
check "failing mode: exit 2" equals "$rc" 2
check "failing mode: one line naming the mode and why" equals \
  "$(grep -c "^run-sweep: nvpmodel mode 2 cannot be set: 'nvpmodel -m 2' failed (exit 1); nothing was measured in it$" "$tmp/fail.err")" 1
check "failing mode: finished mode kept" test -s "$rdir/mode-1/model.json"
check "failing mode: nothing measured in it" test ! -e "$rdir/mode-2/layers_small.json"
check "failing mode: later modes not started" test ! -e "$rdir/mode-0"
check "failing mode: measured once" equals "$(grep -c '^layer_bench in' "$FAKE_LOG")" 1
check "failing mode: board back in its own mode" equals "$(mode_of_board)" "pmode:0003"
check "failing mode: sweep unfinished" test -e "$rdir/.incomplete"
: >"$FAKE_LOG"
rc=0
# (without --date: the unfinished sweep is found)
PATH=$fakepath bash "$sweep" --modes 1,2,0 --out-root "$real" "${args[@]:4}" >"$tmp/again.out" 2>"$tmp/again.err" || rc=$?
check "again: exit 0" equals "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    /' "$tmp/again.err" >&2
check "again: picks the unfinished sweep" has_text "$tmp/again.err" "results in $rdir/mode-<N>"
check "again: finished mode skipped" has_text "$tmp/again.err" "mode 1: measured already in $rdir/mode-1; kept"
grep '^layer_bench in' "$FAKE_LOG" >"$tmp/again.order" || true
printf '%s\n' "layer_bench in pmode:0002" "layer_bench in pmode:0000" >"$tmp/again.expected"
check "again: the other modes measured, in order" diff -u "$tmp/again.expected" "$tmp/again.order"
check "again: three modes compared" has_text "$rdir/modes.md" "| mode 1 (MODE_15W) | mode 2 (MODE_30W) | mode 0 (MAXN) |"
check "again: board back in its own mode" equals "$(mode_of_board)" "pmode:0003"

finish "run-sweep --modes"
