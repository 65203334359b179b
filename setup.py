"""Ship the newest published release inside the wheel, as `clusterdata/shipped/`.

Everything else is declared in pyproject.toml. The release is read from `dist/` (the published,
immutable releases listed in `dist/releases.json`) at build time, so `clusterdata.load()` in an
installed wheel reads exactly that version's files, checked against its descriptor's hashes.
The zip and the DuckDB file are left out: they repeat the same data, and a download of either is
one `clusterdata.load("latest")` away. An editable install ships nothing: a checkout reads
`datapackage/` instead.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"
SHIPPED = "shipped"
#: Files of a release folder that are not shipped in the wheel.
LEFT_OUT = (".zip", ".duckdb")


def newest_release() -> Path:
    """The folder of the newest version in dist/releases.json (the build fails without one)."""
    listing = json.loads((DIST / "releases.json").read_text(encoding="utf-8"))
    releases = listing["releases"]

    def key(entry: dict[str, str]) -> tuple[int, ...]:
        return tuple(int(part) for part in entry["version"].split("."))

    folder = DIST / max(releases, key=key)["folder"]
    if not (folder / "datapackage.json").is_file():
        raise SystemExit(f"{folder}: the newest release has no datapackage.json; cannot ship it.")
    return folder


def shipped_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix not in LEFT_OUT and p.name != "SHA256SUMS"
    )


class BuildWithRelease(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        folder = newest_release()
        target = Path(self.build_lib) / "clusterdata" / SHIPPED
        shutil.rmtree(target, ignore_errors=True)
        for file in shipped_files(folder):
            out = target / file.relative_to(folder)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, out)


class SdistWithRelease(sdist):
    """The sdist carries `dist/releases.json` and the newest release, so a wheel built from it
    ships the same data."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        folder = newest_release()
        root = Path(base_dir)
        (root / "dist").mkdir(exist_ok=True)
        shutil.copyfile(DIST / "releases.json", root / "dist" / "releases.json")
        for file in shipped_files(folder):
            out = root / file.relative_to(HERE)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, out)


setup(cmdclass={"build_py": BuildWithRelease, "sdist": SdistWithRelease})
