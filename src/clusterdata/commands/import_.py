"""`clusterdata import`: add the rows of a filled workbook, or of an add-cluster issue, to the
package, after checking them exactly as CSV rows are checked."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from clusterdata.commands.options import add_package_argument


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "import",
        help="add the rows of a filled template workbook (or an issue form) to the data",
        description="Read the rows of a workbook made by `clusterdata template` (or, with "
        "--issue, the body of an add-cluster issue), validate the package with them added, "
        "exactly as `clusterdata validate` does, and report each problem by sheet, row and "
        "column. Only when everything is valid are the rows written into the package's CSV "
        "files, in canonical form. Exit 0 written (or valid with --check), 1 problems found, "
        "2 usage error.",
        epilog="Example: clusterdata import nya-kluster.xlsx",
    )
    parser.add_argument("source", type=Path, help="the filled .xlsx workbook, or the issue body")
    add_package_argument(parser)
    parser.add_argument(
        "--issue",
        action="store_true",
        help="SOURCE is the body of an issue made with the add-cluster issue form ('-' reads "
        "standard input)",
    )
    parser.add_argument(
        "--check", action="store_true", help="validate only; write nothing to the package"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.authoring.newrows import add_rows, describe
    from clusterdata.commands.options import prefix_for
    from clusterdata.core.package import UsageError, open_package

    package = open_package(args.package)
    if args.issue:
        from clusterdata.authoring.issueform import FORM_TABLE, parse_issue_body

        resource = package.resource(FORM_TABLE)
        if resource is None:
            raise UsageError(f"the package has no {FORM_TABLE} table.")
        if str(args.source) == "-":
            body = sys.stdin.read()
        else:
            try:
                body = args.source.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"{args.source}: cannot be read as UTF-8 text ({exc}).") from exc
        row, findings = parse_issue_body(body, resource)
        rows = [row] if row is not None else []
    else:
        if not args.source.is_file():
            raise UsageError(f"{args.source}: no such file.")
        if args.source.suffix.lower() != ".xlsx":
            raise UsageError(
                f"{args.source}: give the .xlsx workbook made by `clusterdata template` "
                "(or --issue for an issue body)."
            )
        from clusterdata.authoring.spreadsheet_import import read_workbook

        rows, findings = read_workbook(args.source, package)
    if any(f.is_error for f in findings):
        for finding in findings:
            print(describe(finding))
        print(f"nothing imported: {len(findings)} problem(s) with {args.source.name}.")
        return 1
    if not rows:
        print(f"nothing to import: {args.source.name} has no filled rows.")
        return 1
    outcome = add_rows(package, rows, write=not args.check, package_prefix=prefix_for(package.root))
    for finding in [*findings, *outcome.findings]:
        print(describe(finding))
    if not outcome.valid:
        errors = sum(1 for f in outcome.findings if f.is_error)
        print(f"nothing imported: {errors} error(s); fix them in {args.source.name} and retry.")
        return 1
    if args.check:
        print(f"{len(rows)} row(s) valid; nothing written (--check).")
    else:
        shown = ", ".join(str(p.relative_to(package.root)) for p in outcome.written)
        print(f"imported {len(rows)} row(s) into {shown}.")
    return 0
