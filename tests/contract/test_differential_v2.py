"""Differential testing of the two layer-1 engines on Data Package v2 tables.

frictionless-py cannot be the reference here: it lacks `categories`, `uniqueKeys`, `jsonSchema`
and `groupChar` on integers (tests/unit/validation/test_v2_frictionless_py.py). So hypothesis
writes small random v2 tables — those properties, `list` fields, labelled and per-field
`missingValues`, exclusive bounds, ragged and blank rows, quoted line breaks — and the DuckDB
engine (`CLUSTERDATA_FASTPATH=1`) and the frictionless engine (`=0`) must report exactly the same
findings: check id, physical line, column and value.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fixtures.engines import structure_findings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("CLUSTERDATA_DIFFERENTIAL_EXAMPLES", "500"))

#: (field descriptor, cells a column of it is drawn from: values, near misses, missing values)
KINDS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "category": (
        {"type": "string", "categories": ["a", {"value": "b", "label": "B"}]},
        ["a", "b", "c", "A", "", "NA"],
    ),
    "category-int": (
        {"type": "integer", "categories": [1, {"value": 2, "label": "two"}]},
        ["1", "2", "02", "3", "x", "", "-9"],
    ),
    "grouped": (
        {"type": "integer", "groupChar": " ", "constraints": {"exclusiveMinimum": 0}},
        ["1 000", "12", "0", "1.000", "1 0 0", "x", "", "NA"],
    ),
    "list": (
        {"type": "list", "itemType": "integer", "delimiter": ";"},
        ["1;2", "1", "1;x", "1; 2", "1_0;2", ";", "", "NA"],
    ),
    "list-date": (
        {"type": "list", "itemType": "date", "constraints": {"maxLength": 2}},
        ["2024-01-01", "2024-01-01,2024-02-30", "2024-01-01,2024-01-02,2024-01-03", ""],
    ),
    "json": (
        {"type": "object", "constraints": {"jsonSchema": {"required": ["x"]}}},
        ['{"x": 1}', '{"y": 1}', "[]", "x", ""],
    ),
    "bounded": (
        {"type": "number", "constraints": {"exclusiveMaximum": 1.5}},
        ["1.4", "1.5", "2", "x", "", "-99"],
    ),
    "own-missing": (
        {"type": "integer", "missingValues": [{"value": "-", "label": "n/a"}]},
        ["1", "-", "", "NA", "x"],
    ),
    "string": ({"type": "string"}, ["a", "b", "", "NA"]),
}


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[str, Any], bytes]:
    width = draw(st.integers(1, 4))
    kinds = [draw(st.sampled_from(sorted(KINDS))) for _ in range(width)]
    specs = [{"name": f"f{i}", **KINDS[k][0]} for i, k in enumerate(kinds)]
    schema: dict[str, Any] = {"fields": specs}
    if draw(st.booleans()):
        schema["missingValues"] = [{"value": "", "label": "empty"}, {"value": "NA", "label": "na"}]
    if draw(st.booleans()):
        names = [s["name"] for s in specs]
        schema["uniqueKeys"] = [draw(st.lists(st.sampled_from(names), min_size=1, unique=True))]
    lines = [",".join(s["name"] for s in specs)]
    for _ in range(draw(st.integers(0, 8))):
        shape = draw(st.sampled_from(["row"] * 6 + ["blank", "short", "long"]))
        if shape == "blank":
            lines.append("")
            continue
        cells = [draw(st.sampled_from(KINDS[k][1])) for k in kinds]
        if shape == "short":
            cells = cells[:-1]
        if shape == "long":
            cells.append("x")
        out = []
        for cell in cells:
            if cell and draw(st.integers(0, 6)) == 0:
                out.append(_quoted(cell + "\nmore" if draw(st.booleans()) else cell))
            elif any(c in cell for c in ',"\n'):
                out.append(_quoted(cell))
            else:
                out.append(cell)
        lines.append(",".join(out))
    return schema, ("\n".join(lines) + "\n").encode("utf-8")


@contextmanager
def package(schema: dict[str, Any], data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "t.csv").write_bytes(data)
        descriptor = {
            "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
            "name": "p",
            "resources": [{"name": "t", "type": "table", "path": "t.csv", "schema": schema}],
        }
        (root / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
        yield root / "datapackage.json"


def findings(descriptor: Path, mode: str) -> set[tuple[str, int | None, str | None, str | None]]:
    found = structure_findings(descriptor, mode)
    return {(f.check, f.line, f.column, f.value) for f in found}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(tables())
def test_both_engines_report_the_same_findings_on_v2_tables(
    table: tuple[dict[str, Any], bytes],
) -> None:
    schema, data = table
    with package(schema, data) as descriptor:
        assert findings(descriptor, "1") == findings(descriptor, "0")
