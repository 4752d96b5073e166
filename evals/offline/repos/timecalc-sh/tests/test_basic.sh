#!/usr/bin/env bash
# Afternoon spans and night shifts.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
check() {
  local got
  got=$(bash "$root/bin/minutes-between" "$1" "$2") || fail "$1 $2: exited $?"
  [ "$got" = "$3" ] || fail "$1 $2: got $got, expected $3"
}

check 10:15 11:45 90
check 13:00 13:00 0
check 12:30 17:00 270
check 23:30 00:15 45
check 22:00 06:00 480
echo ok
