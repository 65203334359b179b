"""`clusterdata site`: the static catalogue web site of a published release."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "site",
        help="render the catalogue web site (English and Swedish) of a published release",
        description="Render a static site from a published release: landing page with "
        "downloads, sizes and checksums, how to cite, charts; one page per table with its data "
        "dictionary and all rows (sortable, filterable); the changelog; the validation report; "
        "and DCAT-AP-SE metadata (dcat.rdf, dcat.jsonld). Every file it needs ships in the output folder. "
        "Exit 0 written, 1 the release's files do not match its descriptor, 2 usage error.",
        epilog="Example: clusterdata site dist/swedish-clusters-1.0.0 --out dist/site "
        "--base-url https://example.org/clusters/",
    )
    parser.add_argument(
        "release",
        nargs="?",
        default=None,
        metavar="RELEASE",
        help="a release folder, or a version in --dist (default: the newest "
        "release listed in --dist/releases.json)",
    )
    parser.add_argument(
        "--dist",
        type=Path,
        default=Path("dist"),
        help="where releases are published (default: dist)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default: <dist>/site)"
    )
    parser.add_argument(
        "--base-url",
        default=None,
        help="public URL the site will be served from: the DCAT-AP-SE IRIs, download URLs "
        "and citation use it (default: the public home, "
        "https://clusterdata.github.io/clusterdata/)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.loading.remote import IntegrityError
    from clusterdata.site.release import find_release
    from clusterdata.site.render import build_site

    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        from clusterdata.core.package import UsageError

        raise UsageError(f"--base-url {args.base_url!r}: give an http(s) URL.")
    try:
        release = find_release(args.release, args.dist)
    except IntegrityError as exc:
        print(f"clusterdata site: {exc}")
        return 1
    out = args.out if args.out is not None else args.dist / "site"
    result = build_site(release, out, base_url=args.base_url)
    verdict = "valid" if result.valid else "INVALID (see validation.html)"
    print(
        f"{release.name} {release.version}: {len(result.pages)} pages, {result.artefacts} "
        f"downloads, validation {verdict} → {out}/index.html"
    )
    return 0
