"""`clusterdata generate`: rewrite what is derived from schemas/ (maintainers' command)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "generate",
        help="regenerate the descriptor's inline schemas, docs/data-dictionary.md and the issue "
        "form",
        description="Copy schemas/tables/*.schema.json into datapackage/datapackage.json and "
        "render docs/data-dictionary.md and .github/ISSUE_TEMPLATE/add-cluster.yml. With "
        "--check, write nothing and exit 1 when stale.",
        epilog="Example: clusterdata generate --check",
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: this checkout)"
    )
    parser.add_argument("--check", action="store_true", help="only report stale files")
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.authoring.generate import generate
    from clusterdata.core.package import UsageError, repo_root

    root = (args.root or repo_root()).resolve()
    if not (root / "schemas" / "tables").is_dir() or not (root / "datapackage").is_dir():
        raise UsageError(f"{root}: no schemas/tables/ and datapackage/ here.")
    stale = generate(root, check=args.check)
    for path in stale:
        verb = "stale" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(root)}")
    if args.check and stale:
        print("Run `clusterdata generate` (or `make generate`) and commit the result.")
        return 1
    if not stale:
        print("up to date")
    return 0
