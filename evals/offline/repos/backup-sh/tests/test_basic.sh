#!/usr/bin/env bash
# Copies the files of a directory, leaves its subdirectories, reports the count.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$tmp/src/sub" "$tmp/dest"
echo one > "$tmp/src/a.txt"
echo two > "$tmp/src/b.log"
echo deep > "$tmp/src/sub/c.txt"

out=$(BACKUP_STAMP=snap bash "$root/bin/backup" "$tmp/src" "$tmp/dest") || fail "backup exited $?"
[ "$out" = "backed up 2 files to $tmp/dest/snap" ] || fail "unexpected report: $out"
[ "$(cat "$tmp/dest/snap/a.txt")" = one ] || fail "a.txt not copied"
[ "$(cat "$tmp/dest/snap/b.log")" = two ] || fail "b.log not copied"
[ ! -e "$tmp/dest/snap/sub" ] || fail "a subdirectory was copied"
echo ok
