"""`clusterdata verify`: is this downloaded release byte for byte the published one, and valid?"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "verify",
        help="check a downloaded release against its descriptor's hashes and byte counts",
        description="Re-check a published release: every file listed in its datapackage.json "
        "must have the declared byte count and hash; then the package is validated. Prints "
        "'intact' or what differs. Exit 0 intact, 1 not intact, 2 usage error.",
        epilog="Example: clusterdata verify dist/swedish-clusters-0.1.0  (or a URL: "
        "https://clusterdata.github.io/clusterdata/releases/0.1.0/datapackage.json)",
    )
    parser.add_argument(
        "release",
        metavar="PATH_OR_URL",
        help="a release folder, its datapackage.json or zip, or the http(s) URL of its "
        "datapackage.json, folder or zip",
    )
    parser.add_argument(
        "--no-validate", action="store_true", help="only compare hashes and sizes; skip validation"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.loading import remote

    source = args.release
    if remote.is_url(source) and remote.kind_of_url(source) == "zip":
        # A zip is checked against SHA256SUMS beside it as it downloads, then like a local zip.
        source = remote.fetch_zip(source, refresh=True)
    elif remote.is_url(source):
        url = remote.descriptor_url(source)
        with tempfile.TemporaryDirectory(prefix="clusterdata-verify-") as folder:
            root = Path(folder)
            descriptor, problems = remote.fetch_to(url, root)
            return _verify(args, root, descriptor, problems, shown=args.release)
    from clusterdata.core.package import open_package

    package = open_package(source)
    if not package.descriptor:
        for finding in package.findings:
            print(f"{finding.path}: {finding.message}")
        print("not intact: the descriptor cannot be read")
        return 1
    return _verify(args, package.root, package.descriptor, [], shown=args.release, package=package)


def _verify(
    args: argparse.Namespace,
    root: Path,
    descriptor: dict[str, Any],
    problems: list[Any],
    *,
    shown: str,
    package: Any = None,
) -> int:
    from clusterdata.loading import remote

    entries = remote.entries(descriptor)
    entries += [e for e in remote.sums_entries(root) if e.path not in {x.path for x in entries}]
    if not entries:
        print(f"{shown}: the descriptor lists no files, so there is nothing to verify.")
        print("not intact")
        return 1
    already = {p.file for p in problems}
    mismatches = list(problems) + [
        m for m in remote.check_release(root, descriptor, with_sums=True) if m.file not in already
    ]
    label = " ".join(str(descriptor.get(k)) for k in ("name", "version") if descriptor.get(k))
    sources = "datapackage.json" + (
        f" and {remote.SUMS_NAME}" if (root / remote.SUMS_NAME).is_file() else ""
    )
    print(f"{label or shown}: {len(entries)} files checked against {sources}")
    for mismatch in mismatches:
        print(f"  {mismatch.sentence()}")
    valid = True
    if not args.no_validate:
        from clusterdata.validation.pipeline import validate

        report = validate(package if package is not None else root)
        s = report.summary
        valid = report.valid
        print(
            f"validation: {'valid' if valid else 'invalid'}, {s.errors} errors, "
            f"{s.warnings} warnings"
        )
        for finding in [f for f in report.findings if f.is_error][:20]:
            where = ":".join(str(x) for x in (finding.path, finding.line) if x)
            print(f"  {where}: {finding.message}" if where else f"  {finding.message}")
    if mismatches or not valid:
        reasons = []
        if mismatches:
            reasons.append(f"{len(mismatches)} of {len(entries)} files differ from the descriptor")
        if not valid:
            reasons.append("validation found errors")
        print("not intact: " + "; ".join(reasons))
        return 1
    print("intact")
    return 0
