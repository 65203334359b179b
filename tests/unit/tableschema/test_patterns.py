"""A schema's `pattern` is untrusted: every evaluation is bounded (`clusterdata.tableschema.patterns`).

A hostile pattern such as ``(a|aa)+b`` took 80 s on a 42-character cell in Python's `re`; here
it must end in seconds as a located `pattern-timeout`, on both layer 1 engines (frictionless and
the DuckDB fast path) and in layer 2, while ordinary patterns report exactly what
frictionless-py reports.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fixtures.packages import write_package

from clusterdata.core.package import open_package
from clusterdata.tableschema import patterns
from clusterdata.tableschema.patterns import Outcome, PatternError, TablePattern
from clusterdata.validation.pipeline import validate
from clusterdata.validation.rules.run import check_table
from clusterdata.validation.structure import duckdb_engine as fastpath
from clusterdata.validation.structure.run import check_structure

HOSTILE_A = "(a|aa)+b"
HOSTILE_X = "(x+x+)+y"


def hostile_package(folder: Path, rows: int = 300, length: int = 200) -> Path:
    schema = {
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "a", "type": "string", "constraints": {"pattern": HOSTILE_A}},
            {"name": "x", "type": "string", "constraints": {"pattern": HOSTILE_X}},
        ]
    }
    lines = ["id,a,x", "r0,aab,xxy", "r1,ab,zz"]  # line 3: an ordinary mismatch in x
    lines += [f"h{i},{'a' * length},{'x' * length}" for i in range(rows)]  # lines 4…
    return write_package(folder, {"t": (schema, "\n".join(lines) + "\n")})


def expected(rows: int, first: int = 4) -> list[tuple[str, int, str]]:
    """`(a|aa)+b` times out on the first long cell (and is not checked further); the regex
    module's guards decide `(x+x+)+y` quickly, so its long cells are ordinary mismatches."""
    return sorted(
        [("constraint-pattern", 3, "x"), ("pattern-timeout", first, "a")]
        + [("constraint-pattern", line, "x") for line in range(first, first + rows)]
    )


@pytest.mark.parametrize("mode", ["0", "1"], ids=["frictionless", "fastpath"])
def test_hostile_patterns_on_long_cells_end_in_seconds_as_located_pattern_timeouts(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(fastpath.ENV, mode)
    descriptor = hostile_package(tmp_path)
    start = time.perf_counter()
    report = validate(descriptor, use_default_checks=False)
    elapsed = time.perf_counter() - start
    found = sorted((f.check, f.line, f.column) for f in report.findings)
    # The guarded `(x+x+)+y` ends in microseconds per cell, but on a machine loaded by other
    # work one cell may still outrun its budget: that is a timeout, located, never a pass.
    late = [f for f in found if f[0] == "pattern-timeout" and f[2] == "x"]
    assert len(late) <= 1, late
    assert [f for f in found if f not in late] == expected(300)
    timeout = next(f for f in report.findings if f.check == "pattern-timeout" and f.column == "a")
    assert timeout.is_error and timeout.value == "a" * 200
    assert timeout.message.startswith("The schema's pattern is too expensive to check")
    assert timeout.hint is not None and "(a|aa)+" in timeout.hint
    # one timeout per layer (BASE_SECONDS each), plus start-up; Python's re would take years
    assert elapsed < 2 * patterns.BASE_SECONDS + 10, elapsed


def test_layer_1_alone_reports_the_timeout_on_both_engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    descriptor = hostile_package(tmp_path, rows=50, length=60)
    for mode in ("0", "1"):
        monkeypatch.setenv(fastpath.ENV, mode)
        result = check_structure(open_package(descriptor))
        result.close()
        found = sorted((f.check, f.line, f.column) for f in result.findings)
        assert found == expected(50), mode


def test_layer_2_alone_reports_the_timeout_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(fastpath.ENV, "0")
    package = open_package(hostile_package(tmp_path, rows=50, length=60))
    structure = check_structure(package)
    resource = structure.readable[0]
    findings, _ = check_table(resource, "utf-8", structure.line_maps["t"])
    assert sorted((f.check, f.line, f.column) for f in findings) == expected(50)


def test_a_pattern_is_exhausted_after_its_first_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patterns, "BASE_SECONDS", 0.05)
    pattern = TablePattern(HOSTILE_A)
    assert pattern.check("aab") is Outcome.MATCH
    assert pattern.check("abc") is Outcome.MISMATCH
    start = time.perf_counter()
    assert pattern.check("a" * 100) is Outcome.TIMEOUT
    assert pattern.check("a" * 100) is Outcome.UNCHECKED
    assert pattern.check("aab") is Outcome.UNCHECKED
    assert time.perf_counter() - start < 1


def test_patterns_match_the_whole_value_with_pythons_syntax() -> None:
    pattern = TablePattern(r"[a-z]+|\d{4}")
    assert [pattern.check(t) for t in ("abc", "1999", "abc1999", "1999x", "١٩٩٩")] == [
        Outcome.MATCH,
        Outcome.MATCH,
        Outcome.MISMATCH,
        Outcome.MISMATCH,
        Outcome.MATCH,  # Python's \d is any Unicode digit, as frictionless-py sees it
    ]
    with pytest.raises(PatternError):
        TablePattern("[a-")
    with pytest.raises(PatternError):
        TablePattern(r"\p{L}+")  # the regex module's syntax, not Python's


def test_invalid_pattern_is_a_located_schema_error_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    schema = {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"pattern": "[a-"}},
            {"name": "n", "type": "integer"},
        ]
    }
    descriptor = write_package(tmp_path, {"t": (schema, "id,n\nabc,1\ndef,x\n")})
    for mode in ("0", "1"):
        monkeypatch.setenv(fastpath.ENV, mode)
        result = cli("validate", str(descriptor), "--no-checks", "--format", "json")
        assert result.code == 1, (mode, result.err)
        found = [(f["check"], f["line"], f["column"]) for f in result.json()["findings"]]
        assert found == [("schema-error", None, "id"), ("type-error", 3, "n")], mode


ORACLE_CASES = {
    # pattern, cells (one per row); frictionless-py's own (unbounded) verdict is the oracle
    "alternation": ("ab|cd", ["ab", "cd", "abcd", "x", ""]),
    "unicode-digits": (r"\d{2}-\w+", ["12-ab", "١٢-åä", "1-x", "12-", "12-a b"]),
    "lookahead": (r"(?=.*[0-9])[a-z0-9]+", ["abc1", "abc", "1", "ABC1", "a-1"]),
    "anchored": ("^[a-z]+(-[a-z]+)*$", ["paper-province", "Paper", "a--b", "a-", "ok"]),
}


@pytest.mark.parametrize("case", sorted(ORACLE_CASES))
def test_ordinary_pattern_findings_contain_frictionless_own_on_both_engines(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frictionless import Resource

    pattern, cells = ORACLE_CASES[case]
    schema = {
        "fields": [
            {"name": "v", "type": "string", "constraints": {"pattern": pattern}},
            {"name": "n", "type": "integer"},
        ]
    }
    text = "v,n\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells)) + "zz\n"
    descriptor = write_package(tmp_path, {"t": (schema, text)})
    oracle = Resource(
        {"name": "t", "path": "t.csv", "format": "csv", "schema": schema},
        basepath=str(descriptor.parent),
    ).validate()
    expected = {
        (e.row_number, e.field_name, "constraint-pattern")
        for e in oracle.tasks[0].errors
        if e.type == "constraint-error"
    }
    assert expected, "the case should break the pattern somewhere"
    for mode in ("0", "1"):
        monkeypatch.setenv(fastpath.ENV, mode)
        result = check_structure(open_package(descriptor))
        result.close()
        ours = {(f.line, f.column, f.check) for f in result.findings}
        assert expected <= ours, (mode, expected - ours)
        assert "pattern-timeout" not in {f.check for f in result.findings}
