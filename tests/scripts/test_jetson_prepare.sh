#!/usr/bin/env bash
# scripts/jetson-prepare.sh on fixture trees: --dry-run output, refusal off a Jetson, and a real prepare/run/restore
# against fake nvpmodel/jetson_clocks commands that act on a copy of a fixture tree.
#   test_jetson_prepare.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: test_jetson_prepare.sh SOURCE_DIR}
script=$src/scripts/jetson-prepare.sh
fixtures=$src/tests/fixtures/sysfs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

# The fake tools must not be found in a real PATH search on this machine.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# 1. --dry-run on the AGX Orin tree: the state read and the commands, in order; nothing written.
orin=$fixtures/agx-orin-r36
rc=0
bash "$script" --root "$orin" --dry-run --state-file "$tmp/s" run -- layer_bench --grid=paper >"$tmp/dry.out" 2>"$tmp/dry.err" || rc=$?
check "dry-run exit 0" equals "$rc" 0
check "dry-run reads the model" has_line "$tmp/dry.out" "state: board=NVIDIA Jetson AGX Orin Developer Kit"
check "dry-run reads the mode from var/lib/nvpmodel/status" \
  has_line "$tmp/dry.out" "state: nvpmodel_mode=0 (MAXN) from $orin/var/lib/nvpmodel/status"
grep '^would run:' "$tmp/dry.out" >"$tmp/dry.cmds" || true
cat >"$tmp/dry.expected" <<EOF
would run: jetson_clocks --store $tmp/s.clocks
would run: nvpmodel -m 0
would run: jetson_clocks
would run: layer_bench --grid=paper
would run: nvpmodel -m 0
would run: jetson_clocks --restore $tmp/s.clocks
EOF
check "dry-run commands" diff -u "$tmp/dry.expected" "$tmp/dry.cmds"
check "dry-run writes no state file" test ! -e "$tmp/s"

# Xavier NX (R32): mode 2 read, 0 set, 2 put back; --mode honoured.
bash "$script" --root "$fixtures/xavier-nx-r32" --dry-run --mode 3 run -- true >"$tmp/nx.out" 2>&1
check "xavier nx: mode 2 read" has_text "$tmp/nx.out" "state: nvpmodel_mode=2 from"
check "xavier nx: --mode 3 set" has_line "$tmp/nx.out" "would run: nvpmodel -m 3"
check "xavier nx: mode 2 restored" has_line "$tmp/nx.out" "would run: nvpmodel -m 2"

# 2. Not a Jetson: one line, exit 2, for a RAPL (x86) tree and an empty tree.
mkdir -p "$tmp/empty"
for tree in "$fixtures/rapl-intel" "$tmp/empty"; do
  rc=0
  bash "$script" --root "$tree" --dry-run prepare >"$tmp/no.out" 2>"$tmp/no.err" || rc=$?
  check "not a Jetson ($tree): exit 2" equals "$rc" 2
  check "not a Jetson ($tree): one line" equals "$(wc -l <"$tmp/no.err" | tr -d ' ')" 1
  check "not a Jetson ($tree): says so" has_text "$tmp/no.err" "not a Jetson"
  check "not a Jetson ($tree): stdout empty" test ! -s "$tmp/no.out"
done
# ... while /etc/nv_tegra_release alone identifies one.
mkdir -p "$tmp/tegra/etc"
echo "# R35 (release), REVISION: 4.1, GCID: 0, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug 1 19:57:35 UTC 2023" \
  >"$tmp/tegra/etc/nv_tegra_release"
bash "$script" --root "$tmp/tegra" status >"$tmp/tegra.out" 2>&1
check "nv_tegra_release: L4T read" has_line "$tmp/tegra.out" "state: l4t=R35.4.1"
rc=0
bash "$script" --root "$orin" --mode x status 2>/dev/null || rc=$?
check "bad --mode: exit 2" equals "$rc" 2

# 3. A real prepare/run/restore on a copy of the tree, with fake tools that change it.
board=$tmp/board
cp -a "$orin" "$board"
mkdir -p "$board/sys/devices/platform/pwm-fan/hwmon/hwmon3"
echo 80 >"$board/sys/devices/platform/pwm-fan/hwmon/hwmon3/pwm1"
fan=$board/sys/devices/platform/pwm-fan/hwmon/hwmon3/pwm1
echo "pmode:0002" >"$board/var/lib/nvpmodel/status"
mkdir -p "$tmp/bin"
cat >"$tmp/bin/nvpmodel" <<'EOF'
#!/usr/bin/env bash
# Fake nvpmodel acting on $FAKE_ROOT; logs its arguments.
echo "nvpmodel $*" >>"$FAKE_LOG"
status=$FAKE_ROOT/var/lib/nvpmodel/status
case $1 in
  -q) m=$(sed -n 's/^pmode:0*\([0-9][0-9]*\)/\1/p' "$status"); echo "NV Power Mode: MODE_$m"; echo "$m" ;;
  -m) [ -n "${FAKE_NVPMODEL_STUCK:-}" ] || printf 'pmode:%04d\n' "$2" >"$status" ;;
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
  --show) echo "GPU MinFreq=1300500000 MaxFreq=1300500000" ;;
esac
EOF
chmod +x "$tmp/bin/nvpmodel" "$tmp/bin/jetson_clocks"
bash "$script" --root "$board" --dry-run prepare >"$tmp/fan.dry" 2>&1
check "dry-run: fan read" has_line "$tmp/fan.dry" "state: fan_pwm=80 from $fan"
check "dry-run: fan to max" has_line "$tmp/fan.dry" "would run: echo 255 | $(command -v tee) $fan"
check "dry-run: fan untouched" equals "$(cat "$fan")" 80
export FAKE_ROOT=$board FAKE_LOG=$tmp/tools.log
fakepath=$tmp/bin:$PATH

: >"$FAKE_LOG"
rc=0
PATH=$fakepath bash "$script" --root "$board" --state-file "$tmp/state" run -- \
  bash -c "cat '$fan' >'$tmp/fan.during'; sed -n p '$board/var/lib/nvpmodel/status' >'$tmp/mode.during'; exit 7" \
  2>"$tmp/run.err" || rc=$?
check "run: exit status of the command" equals "$rc" 7
check "run: fan at max during the command" equals "$(cat "$tmp/fan.during")" 255
check "run: mode 0 during the command" equals "$(cat "$tmp/mode.during")" "pmode:0000"
check "run: fan restored" equals "$(cat "$fan")" 80
check "run: mode restored" equals "$(cat "$board/var/lib/nvpmodel/status")" "pmode:0002"
cat >"$tmp/tools.expected" <<EOF
nvpmodel -q
jetson_clocks --store $tmp/state.clocks
nvpmodel -m 0
nvpmodel -q
jetson_clocks
jetson_clocks --show
nvpmodel -m 2
jetson_clocks --restore $tmp/state.clocks
EOF
check "run: tool calls in order" diff -u "$tmp/tools.expected" "$FAKE_LOG"
check "run: state recorded" has_line "$tmp/state" "nvpmodel_mode=2"
check "run: fan recorded" has_line "$tmp/state" "fan_pwm=80"
check "run: state marked restored" grep -q '^restored=' "$tmp/state"

# SIGTERM to the script while the command runs: the command finishes, the state is put back, exit 143.
rm -f "$tmp/state"
: >"$FAKE_LOG"
rc=0
PATH=$fakepath bash "$script" --root "$board" --state-file "$tmp/state" run -- \
  bash -c 'kill -TERM $PPID; sleep 0.3; exit 0' 2>"$tmp/term.err" || rc=$?
check "SIGTERM: exit 143" equals "$rc" 143
check "SIGTERM: fan restored" equals "$(cat "$fan")" 80
check "SIGTERM: mode restored" equals "$(cat "$board/var/lib/nvpmodel/status")" "pmode:0002"

# prepare ... restore as two commands; a second prepare before the restore is refused.
rm -f "$tmp/state"
PATH=$fakepath bash "$script" --root "$board" --state-file "$tmp/state" prepare 2>"$tmp/prep.err"
check "prepare: fan at max" equals "$(cat "$fan")" 255
check "prepare: mode 0" equals "$(cat "$board/var/lib/nvpmodel/status")" "pmode:0000"
rc=0
PATH=$fakepath bash "$script" --root "$board" --state-file "$tmp/state" prepare 2>"$tmp/prep2.err" || rc=$?
check "second prepare refused" equals "$rc" 1
check "second prepare names restore" has_text "$tmp/prep2.err" "restore"
check "second prepare changed nothing" has_line "$tmp/state" "nvpmodel_mode=2"
PATH=$fakepath bash "$script" --root "$board" --state-file "$tmp/state" restore 2>"$tmp/rest.err"
check "restore: fan" equals "$(cat "$fan")" 80
check "restore: mode" equals "$(cat "$board/var/lib/nvpmodel/status")" "pmode:0002"

# A mode that does not take (nvpmodel wants a reboot): exit 1, what was changed is put back.
rm -f "$tmp/state"
rc=0
FAKE_NVPMODEL_STUCK=1 PATH=$fakepath bash "$script" --root "$board" --state-file "$tmp/state" run -- true \
  2>"$tmp/stuck.err" || rc=$?
check "mode not taken: exit 1" equals "$rc" 1
check "mode not taken: says reboot" has_text "$tmp/stuck.err" "reboot"
check "mode not taken: fan untouched" equals "$(cat "$fan")" 80
check "mode not taken: reason in the state file" grep -q "^mode_error=nvpmodel reports mode '2'" "$tmp/state"

# A mode the board does not list: refused before anything changes, the reason in the state file (run-sweep reads it).
rm -f "$tmp/state"
: >"$FAKE_LOG"
rc=0
PATH=$fakepath bash "$script" --root "$board" --state-file "$tmp/state" --mode 7 run -- touch "$tmp/ran" \
  2>"$tmp/unlisted.err" || rc=$?
check "unlisted mode: exit 1" equals "$rc" 1
check "unlisted mode: one line naming it and why" has_line "$tmp/unlisted.err" \
  "jetson-prepare: cannot set nvpmodel mode 7: $board/etc/nvpmodel.conf lists no POWER_MODEL ID=7 (its modes: 0 1 2 3)"
check "unlisted mode: command not run" test ! -e "$tmp/ran"
check "unlisted mode: nothing changed" equals "$(grep -c -e '-m' -e jetson_clocks "$FAKE_LOG")" 0
check "unlisted mode: reason recorded" grep -q '^mode_error=.*lists no POWER_MODEL ID=7' "$tmp/state"
check "unlisted mode: record needs no restore" grep -q '^restored=' "$tmp/state"
rc=0
bash "$script" --root "$board" --dry-run --mode 7 prepare >/dev/null 2>&1 || rc=$?
check "unlisted mode, dry-run: exit 1" equals "$rc" 1

# 4. Without rights: not root and no passwordless sudo -> exit 3 naming the fix.
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then
  cp "$script" "$tmp/jetson-prepare.sh" # readable by nobody wherever the checkout is
  chmod -R a+rX "$tmp"
  rc=0
  runuser -u nobody -- env PATH="$fakepath" bash "$tmp/jetson-prepare.sh" --root "$board" --state-file "$tmp/nobody.state" prepare \
    >"$tmp/nobody.out" 2>"$tmp/nobody.err" || rc=$?
  check "no rights: exit 3" equals "$rc" 3
  check "no rights: names the fix" grep -q "sudo" "$tmp/nobody.err"
  check "no rights: board untouched" equals "$(cat "$fan")" 80
  # --dry-run needs no rights.
  rc=0
  runuser -u nobody -- env PATH="$fakepath" bash "$tmp/jetson-prepare.sh" --root "$board" --dry-run prepare >"$tmp/nobody.dry" 2>&1 || rc=$?
  check "no rights, dry-run: exit 0" equals "$rc" 0
  check "no rights, dry-run: sudo -n shown" has_text "$tmp/nobody.dry" "would run: sudo -n $tmp/bin/nvpmodel -m 0"
else
  echo "note: the no-rights case needs root and runuser to switch to nobody; not run" >&2
fi

finish "jetson-prepare"
