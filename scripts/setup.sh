#!/usr/bin/env bash
# Sets up a Debian host for Strata, idempotently: host packages (apt), the
# Node.js dependencies (npm ci, which also compiles Strata), and the default
# source mirror folder mirror/ (from Debian's archive, see fill-mirror.sh).
# Run as root, or as a user who may use sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

mapfile -t packages < <(grep -v '^\s*#' scripts/host-packages.txt | grep -v '^\s*$')
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing host packages: ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup: host packages already installed"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci
else
  echo "setup: node_modules up to date"
  npm run build --silent
fi

bash scripts/fill-mirror.sh mirror
echo "setup: done"
