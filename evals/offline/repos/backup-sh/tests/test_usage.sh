#!/usr/bin/env bash
# Wrong arguments: a usage line and exit 2; a missing source: exit 1.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

bash "$root/bin/backup" only-one 2>"$tmp/err"
[ $? -eq 2 ] || fail "expected exit 2 on one argument"
grep -q '^usage: backup' "$tmp/err" || fail "no usage line"
bash "$root/bin/backup" "$tmp/missing" "$tmp/dest" 2>/dev/null
[ $? -eq 1 ] || fail "expected exit 1 on a missing source"
echo ok
