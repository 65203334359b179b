"""`clusterdata format`: rewrite CSVs in canonical form, or with --check say which differ."""

from __future__ import annotations

import argparse
from typing import Any

from clusterdata.commands.options import add_package_argument


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "format",
        help="rewrite a package's CSV files in canonical form",
        description="Rewrite every table as canonical CSV: UTF-8 without BOM, LF line endings, "
        "header in the schema's field order, rows sorted by primary key, minimal quoting, "
        "Unicode NFC, no whitespace around cells. The values are unchanged, a second run changes "
        "nothing, and a file that cannot be read losslessly is left alone (exit 1). With "
        "--check, nothing is written and exit 1 names each file that is not canonical.",
        epilog="Example: clusterdata format datapackage --check",
    )
    add_package_argument(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a file is not in canonical form",
    )
    return parser


def _location(prefix: str, path: str | None, line: int | None) -> str:
    shown = f"{prefix.rstrip('/')}/{path}" if prefix and prefix != "." and path else path or ""
    return f"{shown}:{line}" if line is not None else shown


def run(args: argparse.Namespace) -> int:
    from clusterdata.authoring.canonical import format_package
    from clusterdata.commands.options import prefix_for
    from clusterdata.core.package import open_package

    package = open_package(args.package)
    prefix = prefix_for(package.root)
    outcome = format_package(package, check=args.check)
    for finding in outcome.refused:
        print(
            f"{_location(prefix, finding.path, finding.line)}: error [{finding.check}] "
            f"{finding.message}" + (f" Fix: {finding.hint}" if finding.hint else "")
        )
    refused_paths = sorted({f.path for f in outcome.refused if f.path})
    for path in refused_paths:
        print(f"not formatted: {_location(prefix, path, None)} (fix the errors above first)")
    changed = [r for r in outcome.results if r.changed]
    for result in changed:
        where = _location(prefix, result.resource.path, None)
        if args.check:
            print(f"not canonical: {where}:{result.line}: {'; '.join(result.changes)}")
        else:
            print(f"formatted {where}: {'; '.join(result.changes)}")
    canonical = len(outcome.results) - len(changed)
    if args.check:
        print(
            f"{len(changed)} file(s) not canonical, {canonical} canonical, "
            f"{len(refused_paths)} not checked."
            + (" Run `clusterdata format` to fix." if changed else "")
        )
        return 1 if changed or outcome.refused else 0
    print(
        f"{len(changed)} file(s) formatted, {canonical} already canonical, "
        f"{len(refused_paths)} refused."
    )
    return 1 if outcome.refused else 0
