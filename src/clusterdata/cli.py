"""The command line: parse arguments, call the library, pick a reporter, set the exit code.

Exit codes: 0 valid (warnings allowed), 1 data errors found, 2 usage or setup error. A Python
traceback never reaches the user unless CLUSTERDATA_DEBUG=1 asks for it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

#: Each command is a module `clusterdata.commands.<name>` with `add_parser(sub)` and `run(args)`.
#: Modules import their heavy dependencies inside `run`, so `--help` and start-up stay fast.
COMMANDS = ("validate", "format", "diff", "publish", "verify", "site", "generate", "pages")

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clusterdata",
        description="Validate, format, diff and publish Frictionless data packages; "
        "the Swedish clusters dataset is the default package.",
        epilog="Example: clusterdata validate datapackage/datapackage.json --format github",
    )
    from clusterdata import __version__

    parser.add_argument("--version", action="version", version=f"clusterdata {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"clusterdata.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"clusterdata.commands.{name}":
                continue
            raise
        command = module.add_parser(sub)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from clusterdata.core.package import UsageError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"clusterdata: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("clusterdata: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: say so plainly, without a traceback
        if os.environ.get("CLUSTERDATA_DEBUG"):
            raise
        print(
            f"clusterdata: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in clusterdata, not in your data. Run again with CLUSTERDATA_DEBUG=1 "
            "for details and report it.",
            file=sys.stderr,
        )
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
