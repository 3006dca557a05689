#!/usr/bin/env bash
# Puts a Jetson board into a fixed state for energy measurements and puts it back afterwards.
#
#   jetson-prepare.sh [options] status                 print the state read (nvpmodel mode, fan, L4T), change nothing
#   jetson-prepare.sh [options] prepare                record the state in --state-file, then set it for measurement
#   jetson-prepare.sh [options] restore                put back the state recorded by `prepare`
#   jetson-prepare.sh [options] run -- COMMAND [ARG...] prepare, run COMMAND, restore (also on error, Ctrl-C, SIGTERM)
#
# Options:
#   --mode N          nvpmodel mode to set (default 0: MAXN on AGX Orin, AGX Xavier, TX2 and Nano; on Xavier NX and
#                     Orin NX/Nano mode 0 is not the fastest mode: the script warns and names MAXN's id when
#                     /etc/nvpmodel.conf lists one)
#   --state-file F    where the recorded state goes (default: ${TMPDIR:-/tmp}/layer-energy-jetson.state; `run`
#                     without it uses a temporary file). Key=value lines; kept after a restore, marked `restored=`
#   --root DIR        prefix for /sys, /proc, /etc and /var (fixture trees; like layer_bench --power_sysfs_root)
#   --no-fan          leave the fan alone
#   --dry-run         print the state read and each command it would run ("would run: ..."), change nothing; needs
#                     no root
#
# Setting: `jetson_clocks --store` (the clocks before any change), `nvpmodel -m N`, `jetson_clocks` (clocks pinned at
# the mode's maximum), fan PWM 255. Restoring: `nvpmodel -m <recorded>`, `jetson_clocks --restore`, the recorded fan
# PWM. Needs root for the changes: as root it runs the tools directly; otherwise through `sudo -n` (never prompts).
# The commands are those on PATH (nvpmodel, jetson_clocks; /usr/sbin and /usr/bin are searched too).
#
# Exit status: 0 done; 1 a step failed (what was already changed is put back); 2 usage error or not a Jetson; 3 no
# rights to change the state. `run` exits with COMMAND's status (130 after Ctrl-C, 143 after SIGTERM), or 1 when
# COMMAND succeeded but the restore failed. A mode that cannot be set (not in /etc/nvpmodel.conf, no nvpmodel for an
# asked-for --mode, `nvpmodel -m` failing or not taking) is one line "cannot set nvpmodel mode N: why", exit 1, and a
# `mode_error=why` line in the state file; COMMAND is not run.
set -euo pipefail

prog=jetson-prepare
root=/
mode=0
mode_given=0
state_file=
state_file_given=
dry_run=0
use_fan=1
action=
command_args=()

die() { # exit-code message...
  local code=$1
  shift
  echo "$prog: $*" >&2
  exit "$code"
}
note() { echo "$prog: $*" >&2; }
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case $1 in
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    --root=*) root=${1#--root=}; shift ;;
    --mode) mode=${2:?--mode needs a number}; mode_given=1; shift 2 ;;
    --mode=*) mode=${1#--mode=}; mode_given=1; shift ;;
    --state-file) state_file=${2:?--state-file needs a path}; state_file_given=1; shift 2 ;;
    --state-file=*) state_file=${1#--state-file=}; state_file_given=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    --no-fan) use_fan=0; shift ;;
    -h | --help) usage; exit 0 ;;
    status | prepare | restore | run)
      [ -z "$action" ] || die 2 "one action only (got '$action' and '$1')"
      action=$1
      shift
      if [ "$action" = run ]; then
        [ "${1:-}" = "--" ] && shift
        [ $# -gt 0 ] || die 2 "run needs a command: $prog run -- COMMAND [ARG...]"
        command_args=("$@")
        break
      fi
      ;;
    *) die 2 "unknown argument '$1' (see --help)" ;;
  esac
done
[ -n "$action" ] || die 2 "say what to do: status, prepare, restore or run -- COMMAND (see --help)"
[[ $mode =~ ^[0-9]+$ ]] || die 2 "--mode '$mode' is not a number"
[ -d "$root" ] || die 2 "--root '$root' is not a directory"
root=${root%/}

# ---- reading the board --------------------------------------------------------------------------------------------
path_in_root() { echo "$root$1"; }

board_model() {
  local f
  f=$(path_in_root /proc/device-tree/model)
  [ -r "$f" ] && tr -d '\0' <"$f"
  return 0
}

find_tool() { # name -> path or nothing
  local name=$1 dir
  if command -v "$name" >/dev/null 2>&1; then
    command -v "$name"
    return 0
  fi
  for dir in /usr/sbin /usr/bin /sbin; do
    [ -x "$dir/$name" ] && { echo "$dir/$name"; return 0; }
  done
  return 0
}

# The mode id from `nvpmodel -q` (its last line holding a bare number), else from /var/lib/nvpmodel/status
# ("pmode:0002"). Sets read_mode and read_mode_from.
read_nvpmodel_mode() {
  read_mode=
  read_mode_from=
  if [ -n "$nvpmodel" ]; then
    local out
    if out=$("$nvpmodel" -q 2>/dev/null); then
      read_mode=$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p' | tail -n 1)
      [ -n "$read_mode" ] && read_mode_from="nvpmodel -q" && return 0
    fi
  fi
  local status
  status=$(path_in_root /var/lib/nvpmodel/status)
  if [ -r "$status" ]; then
    read_mode=$(sed -n 's/^pmode:0*\([0-9][0-9]*\).*/\1/p' "$status" | head -n 1)
    [ -n "$read_mode" ] && read_mode_from=$status
  fi
  return 0
}

# NAME of "< POWER_MODEL ID=<id> NAME=<name> >" in /etc/nvpmodel.conf, or nothing.
mode_name() {
  local conf
  conf=$(path_in_root /etc/nvpmodel.conf)
  [ -r "$conf" ] || return 0
  sed -n "s/^<[[:space:]]*POWER_MODEL[[:space:]][[:space:]]*ID=$1[[:space:]][[:space:]]*NAME=\\([^[:space:]>]*\\).*/\\1/p" "$conf" |
    head -n 1
}

# The ids of the POWER_MODEL lines of /etc/nvpmodel.conf, one per line; nothing when it is unreadable.
conf_mode_ids() {
  local conf
  conf=$(path_in_root /etc/nvpmodel.conf)
  [ -r "$conf" ] || return 0
  sed -n 's/^<[[:space:]]*POWER_MODEL[[:space:]][[:space:]]*ID=\([0-9][0-9]*\)[[:space:]].*/\1/p' "$conf"
}

maxn_id() {
  local conf
  conf=$(path_in_root /etc/nvpmodel.conf)
  [ -r "$conf" ] || return 0
  sed -n 's/^<[[:space:]]*POWER_MODEL[[:space:]][[:space:]]*ID=\([0-9][0-9]*\)[[:space:]][[:space:]]*NAME=MAXN[^[:space:]>]*.*/\1/p' \
    "$conf" | head -n 1
}

# The fan's PWM file: hwmon pwm1 of the pwm-fan device (L4T R34+), or target_pwm (L4T R32).
fan_file() {
  local f
  for f in "$root"/sys/devices/platform/pwm-fan/hwmon/hwmon*/pwm1 "$root"/sys/devices/pwm-fan/hwmon/hwmon*/pwm1 \
    "$root"/sys/devices/pwm-fan/target_pwm "$root"/sys/devices/platform/pwm-fan/target_pwm; do
    [ -e "$f" ] && { echo "$f"; return 0; }
  done
  return 0
}

l4t_release() {
  local f
  f=$(path_in_root /etc/nv_tegra_release)
  [ -r "$f" ] && head -n 1 "$f" | sed -n 's/^# *\(R[0-9]*\) *([^)]*), *REVISION: *\([0-9.]*\).*/\1.\2/p'
  return 0
}

model=$(board_model)
if [[ $model != *Jetson* ]] && [ ! -e "$(path_in_root /etc/nv_tegra_release)" ]; then
  die 2 "not a Jetson (no 'Jetson' in $(path_in_root /proc/device-tree/model) and no $(path_in_root /etc/nv_tegra_release)); nothing to prepare${model:+ on \"$model\"}"
fi
[ -n "$model" ] || model="Jetson (model unreadable; $(path_in_root /etc/nv_tegra_release) present)"

nvpmodel=$(find_tool nvpmodel)
jetson_clocks=$(find_tool jetson_clocks)
# What is run (or, with --dry-run, shown: by its bare name when this machine lacks it, as on a fixture tree).
nvpmodel_cmd=$nvpmodel
jetson_clocks_cmd=$jetson_clocks
if [ "$dry_run" = 1 ]; then
  nvpmodel_cmd=${nvpmodel:-nvpmodel}
  jetson_clocks_cmd=${jetson_clocks:-jetson_clocks}
fi

# ---- rights -------------------------------------------------------------------------------------------------------
sudo_cmd=()
need_rights() {
  [ "$dry_run" = 1 ] && { [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo -n); return 0; }
  [ "$(id -u)" -eq 0 ] && return 0
  command -v sudo >/dev/null 2>&1 || die 3 "not root and no sudo: run as root (sudo $0 ...), or use --dry-run"
  # Each command as it will be run (tee with the fan file, so a sudoers rule may name that file only).
  local fan_path=
  [ "$use_fan" = 1 ] && fan_path=$(fan_file)
  local -a needed=()
  [ -n "$nvpmodel" ] && needed+=("$nvpmodel")
  [ -n "$jetson_clocks" ] && needed+=("$jetson_clocks")
  [ -n "$fan_path" ] && needed+=("$(command -v tee) $fan_path")
  local c
  for c in ${needed[@]+"${needed[@]}"}; do
    # shellcheck disable=SC2086 # the words of the command
    sudo -n -l $c >/dev/null 2>&1 ||
      die 3 "not root and 'sudo -n $c' is not allowed without a password: run as root (sudo $0 ...), or allow nvpmodel, jetson_clocks and tee of the fan file with NOPASSWD in /etc/sudoers.d/ (docs/running.md), or use --dry-run"
  done
  sudo_cmd=(sudo -n)
}

# ---- running or printing the changes ------------------------------------------------------------------------------
show() { printf '%q ' "$@" | sed 's/ $//'; }

act() { # command...
  if [ "$dry_run" = 1 ]; then
    echo "would run: $(show "${sudo_cmd[@]}" "$@")"
    return 0
  fi
  note "running: $(show "${sudo_cmd[@]}" "$@")"
  "${sudo_cmd[@]}" "$@" </dev/null
}

write_value() { # value file
  local tee_cmd
  tee_cmd=$(command -v tee)
  if [ "$dry_run" = 1 ]; then
    echo "would run: echo $1 | $(show "${sudo_cmd[@]}" "$tee_cmd" "$2")"
    return 0
  fi
  note "running: echo $1 | $(show "${sudo_cmd[@]}" "$tee_cmd" "$2")"
  printf '%s\n' "$1" | "${sudo_cmd[@]}" "$tee_cmd" "$2" >/dev/null
}

state_get() { # key -> value of the last "key=" line
  sed -n "s/^$1=//p" "$state_file" | tail -n 1
}

print_state() {
  echo "state: board=$model"
  echo "state: root=${root:-/}"
  local l4t
  l4t=$(l4t_release)
  [ -n "$l4t" ] && echo "state: l4t=$l4t"
  if [ -n "$read_mode" ]; then
    local name
    name=$(mode_name "$read_mode")
    echo "state: nvpmodel_mode=$read_mode${name:+ ($name)} from $read_mode_from"
  else
    echo "state: nvpmodel_mode=unknown (no nvpmodel command, no $(path_in_root /var/lib/nvpmodel/status))"
  fi
  if [ -n "$fan" ]; then
    echo "state: fan_pwm=$fan_value from $fan"
  else
    echo "state: fan=none found (no pwm-fan pwm1 or target_pwm)"
  fi
  echo "state: jetson_clocks=${jetson_clocks:-not found}${jetson_clocks:+ (clock state saved with --store)}"
  echo "state: nvpmodel=${nvpmodel:-not found}"
}

read_state() {
  read_nvpmodel_mode
  fan=
  fan_value=
  if [ "$use_fan" = 1 ]; then
    fan=$(fan_file)
    if [ -n "$fan" ]; then
      fan_value=$(tr -d '[:space:]' <"$fan" 2>/dev/null || true)
      [[ $fan_value =~ ^[0-9]+$ ]] || { note "fan $fan: unreadable value '$fan_value'; leaving the fan alone"; fan=; }
    fi
  fi
}

# ---- prepare / restore --------------------------------------------------------------------------------------------
changed=0   # something was changed and must be put back
keep=0      # `prepare` succeeded: leave the board prepared, state recorded
restored=0

# The mode cannot be set: one line naming it and why, exit 1. The reason is also kept in the state file as
# `mode_error=`, where run-sweep.sh finds it (a `run` exits with its command's status, so the status cannot tell).
mode_cannot_be_set() { # reason
  if [ "$dry_run" = 0 ]; then
    if [ "$changed" = 0 ]; then
      # Nothing was changed yet: a record that needs no restore.
      {
        echo "# layer-energy jetson-prepare state, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "board=$model"
        echo "nvpmodel_mode=$read_mode"
        echo "set_nvpmodel_mode=$mode"
        echo "mode_error=$1"
        echo "restored=$(date -u +%Y-%m-%dT%H:%M:%SZ) (nothing was changed)"
      } >"$state_file"
    else
      echo "mode_error=$1" >>"$state_file"
    fi
  fi
  die 1 "cannot set nvpmodel mode $mode: $1"
}

prepare() {
  read_state
  if [ "$dry_run" = 0 ] && [ -e "$state_file" ] && ! grep -q '^restored=' "$state_file"; then
    die 1 "$state_file holds a state that was prepared and not restored: run '$0 restore${state_file_given:+ --state-file $state_file}' first (or delete it if the board was rebooted)"
  fi
  local target_name maxn
  target_name=$(mode_name "$mode")
  maxn=$(maxn_id)
  if [ "$mode_given" = 0 ] && [ -n "$target_name" ] && [[ $target_name != MAXN* ]]; then
    note "warning: default mode 0 is '$target_name' on this board${maxn:+, MAXN is mode $maxn (--mode $maxn)}"
  fi
  # Checked before anything changes: a mode the board does not list, or an asked-for mode with no tool to set it.
  local listed
  listed=$(conf_mode_ids | tr '\n' ' ' | sed 's/ $//')
  if [ -n "$listed" ] && ! conf_mode_ids | grep -qx "$mode"; then
    mode_cannot_be_set "$(path_in_root /etc/nvpmodel.conf) lists no POWER_MODEL ID=$mode (its modes: $listed)"
  fi
  if [ "$mode_given" = 1 ] && [ -z "$nvpmodel_cmd" ]; then
    mode_cannot_be_set "nvpmodel not found (PATH, /usr/sbin, /usr/bin, /sbin)"
  fi
  if [ "$dry_run" = 1 ]; then
    print_state
    echo "would record the state in $state_file"
  else
    {
      echo "# layer-energy jetson-prepare state, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
      echo "board=$model"
      echo "root=${root:-/}"
      echo "l4t=$(l4t_release)"
      echo "nvpmodel_mode=$read_mode"
      echo "nvpmodel_mode_from=$read_mode_from"
      echo "fan_file=$fan"
      echo "fan_pwm=$fan_value"
      echo "jetson_clocks_store=${jetson_clocks_cmd:+$state_file.clocks}"
      echo "set_nvpmodel_mode=$mode${target_name:+ ($target_name)}"
    } >"$state_file"
    note "recorded the state in $state_file"
  fi
  changed=1
  if [ -n "$jetson_clocks_cmd" ]; then
    act "$jetson_clocks_cmd" --store "$state_file.clocks"
  else
    note "warning: jetson_clocks not found: clocks are not pinned (the context's gpu_clock_pinned tells)"
  fi
  if [ -n "$nvpmodel_cmd" ]; then
    if [ "$read_mode" != "$mode" ] || [ "$dry_run" = 1 ]; then
      local set_rc=0
      act "$nvpmodel_cmd" -m "$mode" || set_rc=$?
      [ "$set_rc" = 0 ] || mode_cannot_be_set "'nvpmodel -m $mode' failed (exit $set_rc)"
    fi
    if [ "$dry_run" = 0 ]; then
      local now
      read_nvpmodel_mode
      now=$read_mode
      [ "$now" = "$mode" ] ||
        mode_cannot_be_set "nvpmodel reports mode '${now:-unknown}' after 'nvpmodel -m $mode' (this change may need a reboot: set it with 'sudo nvpmodel -m $mode' and reboot first)"
    fi
  else
    note "warning: nvpmodel not found: the power mode is left as it is"
  fi
  [ -n "$jetson_clocks_cmd" ] && act "$jetson_clocks_cmd"
  [ -n "$fan" ] && write_value 255 "$fan"
  if [ "$dry_run" = 0 ]; then
    echo "set_fan_pwm=${fan:+255}" >>"$state_file"
    echo "prepared=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$state_file"
    if [ -n "$jetson_clocks" ]; then
      "${sudo_cmd[@]}" "$jetson_clocks" --show 2>/dev/null </dev/null | sed 's/^/# jetson_clocks --show: /' >>"$state_file" || true
    fi
  fi
  return 0
}

restore() {
  [ "$restored" = 1 ] && return 0
  restored=1
  local failed=0 rec_mode rec_fan rec_fan_file clocks
  if [ "$dry_run" = 1 ] && { [ "$action" = run ] || [ ! -r "$state_file" ] || grep -q '^restored=' "$state_file"; }; then
    # What `prepare` would have recorded is what is read now.
    [ "$action" = restore ] && note "no state to restore in $state_file: showing the restore of the state read now"
    rec_mode=$read_mode
    rec_fan_file=$fan
    rec_fan=$fan_value
    clocks=${jetson_clocks_cmd:+$state_file.clocks}
  else
    [ -r "$state_file" ] || { note "no recorded state in $state_file: nothing to restore"; return 1; }
    if grep -q '^restored=' "$state_file"; then
      note "$state_file was already restored ($(state_get restored))"
      return 0
    fi
    rec_mode=$(state_get nvpmodel_mode)
    rec_fan_file=$(state_get fan_file)
    rec_fan=$(state_get fan_pwm)
    clocks=$(state_get jetson_clocks_store)
  fi
  if [ -n "$rec_mode" ] && [ -n "$nvpmodel_cmd" ]; then
    act "$nvpmodel_cmd" -m "$rec_mode" || { note "error: could not set nvpmodel mode $rec_mode back"; failed=1; }
  fi
  if [ -n "$clocks" ] && [ -n "$jetson_clocks_cmd" ]; then
    if [ "$dry_run" = 1 ] || [ -e "$clocks" ]; then
      act "$jetson_clocks_cmd" --restore "$clocks" || { note "error: jetson_clocks --restore $clocks failed"; failed=1; }
    else
      note "error: $clocks is missing: clocks not restored (a reboot restores them)"
      failed=1
    fi
  fi
  if [ -n "$rec_fan_file" ] && [ -n "$rec_fan" ]; then
    write_value "$rec_fan" "$rec_fan_file" || { note "error: could not write the fan PWM back"; failed=1; }
  fi
  if [ "$dry_run" = 0 ]; then
    local suffix=
    [ "$failed" = 1 ] && suffix=" (with errors)"
    echo "restored=$(date -u +%Y-%m-%dT%H:%M:%SZ)$suffix" >>"$state_file"
    [ "$failed" = 0 ] && note "restored the state recorded in $state_file"
  fi
  return "$failed"
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$changed" = 1 ] && [ "$keep" = 0 ]; then
    if ! restore; then
      note "restoring failed; the recorded state is in $state_file"
      [ "$rc" = 0 ] && rc=1
    fi
  fi
  [ -n "${temp_state:-}" ] && [ "$rc" = 0 ] && rm -f "$temp_state" "$temp_state.clocks"
  exit "$rc"
}

# ---- main ---------------------------------------------------------------------------------------------------------
if [ -z "$state_file" ]; then
  if [ "$action" = run ] && [ "$dry_run" = 0 ]; then
    temp_state=$(mktemp "${TMPDIR:-/tmp}/layer-energy-jetson.XXXXXX")
    state_file=$temp_state
    rm -f "$state_file" # prepare writes it; mktemp only reserved a unique name
  else
    state_file=${TMPDIR:-/tmp}/layer-energy-jetson.state
  fi
fi

case $action in
  status)
    read_state
    print_state
    ;;
  prepare)
    need_rights
    trap on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    prepare
    keep=1
    [ "$dry_run" = 1 ] || note "prepared; put it back with: $0 restore${state_file_given:+ --state-file $state_file}"
    ;;
  restore)
    need_rights
    read_state
    restore
    ;;
  run)
    need_rights
    trap on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    prepare
    if [ "$dry_run" = 1 ]; then
      echo "would run: $(show "${command_args[@]}")"
      restore
      changed=0
      exit 0
    fi
    # In the foreground: Ctrl-C reaches COMMAND too (layer_bench finishes its case and exits 130); the traps run
    # once it has exited.
    set +e
    "${command_args[@]}"
    rc=$?
    set -e
    exit "$rc"
    ;;
esac
