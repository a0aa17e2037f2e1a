#!/usr/bin/env bash
# Builds the operator's web console (web/) into OUTDIR, which the admin listener serves
# (admin.console_dir; by default the "console" folder beside the warung binary).
# Installs the npm packages from web/package-lock.json first when they are missing or
# older than the lock file.
set -euo pipefail
out=${1:?usage: build-console.sh OUTDIR}
web="$(cd "$(dirname "$0")/../web" && pwd)"
command -v npm >/dev/null || { echo "build-console: npm is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
cd "$web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node build.mjs "$out"
