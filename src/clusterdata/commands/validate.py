"""`clusterdata validate`: all three layers, one report, exit 0/1/2."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from clusterdata.commands.options import add_package_argument, add_report_options


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "validate",
        help="check a data package: structure, frames and cross-table integrity",
        description="Validate a Frictionless data package in three layers and report every "
        "finding with file, line, column, value and how to fix it. Exit 0 valid, 1 errors, "
        "2 usage error.",
        epilog="Example: clusterdata validate datapackage --format github",
    )
    add_package_argument(parser)
    add_report_options(parser)
    parser.add_argument(
        "--checks",
        type=Path,
        default=None,
        help="folder of SQL checks (default: schemas/checks beside the package)",
    )
    parser.add_argument(
        "--no-checks",
        action="store_true",
        help="skip the dataset's SQL checks (keys are still checked)",
    )
    parser.add_argument(
        "--base",
        default=None,
        metavar="REF",
        help="also apply the contribution rules against this git ref",
    )
    parser.add_argument(
        "--allow-breaking",
        action="store_true",
        help="with --base: report removed or renamed ids as warnings "
        "(maintainers, for a deliberate major version)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.commands.options import emit, prefix_for, use_color
    from clusterdata.core.package import UsageError
    from clusterdata.report import render
    from clusterdata.validation.pipeline import validate

    if args.checks is not None and not args.checks.is_dir():
        raise UsageError(f"{args.checks}: no such folder of checks.")
    report = validate(args.package, checks_dir=args.checks, use_default_checks=not args.no_checks)
    if args.base:
        from clusterdata.authoring.contribution import apply_contribution_rules

        report = apply_contribution_rules(report, args.base, allow_breaking=args.allow_breaking)
    color = args.format == "text" and args.output is None and use_color()
    emit(
        render(report, args.format, color=color, prefix=prefix_for(report.package.root)),
        args.output,
    )
    if report.crashed:  # a layer failed: the verdict is unknown (issue 13)
        return 2
    return 0 if report.valid else 1
