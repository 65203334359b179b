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


#: Modules whose tests run for tens of seconds each (hypothesis properties at 500 examples, the
#: kill tests, the hostile corpus), longest first by `--durations`. They are started first, and
#: `make test` hands each worker one test at a time (`--maxschedchunk=1`), so the two workers
#: share them instead of one finishing them alone while the other idles.
LONG_FIRST = (
    "tests/contract/test_differential.py",
    "tests/contract/test_atomic_kill.py",
    "tests/contract/test_fuzz.py",
    "tests/contract/test_one_meaning.py",
    "tests/contract/test_differential_v2.py",
    "tests/contract/test_table_formats.py",
    "tests/contract/test_spreadsheet_formats.py",
    "tests/contract/test_corpus.py",
    "tests/unit/tableschema/test_sql_rendering.py",
    "tests/e2e/",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next(
            (i for i, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)),
            len(LONG_FIRST),
        )

    items.sort(key=rank)  # stable: the order within each group is kept
