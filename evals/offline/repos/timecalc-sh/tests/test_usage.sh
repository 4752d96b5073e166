#!/usr/bin/env bash
# Anything but two 24-hour HH:MM times is refused with exit 2.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }

for args in "10:00" "10:00 25:00" "10:00 10:60" "10 11" "10:00 11:00 12:00"; do
  # shellcheck disable=SC2086 # the words are the arguments
  bash "$root/bin/minutes-between" $args 2>/dev/null
  [ $? -eq 2 ] || fail "expected exit 2 for: $args"
done
echo ok
