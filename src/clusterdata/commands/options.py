"""Options shared by several commands, defined once."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from clusterdata.report import FORMATS


def add_package_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "package",
        nargs="?",
        default=None,
        help="datapackage.json, its folder, or a zipped package (default: the bundled dataset)",
    )


def add_report_options(parser: argparse.ArgumentParser, formats: tuple[str, ...] = FORMATS) -> None:
    parser.add_argument(
        "--format", "-f", choices=formats, default="text", help="report format (default: text)"
    )
    parser.add_argument(
        "--output", "-o", type=Path, default=None, help="also write the report to this file"
    )


def emit(text: str, output: Path | None) -> None:
    """Print the report and, when asked, write it to a file atomically."""
    sys.stdout.write(text)
    sys.stdout.flush()
    if output is not None:
        from clusterdata.core.atomic import write_text_atomic

        write_text_atomic(output, text)


def use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def prefix_for(root: Path) -> str:
    """The package folder relative to the working directory, for file paths in reports."""
    try:
        return os.path.relpath(root, Path.cwd())
    except ValueError:
        return str(root)
