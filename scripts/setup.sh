#!/usr/bin/env bash
# Sets up a fresh Debian or Ubuntu machine for Warden: the OS packages the sandbox and the tools
# need, then the npm dependencies, which bring Node 24 (the node-linux-* packages) whatever Node
# the system has. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
command -v git >/dev/null 2>&1 || missing+=(git)
# The end-to-end network tests drive curl inside the sandbox.
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The console's tests drive Debian's headless Chromium through playwright-core.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The server's PostgreSQL tests start a private cluster on 127.0.0.1 with Debian's binaries.
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
# `warden eval` grades SWE-bench's Python instances with pytest, run by Debian's python3 in the sandbox.
/usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 || missing+=(python3-pytest)

if ((${#missing[@]} > 0)); then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "warden setup: missing ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "warden setup: installing ${missing[*]} from Debian's packages"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The lockfile pins every package; `npm ci` installs exactly that, from the npm registry only.
npm ci --no-audit --no-fund --loglevel=error
echo "warden setup: ready ($(node_modules/.bin/node --version), $(bwrap --version))"
