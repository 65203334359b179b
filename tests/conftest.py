"""Shared fixtures: a private copy of the bundled package, and the CLI run in-process."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures.packages import BUNDLED, REPO, SCHEMAS, CliResult, write_package

__all__ = ["BUNDLED", "REPO", "SCHEMAS", "CliResult", "write_package"]


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
