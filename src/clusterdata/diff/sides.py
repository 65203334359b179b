"""The two sides of `clusterdata diff`: a package path, a published version, or a git ref."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clusterdata.core.package import DataPackage


@dataclass
class Side:
    """An opened package plus what keeps it readable (a temp folder for git refs)."""

    package: DataPackage
    label: str
    _keep: Any = None


def open_side(spec: str, *, repo_path: str | None = None, dist: Path | None = None) -> Side:
    """Open OLD or NEW of `clusterdata diff`: a path, a published version, or a git ref.

    A path wins when it exists; then `v1.2.0`/`1.2.0` listed in `dist/releases.json`; then a git
    ref, read with `git archive` into a temporary folder (the work tree is never touched).
    `repo_path` is the package folder inside the repository (default: datapackage).
    Raises `UsageError` (exit 2) when it is none of these.
    """
    from clusterdata.core.package import UsageError, open_package
    from clusterdata.release.versioning import Version

    if Path(spec).exists():
        return Side(open_package(spec), spec)
    if Version.is_version(spec):
        folder = dist if dist is not None else Path("dist")
        found = _published(folder, spec)
        if found is not None:
            return Side(open_package(found), spec)
    tmp, package = _from_git(spec, repo_path or "datapackage")
    if package is None:
        raise UsageError(
            f"{spec!r} is not a package path, a published version "
            f"(looked in {dist or 'dist'}/releases.json) or a git ref."
        )
    return Side(package, spec, tmp)


def _published(dist: Path, spec: str) -> Path | None:
    from clusterdata.release.versioning import Version

    try:
        data = json.loads((dist / "releases.json").read_text(encoding="utf-8"))
        wanted = Version.parse(spec)
        for entry in data.get("releases", []):
            if Version.parse(str(entry.get("version"))) == wanted:
                folder = dist / str(entry.get("folder"))
                if (folder / "datapackage.json").is_file():
                    return folder
                archive = dist / str(entry.get("zip"))
                return archive if archive.is_file() else None
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    return None


def _from_git(ref: str, repo_path: str, cwd: Path | None = None) -> tuple[Any, DataPackage | None]:
    """The package folder `repo_path` as it is at `ref`, in a temporary folder, or (None, None)."""
    import contextlib

    from clusterdata.core.gitrepo import Git, commit_of
    from clusterdata.core.package import UsageError, open_package

    try:
        git = Git.discover(cwd or Path.cwd())
    except UsageError:
        return None, None
    commit = commit_of(git.toplevel, ref)
    if commit is None:
        return None, None
    stack = contextlib.ExitStack()
    folder = stack.enter_context(git.export(commit, repo_path))
    if folder is None or not ((folder / "datapackage.json").is_file() or folder.is_file()):
        stack.close()
        return None, None
    return stack, open_package(folder)
