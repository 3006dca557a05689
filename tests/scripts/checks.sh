# Shared by the scripts tests (sourced): count checks, say what failed, and finish with the tally.
# shellcheck shell=bash
failures=0
passed=0
check() { # description command...
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "FAIL: $what" >&2
    failures=$((failures + 1))
  fi
}
equals() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'" >&2; return 1; }; }
has_line() { grep -qxF -- "$2" "$1" || { echo "  missing line: $2" >&2; echo "  in:" >&2; sed 's/^/    /' "$1" >&2; return 1; }; }
has_text() { grep -qF -- "$2" "$1" || { echo "  missing text: $2" >&2; sed 's/^/    /' "$1" >&2; return 1; }; }
lacks_text() { ! grep -qF -- "$2" "$1" || { echo "  unexpected text: $2" >&2; sed 's/^/    /' "$1" >&2; return 1; }; }
finish() { # name: prints the tally; the exit status is 0 only when nothing failed
  echo "$1: $passed passed, $failures failed"
  [ "$failures" -eq 0 ]
}
