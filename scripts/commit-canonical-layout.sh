#!/usr/bin/env bash
# Put every table in canonical form (`make format`) and, when that changed a file, commit the
# result and push it to BRANCH. Layout is the project's job, not the contributor's: the
# pull-request workflow (.github/workflows/data.yml) runs this on a pull request's own branch,
# and .github/workflows/canonical.yml on main after a merge (for pull requests from forks,
# whose branch the workflow cannot write). A file `format` cannot read safely is left alone;
# the validation that follows says why.
# Usage: scripts/commit-canonical-layout.sh BRANCH
set -euo pipefail
branch="${1:?usage: scripts/commit-canonical-layout.sh BRANCH}"

if ! make --no-print-directory format; then
  echo "Some tables were left as they are (see above); the validation says why."
fi
if git diff --quiet -- datapackage; then
  echo "Every table is already in canonical form; nothing to commit."
  exit 0
fi
git add -- datapackage
git -c user.name="github-actions[bot]" \
  -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
  commit --quiet -m "Canonical layout of the tables (clusterdata format)" \
  -m "Written by the workflow; the values are unchanged (byte-order mark, line endings, final newline, row order, quoting)."
if git push --quiet origin "HEAD:refs/heads/${branch}"; then
  echo "Committed the canonical layout to ${branch}:"
  git show --stat --format=%s HEAD
else
  echo "::warning::The canonical layout could not be pushed to ${branch} (it moved meanwhile?); it is applied when the pull request is merged."
fi
