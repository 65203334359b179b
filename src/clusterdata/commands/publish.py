"""`clusterdata publish`: validate, compute the next version from the change, build the release."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from clusterdata.commands.options import add_package_argument


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "publish",
        help="build the next immutable, versioned release into dist/",
        description="Refuse (exit 1) unless the package validates; diff it against the newest "
        "release in OUT/releases.json; version it by the change (major: something removed, "
        "renamed, narrowed or tightened; minor: additions; patch: corrections and metadata); "
        "write OUT/<name>-<version>/ (datapackage.json with hashes, CSV, Parquet, DuckDB, "
        "CHANGELOG.md, delta, reproducible zip) by one atomic rename and record it in "
        "OUT/releases.json. Unchanged data publishes nothing unless --bump asks for a version.",
        epilog="Example: clusterdata publish datapackage --out dist --dry-run",
    )
    add_package_argument(parser)
    parser.add_argument(
        "--out", type=Path, default=Path("dist"), help="release folder (default: dist)"
    )
    parser.add_argument(
        "--bump",
        choices=("auto", "major", "minor", "patch"),
        default="auto",
        help="raise the version level; never lowers what the change requires",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the decision and the changelog entry, write nothing",
    )
    parser.add_argument(
        "--date",
        default=None,
        metavar="YYYY-MM-DD",
        help="release date (default: SOURCE_DATE_EPOCH, else today in UTC)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.release.exports import ExportError
    from clusterdata.release.publish import PublishRefused, publish
    from clusterdata.release.versioning import Level
    from clusterdata.report import render

    bump = None if args.bump == "auto" else Level(args.bump)
    try:
        outcome = publish(args.package, args.out, bump=bump, dry_run=args.dry_run, date=args.date)
    except PublishRefused as exc:
        if exc.report is not None:
            sys.stdout.write(render(exc.report, "text", color=False, prefix=""))
        print(f"clusterdata publish: refused: {exc}", file=sys.stderr)
        return 1
    except ExportError as exc:
        print(
            f"clusterdata publish: refused: the exports could not be built: {exc}", file=sys.stderr
        )
        return 1
    plan = outcome.plan
    for note in plan.notes:
        print(f"note: {note}")
    if outcome.status == "unchanged" or plan.status == "unchanged":
        print(plan.decision())
        return 0
    if outcome.status == "dry-run":
        print(f"would publish {plan.decision()}")
        print(f"into {args.out / plan.folder_name}/ (dry run: nothing written)")
        print()
        print(outcome.changelog_entry)
        return 0
    assert outcome.release is not None and outcome.folder is not None
    release = outcome.release
    verb = "already published, identical:" if outcome.status == "exists" else "published"
    print(f"{verb} {plan.decision()}")
    print(f"  {outcome.folder}/")
    print(f"  {release.zip}  {release.zip_bytes:,} bytes  sha256 {release.zip_sha256}")
    print(f"  {release.duckdb}  {release.duckdb_bytes:,} bytes  sha256 {release.duckdb_sha256}")
    return 0
