"""Shared fixtures: a private copy of the bundled package, and the CLI run in-process."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "datapackage"
SCHEMAS = REPO / "schemas"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `clusterdata ARGS…` in this process; returns exit code, stdout, stderr."""
    from clusterdata.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse on --help or usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A writable copy of the repository's data layout: datapackage/ and schemas/ side by side.

    Returns the copied `datapackage/` folder; its `../schemas/checks` are the dataset's checks.
    """
    shutil.copytree(BUNDLED, tmp_path / "datapackage")
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    return tmp_path / "datapackage"


def write_package(folder: Path, tables: dict[str, tuple[dict, str]], **meta: object) -> Path:
    """Write a small package: {name: (schema, csv text)} → folder/datapackage.json."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, (schema, text) in tables.items():
        (folder / f"{name}.csv").write_bytes(text.encode("utf-8"))
        resources.append({"name": name, "path": f"{name}.csv", "schema": schema})
    descriptor = {"name": meta.pop("name", "test-package"), "resources": resources, **meta}
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return folder / "datapackage.json"
