"""`clusterdata template`: the Excel workbook (or the GitHub issue form) contributors fill in."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from clusterdata.commands.options import add_package_argument


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "template",
        help="write an Excel workbook for adding rows without git",
        description="Write an Excel workbook to add rows in: one sheet per table with the "
        "column names in row 1 and their Swedish and English descriptions in rows 2 and 3; "
        "drop-down lists of the allowed values and of the ids in the current data; the data "
        "dictionary as a sheet. Fill rows from row 4 on and read them back with `clusterdata "
        "import`. With --issue-form, write the GitHub issue form for adding a cluster "
        "(.github/ISSUE_TEMPLATE/add-cluster.yml under --root) instead.",
        epilog="Example: clusterdata template --out nya-kluster.xlsx",
    )
    add_package_argument(parser)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("clusterdata-template.xlsx"),
        help="the workbook to write (default: clusterdata-template.xlsx)",
    )
    parser.add_argument(
        "--issue-form",
        action="store_true",
        help="write the issue form generated from the clusters schema instead",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        help="repository folder for --issue-form (default: the working directory)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.core.package import UsageError, open_package

    package = open_package(args.package)
    if args.issue_form:
        from clusterdata.authoring.issueform import FORM_TABLE, write_issue_template

        resource = package.resource(FORM_TABLE)
        if resource is None:
            raise UsageError(f"the package has no {FORM_TABLE} table to make an issue form for.")
        print(f"wrote {write_issue_template(args.root, resource)}")
        return 0
    from clusterdata.authoring.spreadsheet import editable_resources, write_template

    if args.out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out {args.out}: the template is an Excel workbook; name it .xlsx.")
    if not editable_resources(package):
        raise UsageError("the package has no CSV tables to make a template for.")
    write_template(package, args.out)
    print(f"wrote {args.out}: {len(editable_resources(package))} table sheets and a dictionary")
    return 0
