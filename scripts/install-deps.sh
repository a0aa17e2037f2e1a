#!/usr/bin/env bash
# Installs the Debian 12 packages warung needs to build, test and benchmark.
# Idempotent and quiet when everything is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
  libsqlitecpp-dev libsqlite3-dev sqlite3
  postgresql libpq-dev   # store/postgres (libpq), and a throwaway server for its tests
  libssl-dev libcurl4-openssl-dev zlib1g-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl wrk
  nginx valgrind   # bench/run: the nginx ceiling (its own config, as the current user) and --instructions
  libsodium-dev    # admin passwords: Argon2id (crypto_pwhash)
  nodejs npm       # the web console (web/): scripts/build-console.sh, run by the build
  chromium         # the console's browser tests (npm playwright-core drives this chromium)
)

# Node.js may come from elsewhere than Debian: NodeSource's nodejs package bundles npm and
# conflicts with Debian's, so asking apt for npm there fails. A command already on PATH
# counts as its package installed.
declare -A command_of=([nodejs]=node [npm]=npm)

missing=()
for p in "${packages[@]}"; do
  if [ -n "${command_of[$p]:-}" ] && command -v "${command_of[$p]}" >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
