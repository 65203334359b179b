"""Differential testing of the two layer-1 engines against frictionless-py (issue 14, item 2).

hypothesis writes small random tables — ragged rows, extra and trailing empty cells, quoted line
breaks, blank rows, a BOM, CRLF, integers, numbers with groupChar/decimalChar, booleans, dates,
datetimes with UTC offsets, years, durations, geopoints, missingValues, constraints, primary and
unique keys — and each is validated three ways: the DuckDB engine (`CLUSTERDATA_FASTPATH=1`),
the frictionless engine (`=0`) and frictionless-py itself, in this process, with its error
limit raised. The three must report the same (physical line, field, error kind) set; a
disagreement found here becomes a named regression test (tests/unit/validation/test_verdict.py,
test_fastpath.py).
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

from clusterdata.core.lines import map_lines
from clusterdata.core.package import open_package
from clusterdata.validation.pipeline import table_schema_kind

EXAMPLES = int(os.environ.get("CLUSTERDATA_DIFFERENTIAL_EXAMPLES", "500"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Found = set[tuple[int | None, str | None, str]]

#: Cells a column of each type is drawn from: valid forms, near misses and missing values.
CELLS: dict[str, list[str]] = {
    "string": ["a", "b", "ab", "", "NA", "x y", "å"],
    "integer": ["1", "01", "-3", "1.5", "1e3", " 12", "+5", "1_000", "\u00a012", "x", "", "NA"],
    "number": ["1.5", "1,5", "1 000,5", "-2", "NaN", "INF", "Infinity", "1e3", "x", "", "NA"],
    "boolean": ["true", "false", "True", "1", "0", "yes", "x", ""],
    "date": ["2020-01-01", "2020-02-30", "2020-1-1", "01/01/2020", ""],
    "datetime": [
        "2020-01-01T15:00:00Z",
        "2020-01-01T15:00:00+03:00",
        "2020-01-01T12:00:00Z",
        "2020-01-01T13:00:00+0100",
        "2020-01-01T15:00:00",
        "2020-01-01 15:00:00",
        "2020-01-01",
        "",
    ],
    "year": ["2020", "1999", "20", "20200", "x", ""],
    "duration": ["P1Y", "PT1H", "P1Y2M3DT4H5M6S", "1Y", "P", ""],
    "geopoint": ["1.5, 2.5", "1.5,2.5", "200, 100", "x", ""],
}


@st.composite
def fields(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(CELLS)))
    spec: dict[str, Any] = {"name": f"f{index}", "type": kind}
    if kind == "number" and draw(st.booleans()):
        spec.update({"decimalChar": ",", "groupChar": " "})
    constraints: dict[str, Any] = {}
    if draw(st.booleans()):
        constraints["required"] = True
    if draw(st.integers(0, 4)) == 0:
        constraints["unique"] = True
    if kind == "integer" and draw(st.booleans()):
        constraints["minimum"] = 0
    if kind == "string" and draw(st.booleans()):
        constraints["enum"] = ["a", "b", "å"]
    if kind == "string" and draw(st.booleans()):
        constraints["maxLength"] = 1
    if constraints:
        spec["constraints"] = constraints
    return spec


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


#: Dialects drawn for a table, with the lines they put in the file: the spec's default (no
#: dialect); comment lines told by `commentChar`; a title row above the header (`headerRows`
#: [2]); a note row named by `commentRows`; a header over two rows joined by `headerJoin`.
#: Each is one frictionless-py reads as the spec does (`core/dialect.py` lists where it does
#: not, and `tests/unit/validation/test_dialects.py` pins those cases).
DIALECTS = ["none"] * 4 + ["comment-char", "title-row", "comment-rows", "two-header-rows"]


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[str, Any], bytes, dict[str, Any]]:
    width = draw(st.integers(1, 4))
    specs = [draw(fields(i)) for i in range(width)]
    kind = draw(st.sampled_from(DIALECTS))
    dialect: dict[str, Any] = {}
    if kind == "two-header-rows":
        dialect.update(headerRows=[1, 2], headerJoin="/")
        for index, spec in enumerate(specs):
            spec["name"] = f"g{index}/{spec['name']}"
    schema: dict[str, Any] = {"fields": specs}
    if draw(st.booleans()):
        schema["missingValues"] = draw(st.sampled_from([["", "NA"], ["NA"], [""]]))
    if draw(st.booleans()):
        schema["primaryKey"] = [specs[0]["name"]]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(s["name"] for s in specs)]
    if kind == "title-row":
        lines.insert(0, "A title, above the header")
        dialect["headerRows"] = [2]
    elif kind == "two-header-rows":
        lines = [
            ",".join(f"g{i}" for i in range(width)),
            ",".join(s["name"].split("/")[1] for s in specs),
        ]
    for _ in range(draw(st.integers(0, 8))):
        shape = draw(st.sampled_from(["row"] * 6 + ["blank", "short", "long", "trailing"]))
        if shape == "blank":
            lines.append("")
            continue
        cells = [draw(st.sampled_from(CELLS[s["type"]])) for s in specs]
        if shape == "short" and cells:
            cells = cells[:-1]
        if shape == "long":
            cells.append(draw(st.sampled_from(["x", "", '""'])))
        out = []
        for cell in cells:
            if cell and draw(st.integers(0, 5)) == 0:
                out.append(_quoted(cell + "\nmore" if draw(st.booleans()) else cell))
            elif "," in cell or "\n" in cell:
                out.append(_quoted(cell))
            else:
                out.append(cell)
        text = ",".join(out)
        if shape == "trailing":
            text += ","
        lines.append(text)
    if kind == "comment-char":
        dialect["commentChar"] = "#"
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(1, len(lines)))
            lines.insert(at, draw(st.sampled_from(["# note", "#", '#a,"b', "#x,y,z,w,v"])))
    if kind == "comment-rows":
        at = draw(st.integers(2, len(lines) + 1))
        lines.insert(at - 1, "a note, not data")
        dialect["commentRows"] = [at]
    body = newline.join(lines) + (newline if draw(st.booleans()) else "")
    data = body.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    return schema, data, dialect


@contextmanager
def package(
    schema: dict[str, Any], data: bytes, dialect: dict[str, Any] | None = None
) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "t.csv").write_bytes(data)
        resource: dict[str, Any] = {"name": "t", "path": "t.csv", "schema": schema}
        if dialect:
            resource["dialect"] = dialect
        descriptor = {"name": "p", "resources": [resource]}
        (root / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
        yield root / "datapackage.json"


def _kind(check: str) -> str:
    return "constraint-error" if check.startswith("constraint-") else check


def ours(descriptor: Path, mode: str) -> Found:
    found = structure_findings(descriptor, mode)
    return {
        (f.line, None if f.check == "extra-cell" else f.column, _kind(f.check))
        for f in found
        if table_schema_kind(f.check)
    }


#: Cells of `CELLS` that frictionless-py reads as values and the Table Schema spec does not; both
#: engines report a `type-error` for them (`validation/structure/spec_cells.py`):
#: - integer "1_000" and "\u00a012": an integer is "indicated in the standard way", digits with
#:   an optional sign; Python's int() also takes digit-group underscores and a no-break space,
#:   which is not XML Schema whitespace (" 12" is: both accept it);
#: - number "Infinity": "The following special string values are permitted ...: NaN, INF, -INF";
#: - date "2020-1-1": "The lexical representation MUST be in the form YYYY-MM-DD" (Python's
#:   strptime takes one-digit months and days);
#: - datetime "…+0100": XML Schema's timezone is "(('+' | '-') hh ':' mm) | 'Z'", with the colon;
#: - datetime "2020-01-01 15:00:00": XML Schema's dateTime separates date and time with "T".
SPEC_REJECTS: dict[str, frozenset[str]] = {
    "integer": frozenset({"1_000", "\u00a012"}),
    "number": frozenset({"Infinity"}),
    "date": frozenset({"2020-1-1"}),
    "datetime": frozenset({"2020-01-01T13:00:00+0100", "2020-01-01 15:00:00"}),
}


def spec_rejects(descriptor: Path) -> set[tuple[str, int | None, str | None, str]]:
    """The type errors the spec adds to frictionless-py's report: `SPEC_REJECTS` cells that
    frictionless-py read as values, by resource, at their physical lines."""
    from frictionless import Resource as FlResource

    data = json.loads(descriptor.read_text("utf-8"))
    found: set[tuple[str, int | None, str | None, str]] = set()
    for number, spec in enumerate(data["resources"]):
        fields = data["resources"][number]["schema"]["fields"]
        watched = {f["name"]: SPEC_REJECTS[f["type"]] for f in fields if f["type"] in SPEC_REJECTS}
        if not watched:
            continue
        resource = open_package(descriptor).resources[number]
        bom = resource.file.read_bytes().startswith(b"\xef\xbb\xbf")
        line_map, _ = map_lines(resource, "utf-8-sig" if bom else "utf-8")
        fl = FlResource(
            {
                "name": spec["name"],
                "path": spec["path"],
                "schema": {k: v for k, v in spec["schema"].items() if k != "foreignKeys"},
                "encoding": "utf-8-sig" if bom else "utf-8",
                "dialect": spec.get("dialect") or {"headerRows": [1]},
            },
            basepath=str(descriptor.parent),
        )
        with fl:
            for row in fl.row_stream:
                for position, name in enumerate(f["name"] for f in fields):
                    if name not in watched or position >= len(row.cells):
                        continue
                    if row[name] is None or name in row.error_cells:
                        continue
                    if row.cells[position] in watched[name]:
                        line = line_map.row_line(row.row_number)
                        found.add((spec["name"], line, name, "type-error"))
    return found


def frictionless_py_report(descriptor: Path) -> Any:
    """frictionless-py's report on the package, told the spec's defaults where it would guess.

    Left silent, frictionless-py picks the header row from the widths of the first rows
    (`Detector.detect_dialect`) and the encoding with chardet. The spec does not guess: "headerRows
    ... Default: [1]" (Table Dialect) and a CSV's encoding defaults to UTF-8 (Data Resource).
    Both engines follow the spec, so the reference is given those defaults explicitly;
    `test_header_is_line_one_when_the_dialect_is_silent` pins the case where the guess differs.
    """
    from frictionless import Package

    data = json.loads(descriptor.read_text("utf-8"))
    for resource in data["resources"]:
        dialect = resource.setdefault("dialect", {})
        if "header" not in dialect:
            dialect.setdefault("headerRows", [1])
        if "encoding" not in resource:
            head = (descriptor.parent / resource["path"]).read_bytes()[:3]
            resource["encoding"] = "utf-8-sig" if head == b"\xef\xbb\xbf" else "utf-8"
    return Package(data, basepath=str(descriptor.parent)).validate(limit_errors=10**9)


def theirs(descriptor: Path) -> Found:
    """frictionless-py's own findings, its rows (which count header and comment rows) mapped to
    physical lines by the same line map."""
    report = frictionless_py_report(descriptor)
    resource = open_package(descriptor).resources[0]
    encoding = "utf-8-sig" if resource.file.read_bytes().startswith(b"\xef\xbb\xbf") else "utf-8"
    line_map, _ = map_lines(resource, encoding)
    found: Found = set()
    for task in report.tasks:
        for error in task.errors:
            data = error.to_descriptor()
            kind = str(data["type"])
            row = data.get("rowNumber")
            column = data.get("fieldName") or None
            if kind in {"primary-key", "foreign-key"}:
                names = data.get("fieldNames") or resource.primary_key
                column = names[0] if names else None
            if kind == "extra-cell":
                column = None
            line = line_map.row_line(row) if row else line_map.line(1)
            if table_schema_kind(kind) or kind == "constraint-error":
                found.add((line, column, kind))
    return found


@SETTINGS
@given(tables())
def test_duckdb_engine_frictionless_engine_and_frictionless_py_agree(
    table: tuple[dict[str, Any], bytes, dict[str, Any]],
) -> None:
    schema, data, dialect = table
    with package(schema, data, dialect) as descriptor:
        reference = theirs(descriptor) | {f[1:] for f in spec_rejects(descriptor)}
        assert ours(descriptor, "0") == reference, "frictionless engine"
        assert ours(descriptor, "1") == reference, "DuckDB engine"


@st.composite
def linked_tables(draw: st.DrawFn) -> tuple[dict[str, Any], bytes, dict[str, Any], bytes]:
    """A parent keyed by `id` (integer or string) and a child whose `parent` refers to it."""
    kind = draw(st.sampled_from(["integer", "string"]))
    values = CELLS[kind]
    parent_schema = {"fields": [{"name": "id", "type": kind}], "primaryKey": ["id"]}
    parent_rows = draw(st.lists(st.sampled_from(values), max_size=5))
    child_schema = {
        "fields": [{"name": "cid", "type": "string"}, {"name": "parent", "type": kind}],
        "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "p", "fields": ["id"]}}],
    }
    child_rows = draw(st.lists(st.sampled_from(values), max_size=6))
    parent = "\n".join(["id", *(_quoted(v) if "," in v else v for v in parent_rows)]) + "\n"
    child = "\n".join(["cid,parent", *(f"c{i},{v}" for i, v in enumerate(child_rows))]) + "\n"
    return parent_schema, parent.encode(), child_schema, child.encode()


def theirs_all(descriptor: Path) -> set[tuple[str, int | None, str | None, str]]:
    """frictionless-py's findings over every resource (no line breaks in these cells)."""
    report = frictionless_py_report(descriptor)
    found = set()
    for task in report.tasks:
        for error in task.errors:
            data = error.to_descriptor()
            kind = str(data["type"])
            column = data.get("fieldName") or None
            if kind in {"primary-key", "foreign-key"}:
                column = (data.get("fieldNames") or ["id"])[0]
            if kind == "extra-cell":
                column = None
            if table_schema_kind(kind) or kind == "constraint-error":
                found.add((str(task.name), data.get("rowNumber") or 1, column, kind))
    return found


def ours_all(descriptor: Path, mode: str) -> set[tuple[str, int | None, str | None, str]]:
    found = structure_findings(descriptor, mode)
    return {
        (str(f.resource), f.line, None if f.check == "extra-cell" else f.column, _kind(f.check))
        for f in found
        if table_schema_kind(f.check)
    }


@SETTINGS
@given(linked_tables())
def test_foreign_keys_agree_on_both_engines_and_frictionless_py(
    tables_: tuple[dict[str, Any], bytes, dict[str, Any], bytes],
) -> None:
    parent_schema, parent, child_schema, child = tables_
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "p.csv").write_bytes(parent)
        (root / "c.csv").write_bytes(child)
        resources = [
            {"name": "p", "path": "p.csv", "schema": parent_schema},
            {"name": "c", "path": "c.csv", "schema": child_schema},
        ]
        (root / "datapackage.json").write_text(
            json.dumps({"name": "p", "resources": resources}), "utf-8"
        )
        reference = theirs_all(root / "datapackage.json") | spec_rejects(root / "datapackage.json")
        assert ours_all(root / "datapackage.json", "0") == reference, "frictionless engine"
        assert ours_all(root / "datapackage.json", "1") == reference, "DuckDB engine"


def test_header_is_line_one_when_the_dialect_is_silent() -> None:
    """The case hypothesis found: line 2 is as wide as the average row, so frictionless-py's
    guess takes it for the header and reports its cells as wrong labels on "line 1". The spec
    says "headerRows ... Default: [1]" (https://datapackage.org/standard/table-dialect/): line 1
    is the header, line 2 a data row that lacks a cell."""
    from frictionless import Package

    schema = {
        "fields": [
            {"name": "f0", "type": "boolean", "constraints": {"unique": True}},
            {"name": "f1", "type": "boolean", "constraints": {"unique": True}},
            {"name": "f2", "type": "duration", "constraints": {"unique": True}},
            {"name": "f3", "type": "year", "constraints": {"unique": True}},
        ]
    }
    data = b"\xef\xbb\xbff0,f1,f2,f3\ntrue,true,P1Y\n\ntrue,true,P1Y,\n\ntrue,,,"
    expected = {
        (2, "f3", "missing-cell"),
        (3, None, "blank-row"),
        (4, "f0", "unique-error"),
        (4, "f1", "unique-error"),
        (4, "f2", "unique-error"),
        (5, None, "blank-row"),
        (6, "f0", "unique-error"),
    }
    with package(schema, data) as descriptor:
        guessed = Package(str(descriptor)).validate(limit_errors=10**9)
        assert "incorrect-label" in {e.type for e in guessed.tasks[0].errors}, (
            "frictionless-py no longer guesses the header row: the deviation documented in "
            "structure/run.py::_dialect may be gone"
        )
        assert theirs(descriptor) == expected
        assert ours(descriptor, "0") == expected, "frictionless engine"
        assert ours(descriptor, "1") == expected, "DuckDB engine"
