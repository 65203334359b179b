#!/usr/bin/env bash
# Install the headless browser the site tests drive: Debian's own chromium package, nothing
# downloaded by Playwright. Playwright itself comes from pip (the project's test extras) and is
# pointed at /usr/bin/chromium, so `playwright install` is never run.
#
# Needs root (or passwordless sudo) and apt; does nothing when chromium is already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: apt-get not found; install Chromium at $CHROMIUM by hand." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-browser: run as root (or install sudo) to apt-get install chromium." >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
"$CHROMIUM" --version
