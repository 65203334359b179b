"""Property-based tests: random mutations of the bundled CSVs never crash the validator, and a
mutation that breaks a schema constraint we can predict is reported at its line.

Each example validates a one-table package cut out of the bundled dataset (the mutated table,
at most `MAX_ROWS` of its rows, its schema without foreign keys), written into its own temporary
folder: hypothesis runs many
examples per test function, so a function-scoped fixture would be shared between them. Cutting
the package keeps an example cheap enough for 500 of them (numbers in SECURITY.md); foreign keys
are covered by the corpus and by the key mutations below, which keep the referenced table.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterdata.core.findings import Finding
from clusterdata.core.package import open_package
from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure.run import check_structure

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "datapackage"
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").is_dir() else sys.executable

pytestmark = pytest.mark.skipif(
    not (BUNDLED / "datapackage.json").is_file(), reason="the bundled dataset is not there yet"
)

FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Findings that mean "a check crashed and was skipped", which a clean run never shows.
CRASH_CHECKS = {"frame-error", "internal-error"}


@dataclass(frozen=True)
class Table:
    """One bundled table, parsed once: its descriptor entry and its records."""

    name: str
    spec: dict[str, Any]
    header: list[str]
    rows: list[list[str]]

    @property
    def fields(self) -> dict[str, dict[str, Any]]:
        return {f["name"]: f for f in self.spec["schema"]["fields"]}


#: Rows kept of each bundled table. A mutation's line is found the same way in row 90 as in
#: row 300, so longer tables add time, not cases; the cap keeps an example's cost from growing
#: with the dataset (its tables grew from 750 to 1,070 rows in one session, and these four
#: properties by a third with them).
MAX_ROWS = 100


def _load_tables() -> dict[str, Table]:
    if not (BUNDLED / "datapackage.json").is_file():
        return {}
    descriptor = json.loads((BUNDLED / "datapackage.json").read_text(encoding="utf-8"))
    tables = {}
    for spec in descriptor["resources"]:
        text = (BUNDLED / spec["path"]).read_text(encoding="utf-8")
        records = list(csv.reader(io.StringIO(text, newline="")))
        if len(records) < 3:
            continue
        tables[spec["name"]] = Table(spec["name"], spec, records[0], records[1 : MAX_ROWS + 1])
    return tables


TABLES = _load_tables()
NAMES = sorted(TABLES)


def render(header: list[str], rows: list[list[str]]) -> tuple[str, list[int]]:
    """CSV text, and the physical line each data row starts on (header = line 1)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    starts = []
    line = 2
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(row)
        text = buffer.getvalue()
        starts.append(line)
        line += text.count("\n")
        out.write(text)
    return out.getvalue(), starts


@contextmanager
def one_table_package(table: Table, data: bytes, keep_keys: bool = False) -> Iterator[Path]:
    """A package of just this table in a fresh folder; foreign keys dropped unless asked."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        root = Path(folder)
        spec = copy.deepcopy(table.spec)
        if not keep_keys:
            spec["schema"].pop("foreignKeys", None)
        spec["path"] = "data/table.csv"
        (root / "data").mkdir()
        (root / "data" / "table.csv").write_bytes(data)
        (root / "datapackage.json").write_text(
            json.dumps({"name": "fuzz", "resources": [spec]}), encoding="utf-8"
        )
        yield root


@contextmanager
def fast_path(mode: str) -> Iterator[None]:
    """Run with the DuckDB engine forced on ("force") or off ("off": the frictionless engine)."""
    previous = os.environ.get("CLUSTERDATA_FASTPATH")
    os.environ["CLUSTERDATA_FASTPATH"] = mode
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("CLUSTERDATA_FASTPATH", None)
        else:
            os.environ["CLUSTERDATA_FASTPATH"] = previous


def structure_findings(root: Path) -> list[Finding]:
    return check_structure(open_package(root)).findings


def located(findings: list[Finding]) -> set[tuple[str, int | None]]:
    return {(f.check, f.line) for f in findings}


# --- predictable mutations ------------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    """A cell edit that breaks one named constraint: the check ids that may report it."""

    table: str
    row: int
    column: str
    value: str
    checks: frozenset[str]


def _candidates(table: Table) -> list[tuple[str, str, frozenset[str]]]:
    """(column, bad value, checks that report it) for every constraint this table declares."""
    out: list[tuple[str, str, frozenset[str]]] = []
    for name, spec in table.fields.items():
        if name not in table.header:
            continue
        constraints = spec.get("constraints") or {}
        kind = spec.get("type", "string")
        if constraints.get("required"):
            out.append((name, "", frozenset({"constraint-required"})))
        if kind == "string" and "pattern" in constraints and "enum" not in constraints:
            out.append((name, "Bad Id!", frozenset({"constraint-pattern"})))
        if "enum" in constraints and kind == "string":
            out.append((name, "not_an_allowed_value", frozenset({"constraint-enum"})))
        if kind in {"integer", "number", "boolean", "date", "year", "datetime"}:
            out.append((name, "n/a?", frozenset({"type-error"})))
        if kind in {"integer", "number"} and "minimum" in constraints:
            out.append(
                (name, str(int(constraints["minimum"]) - 1000), frozenset({"constraint-minimum"}))
            )
    return out


@st.composite
def breaches(draw: st.DrawFn) -> Breach:
    table = TABLES[draw(st.sampled_from(NAMES))]
    options = _candidates(table)
    column, value, checks = draw(st.sampled_from(options))
    row = draw(st.integers(0, len(table.rows) - 1))
    return Breach(table.name, row, column, value, checks)


#: Both layer-1 engines, each fuzzed on its own (issue 13: "auto" is always DuckDB).
ENGINES = pytest.mark.parametrize("mode", ["force", "off"], ids=["duckdb", "frictionless"])


@pytest.mark.slow  # 500 examples per engine: 30–50 s each on 2 shared cores; runs in CI
@ENGINES
@FUZZ
@given(breach=breaches())
def test_a_cell_that_breaks_a_declared_constraint_is_reported_at_its_line(
    breach: Breach, mode: str
) -> None:
    table = TABLES[breach.table]
    rows = [list(r) for r in table.rows]
    rows[breach.row][table.header.index(breach.column)] = breach.value
    text, starts = render(table.header, rows)
    with one_table_package(table, text.encode("utf-8")) as root, fast_path(mode):
        findings = structure_findings(root)
    line = starts[breach.row]
    hits = [f for f in findings if f.check in breach.checks and f.line == line]
    assert hits, (breach, mode, [(f.check, f.line, f.column) for f in findings])
    assert all(f.path == "data/table.csv" for f in hits)
    assert any(f.column == breach.column for f in hits), [(f.check, f.column) for f in hits]


@pytest.mark.slow  # 500 examples per engine: 30–50 s each on 2 shared cores; runs in CI
@ENGINES
@FUZZ
@given(data=st.data())
def test_a_repeated_primary_key_is_reported_at_the_repeating_line(
    data: st.DataObject, mode: str
) -> None:
    keyed = [n for n in NAMES if TABLES[n].spec["schema"].get("primaryKey")]
    table = TABLES[data.draw(st.sampled_from(keyed))]
    rows = [list(r) for r in table.rows]
    source = data.draw(st.integers(0, len(rows) - 1))
    target = (source + data.draw(st.integers(1, len(rows) - 1))) % len(rows)
    key = table.spec["schema"]["primaryKey"]
    key = [key] if isinstance(key, str) else key
    for name in key:
        index = table.header.index(name)
        rows[target][index] = rows[source][index]
    text, starts = render(table.header, rows)
    with one_table_package(table, text.encode("utf-8")) as root, fast_path(mode):
        findings = structure_findings(root)
    later = starts[max(source, target)]
    reported = {(f.check, f.line) for f in findings}
    assert {
        ("primary-key", later),
        ("constraint-unique", later),
        ("unique-error", later),
    } & reported, (table.name, source, target, mode, sorted(reported, key=str))


@pytest.mark.slow  # 500 examples per engine: 30–50 s each on 2 shared cores; runs in CI
@ENGINES
@FUZZ
@given(data=st.data())
def test_a_reference_to_a_missing_row_is_reported_at_its_line(
    data: st.DataObject, mode: str
) -> None:
    """Keeps the referenced table: a package of the child and its parent."""
    pairs = [
        (n, fk)
        for n in NAMES
        for fk in TABLES[n].spec["schema"].get("foreignKeys", [])
        if fk["reference"].get("resource") in TABLES
        and len(fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]) == 1
    ]
    name, fk = data.draw(st.sampled_from(pairs))
    table, parent = TABLES[name], TABLES[fk["reference"]["resource"]]
    column = fk["fields"][0] if isinstance(fk["fields"], list) else fk["fields"]
    rows = [list(r) for r in table.rows]
    row = data.draw(st.integers(0, len(rows) - 1))
    rows[row][table.header.index(column)] = "no-such-row-anywhere"
    text, starts = render(table.header, rows)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        root = Path(folder)
        (root / "data").mkdir()
        child = copy.deepcopy(table.spec)
        child["schema"]["foreignKeys"] = [fk]
        child["path"] = "data/child.csv"
        (root / "data" / "child.csv").write_text(text, encoding="utf-8")
        parent_spec = copy.deepcopy(parent.spec)
        parent_spec["schema"].pop("foreignKeys", None)
        parent_spec["path"] = "data/parent.csv"
        (root / "data" / "parent.csv").write_text(
            render(parent.header, parent.rows)[0], encoding="utf-8"
        )
        resources = [child] if parent.name == table.name else [child, parent_spec]
        (root / "datapackage.json").write_text(json.dumps({"name": "fuzz", "resources": resources}))
        with fast_path(mode):
            findings = structure_findings(root)
    assert ("foreign-key", starts[row]) in located(findings), (name, column, row)


# --- mutations we cannot predict: nothing may crash -----------------------------------------


@st.composite
def mangled(draw: st.DrawFn) -> tuple[str, bytes, str]:
    """A bundled table after one random byte-level or row-level mutation."""
    table = TABLES[draw(st.sampled_from(NAMES))]
    text, _ = render(table.header, table.rows)
    raw = text.encode("utf-8")
    kind = draw(
        st.sampled_from(
            [
                "flip",
                "truncate",
                "delete-rows",
                "cp1252",
                "utf-16",
                "insert",
                "edit-cell",
                "shuffle-lines",
            ]
        )
    )
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    if kind == "flip":
        data = bytearray(raw)
        for _ in range(draw(st.integers(1, 8))):
            data[rnd.randrange(len(data))] = draw(st.integers(0, 255))
        raw = bytes(data)
    elif kind == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif kind == "delete-rows":
        rows = [r for r in table.rows if rnd.random() > 0.3]
        raw = render(table.header, rows)[0].encode("utf-8")
    elif kind == "cp1252":
        raw = text.encode("cp1252", errors="replace")
    elif kind == "utf-16":
        raw = text.encode("utf-16")
    elif kind == "insert":
        position = draw(st.integers(0, len(raw)))
        raw = raw[:position] + draw(st.binary(min_size=1, max_size=20)) + raw[position:]
    elif kind == "edit-cell":
        rows = [list(r) for r in table.rows]
        row = rnd.randrange(len(rows))
        rows[row][rnd.randrange(len(rows[row]))] = draw(st.text(max_size=30))
        raw = render(table.header, rows)[0].encode("utf-8", errors="surrogatepass")
    else:
        lines = raw.split(b"\n")
        rnd.shuffle(lines)
        raw = b"\n".join(lines)
    return table.name, raw, kind


@pytest.mark.slow  # 500 examples per engine: 30–50 s each on 2 shared cores; runs in CI
@ENGINES
@FUZZ
@given(case=mangled())
def test_the_validator_never_raises_on_a_mangled_table(
    case: tuple[str, bytes, str], mode: str
) -> None:
    name, raw, kind = case
    with one_table_package(TABLES[name], raw) as root, fast_path(mode):
        report = validate(root, use_default_checks=False)
        after = (root / "data" / "table.csv").read_bytes()
    assert after == raw, "validation changed the file it read"
    crashed = [f for f in report.findings if f.check in CRASH_CHECKS]
    assert not crashed, (kind, crashed)
    for finding in report.findings:
        assert finding.path in {"data/table.csv", "datapackage.json"}, finding
        assert finding.message
    json.dumps(report.to_dict())  # every report can be rendered for programs


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mangled())
def test_the_command_line_exits_cleanly_on_a_mangled_table(case: tuple[str, bytes, str]) -> None:
    name, raw, kind = case
    with one_table_package(TABLES[name], raw) as root:
        proc = subprocess.run(
            [PYTHON, "-m", "clusterdata", "validate", str(root), "--format", "json", "--no-checks"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode in {0, 1}, (kind, proc.returncode, proc.stderr)
    assert json.loads(proc.stdout)["valid"] is (proc.returncode == 0)


def test_re_encoded_swedish_text_is_located_at_its_first_non_ascii_line() -> None:
    """cp1252 and Latin-1 give the same bytes for å ä ö; the first one decides the line."""
    for name in NAMES:
        table = TABLES[name]
        text, _ = render(table.header, table.rows)
        lines = text.split("\n")
        first = next((i + 1 for i, line in enumerate(lines) if not line.isascii()), None)
        if first is None:
            continue
        with one_table_package(table, text.encode("cp1252", errors="replace")) as root:
            findings = structure_findings(root)
        assert ("encoding-error", first) in located(findings), name
        with one_table_package(table, text.encode("utf-16")) as root:
            findings = structure_findings(root)
        assert ("encoding-error", 1) in located(findings), name
