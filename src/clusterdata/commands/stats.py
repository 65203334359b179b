"""`clusterdata stats`: how complete the data is (coverage, fill rates, provenance, checks)."""

from __future__ import annotations

import argparse
from typing import Any

from clusterdata.commands.options import add_package_argument, add_report_options

FORMATS = ("text", "markdown", "json")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "stats",
        help="report how complete the data is: coverage per county, fill rates, provenance",
        description="Report data quality: clusters and initiatives per county; the share of "
        "rows with a website, an organisation number and a description; rows by provenance "
        "(stated, derived, inferred); rows quoting their source; the oldest last_checked "
        "dates; how sources can be checked. Exit 0, or 2 usage error.",
        epilog="Example: clusterdata stats datapackage --format markdown --output quality.md",
    )
    add_package_argument(parser)
    add_report_options(parser, FORMATS)
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.commands.options import emit
    from clusterdata.core.package import open_package
    from clusterdata.release import stats

    computed = stats.compute(open_package(args.package))
    render = {
        "text": stats.render_text,
        "markdown": stats.render_markdown,
        "json": stats.render_json,
    }[args.format]
    emit(render(computed), args.output)
    return 0
