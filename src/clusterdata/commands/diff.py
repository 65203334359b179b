"""`clusterdata diff OLD NEW`: what changed between two versions of a package, and the version
level that change implies. Each side is a package path, a git ref or a published version."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "diff",
        help="rows added, removed and changed per table, schema changes, and the semver level",
        description="Compare two versions of a data package by primary key. OLD and NEW are "
        "each a package path (folder, datapackage.json or zip), a git ref (origin/main, HEAD~1, "
        "a commit; read with git archive, the work tree is not touched) or a published version "
        "(v0.1.0, looked up in DIST/releases.json). For a git ref the package folder inside "
        "the repository is NEW's path when NEW is a path, else --path. Exit 0, or 2 when a "
        "side cannot be found.",
        epilog="Example: clusterdata diff origin/main datapackage --format markdown",
    )
    parser.add_argument("old", help="OLD: path, git ref or published version")
    parser.add_argument("new", help="NEW: path, git ref or published version")
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "markdown"),
        default="text",
        help="output format (default: text)",
    )
    parser.add_argument(
        "--output", "-o", type=Path, default=None, help="also write the diff to this file"
    )
    parser.add_argument(
        "--path",
        default=None,
        metavar="DIR",
        help="package folder inside the repository for git refs "
        "(default: NEW's path, else datapackage)",
    )
    parser.add_argument(
        "--dist",
        type=Path,
        default=Path("dist"),
        help="folder with releases.json for published versions (default: dist)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.commands.options import emit
    from clusterdata.core.gitrepo import repo_relative
    from clusterdata.diff import diff_packages, open_side, render

    repo_path = args.path
    if repo_path is None:
        for candidate in (args.new, args.old):
            if Path(candidate).exists():
                found = repo_relative(Path(candidate))
                if found is not None:
                    repo_path = found[1]
                    break
    old = open_side(args.old, repo_path=repo_path, dist=args.dist)
    new = open_side(args.new, repo_path=repo_path, dist=args.dist)
    for side in (old, new):
        problems = [f for f in side.package.findings if f.is_error]
        if problems:
            print(
                f"clusterdata diff: warning: {side.label}: {len(problems)} problem(s) reading "
                f"the package (first: {problems[0].message}); run `clusterdata validate`.",
                file=sys.stderr,
            )
    diff = diff_packages(old.package, new.package, old_label=old.label, new_label=new.label)
    emit(render(diff, args.format), args.output)
    return 0
