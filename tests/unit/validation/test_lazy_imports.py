"""Start-up: a validation pays only for the libraries it uses (issue 8, "Start-up").

pandas + pandera take ~0.6 s to import on the reference machine, about as much as `frictionless
validate` needs for the whole bundled package, and the DuckDB engine does not need them: it runs
the Table Schema checks on the rows DuckDB could not certify as plain Python. These tests pin
that, that those rows' findings still come out, and that the checks are still counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.packages import BUNDLED, SCHEMAS, write_package

from clusterdata.core.lazy import lazy_module
from clusterdata.tableschema.model import Schema
from clusterdata.validation.rules import domain
from clusterdata.validation.rules.schema_rules import table_rules, to_pandera

PROBE = """
import json, sys
from clusterdata.validation.pipeline import validate
report = validate(sys.argv[1], use_default_checks=sys.argv[2] == "checks")
print(json.dumps({
    "valid": report.valid,
    "findings": len(report.findings),
    "imported": sorted(m for m in ("pandas", "pandera", "sqlglot") if m in sys.modules),
}))
"""


def probe(package: Path, *, checks: bool = False, fast: str = "1") -> dict:
    env = {**os.environ, "CLUSTERDATA_FASTPATH": fast}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(package), "checks" if checks else "none"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout)


def test_a_package_whose_rows_all_pass_in_duckdb_never_imports_pandas_or_pandera() -> None:
    from clusterdata.validation import validate

    result = probe(BUNDLED, checks=True)
    expected = validate(BUNDLED).findings  # in this process: the bundled package's warnings
    assert result["valid"] and result["findings"] == len(expected)
    assert {f.severity.value for f in expected} == {"warning"}
    assert "pandas" not in result["imported"]
    assert "pandera" not in result["imported"]
    assert "sqlglot" not in result["imported"]  # the SQL checks are parsed by DuckDB itself


def test_suspect_rows_are_judged_without_pandas_and_their_findings_come_out(
    tmp_path: Path,
) -> None:
    # "x" and "1.5" are type errors, "-3" breaks the minimum.
    schema = {"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": 0}}]}
    package = write_package(tmp_path / "p", {"t": (schema, "n\n1\nx\n1.5\n-3\n")})
    result = probe(package)
    assert not result["valid"] and result["findings"] == 3
    assert result["imported"] == []


def test_the_pandas_engine_runs_the_same_checks_through_pandera(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": 0}}]}
    package = write_package(tmp_path / "p", {"t": (schema, "n\n1\nx\n1.5\n-3\n")})
    result = probe(package, fast="0")
    assert not result["valid"] and result["findings"] == 3
    assert {"pandas", "pandera"} <= set(result["imported"])


def built_checks(schema: object) -> int:
    """The checks pandera really holds (a composite counts as its parts): the test's oracle."""
    holders = [schema, *schema.columns.values()]  # type: ignore[attr-defined]
    return sum(
        max(1, len(getattr(h.metadata["rules"][c.name], "parts", ())))
        for h in holders
        for c in h.checks
    )


@pytest.mark.parametrize(
    "schema_file", sorted((SCHEMAS / "tables").glob("*.schema.json")), ids=lambda p: p.stem
)
def test_checks_are_counted_alike_with_and_without_building_pandera(schema_file: Path) -> None:
    """The DuckDB engine counts the checks from `table_rules` without pandera: the count must
    be the one the built pandera schema gives (it is part of the report)."""
    schema = Schema.from_descriptor(json.loads(schema_file.read_text("utf-8")))
    row_checks, _ = domain.frame_checks(schema)
    for extra in (
        {},
        {"extra_column_checks": domain.column_checks, "extra_frame_checks": row_checks},
    ):
        rules = table_rules(schema, **extra)  # type: ignore[arg-type]
        assert rules.count() == built_checks(to_pandera(schema, **extra))  # type: ignore[arg-type]
        assert rules.count() > 0


def test_a_lazy_module_imports_on_first_attribute_only() -> None:
    name = "clusterdata_lazy_probe_module"
    assert name not in sys.modules
    module = lazy_module("json")
    assert "not imported yet" in repr(module)
    assert module.dumps([1]) == "[1]"
    assert "imported" in repr(module) and "not" not in repr(module)
    with pytest.raises(ModuleNotFoundError):
        lazy_module(name).anything  # noqa: B018
