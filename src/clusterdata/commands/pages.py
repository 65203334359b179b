"""`clusterdata pages`: lay out every published release and `latest` for the public home."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "pages",
        help="copy every release and the latest alias into the folder deployed to GitHub Pages",
        description="Write OUT/releases/<version>/ for every release in DIST/releases.json (a "
        "byte-for-byte copy), OUT/releases/latest/ (the newest) and OUT/releases.json (every "
        "version with its URLs and checksums). With --live, the home's current releases.json "
        "is read first and the deploy is refused (exit 1) if a published version would "
        "disappear or change. Other files in OUT (the site) are kept. Exit 0 written, 1 "
        "refused, 2 usage error.",
        epilog="Example: clusterdata pages --dist dist --out _site "
        "--live https://clusterdata.github.io/clusterdata/",
    )
    parser.add_argument(
        "--dist", type=Path, default=Path("dist"), help="published releases (default: dist)"
    )
    parser.add_argument("--out", type=Path, required=True, help="the folder to deploy")
    parser.add_argument(
        "--live",
        default=None,
        metavar="URL",
        help="the home as deployed now, whose versions must stay unchanged",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from clusterdata.release.pages import PagesRefused, build_pages

    try:
        pages = build_pages(args.dist, args.out, live=args.live)
    except PagesRefused as exc:
        print(f"clusterdata pages: refused: {exc}")
        return 1
    print(
        f"{pages.name}: {len(pages.versions)} releases ({', '.join(pages.versions)}), "
        f"latest {pages.latest} → {pages.out}/releases/"
    )
    return 0
