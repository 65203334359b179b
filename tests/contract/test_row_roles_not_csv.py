"""Row roles in tables that are not CSV: followed on both engines as far as the Table Dialect
spec applies them to the format, by the rules CSV records follow (`core.dialect`).

The spec lists `header`, `headerRows`, `headerJoin`, `commentRows` and `commentChar` for
spreadsheets, only `header` of these for structured formats (JSON, rows inline in the
descriptor), and `nullSequence` for delimited text only; "A property MUST be ignored if it is
no[t] applicable" (https://datapackage.org/standard/table-dialect/, "Tabular Data Formats").
Every property has a failing and a passing fixture here, per format, on both engines; where
frictionless-py reads the case as the spec does, our findings equal its report on the same
package, and where it does not, its reading is pinned next to ours.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from fixtures.tableformats import (
    BAD,
    ENGINES,
    GOOD,
    HEADER,
    Found,
    ours,
    theirs,
    write_descriptor,
    write_rows,
    write_table,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clusterdata.validation.pipeline import Report, validate
from clusterdata.validation.structure import duckdb_engine

SHEETS = ["xlsx", "xls", "ods"]
STRUCTURED = ["json-arrays", "inline-arrays"]
TITLE = ["Kluster i Sverige 2026"]
NOTE = ["# två rader följer", None, None]


def place(fmt: str, index: int) -> int:
    """Where the written row `index` (0-based) is: its sheet row, its line in t.json (one item
    per line after "["), or its index in `data` (the JSON pointer a finding names)."""
    return {"json-arrays": index + 2, "inline-arrays": index}.get(fmt, index + 1)


def found(descriptor: Path, fmt: str, engine: str, monkeypatch: pytest.MonkeyPatch) -> set[Any]:
    """Our errors as (place, column, check): the place as `place` words it, read from the
    finding (the sheet row or JSON pointer in its message, or its line in the JSON file)."""
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    return {(_place_of(f.message, f.line, fmt), f.column, f.check) for f in _errors(report)}


def _errors(report: Report) -> list[Any]:
    return [f for f in report.findings if f.is_error]


def _place_of(message: str, line: int | None, fmt: str) -> int | None:
    if fmt == "inline-arrays":
        match = re.match(r"At /resources/0/data/(\d+)", message)
        return int(match.group(1)) if match else None
    if fmt in SHEETS:
        match = re.match(r"At row (\d+) of sheet 'Data'", message)
        assert match, message  # every row finding in a sheet names its row
        assert int(match.group(1)) == line
    return line


def bad_at(fmt: str, first: int) -> set[Any]:
    """BAD's errors when its rows are written from row index `first` on."""
    return {
        (place(fmt, first + 1), "n", "type-error"),
        (place(fmt, first + 2), "n", "constraint-minimum"),
        (place(fmt, first + 2), "id", "primary-key"),
    }


def package(tmp_path: Path, fmt: str, rows: list[list[Any]], dialect: dict[str, Any]) -> Path:
    return write_descriptor(tmp_path, write_rows(tmp_path, fmt, rows, dialect=dialect))


def assert_as_frictionless(descriptor: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where frictionless-py reads the case as the spec does: its report is ours."""
    expected: Found = theirs(descriptor)
    for engine in ("1", "0"):
        assert ours(descriptor, engine, monkeypatch) == expected


#: Properties that apply to sheets: (dialect, rows before the data, where the data starts).
SHEET_CASES = {
    "header-false": ({"header": False}, [], 0),
    "header-rows": ({"headerRows": [2]}, [TITLE, HEADER], 2),
    "header-join": (
        {"headerRows": [1, 2], "headerJoin": ""},
        [["i", None, "na"], ["d", "n", "me"]],
        2,
    ),
}


@ENGINES
@pytest.mark.parametrize("fmt", SHEETS)
@pytest.mark.parametrize("case", list(SHEET_CASES))
def test_a_sheet_s_header_roles_are_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, case: str, engine: str
) -> None:
    dialect, before, first = SHEET_CASES[case]
    _mk(tmp_path)
    bad = package(tmp_path / "bad", fmt, [*before, *BAD], dialect)
    good = package(tmp_path / "good", fmt, [*before, *GOOD], dialect)
    assert found(bad, fmt, engine, monkeypatch) == bad_at(fmt, first)
    assert found(good, fmt, engine, monkeypatch) == set()


@pytest.mark.parametrize("fmt", SHEETS)
@pytest.mark.parametrize("case", list(SHEET_CASES))
def test_a_sheet_s_header_roles_are_read_as_frictionless_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, case: str
) -> None:
    dialect, before, _ = SHEET_CASES[case]
    assert_as_frictionless(package(tmp_path, fmt, [*before, *BAD], dialect), monkeypatch)


@ENGINES
@pytest.mark.parametrize("fmt", SHEETS)
def test_a_header_join_other_than_the_labels_need_gives_label_errors_at_the_first_header_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, engine: str
) -> None:
    dialect = {"headerRows": [1, 2], "headerJoin": "-"}
    descriptor = package(tmp_path, fmt, [["i", None, "na"], ["d", "n", "me"], *GOOD], dialect)
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    labels = {(f.check, f.value, f.line) for f in report.findings}
    # the empty cell above "n" is joined too: "-n" (frictionless-py joins it so as well)
    expected = {"i-d", "-n", "na-me"}
    assert labels == {("incorrect-label", label, 1) for label in expected}


#: Comment rows in a sheet: the dialect, and the comment row written as the third row.
COMMENTS = {"comment-rows": {"commentRows": [3]}, "comment-char": {"commentChar": "#"}}


@ENGINES
@pytest.mark.parametrize("fmt", SHEETS)
@pytest.mark.parametrize("case", list(COMMENTS))
def test_a_sheet_s_comment_rows_are_not_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, case: str, engine: str
) -> None:
    """The comment row (its id "# två rader följer" is no integer) is left out; the rows
    after it keep their own sheet rows."""
    _mk(tmp_path)
    bad = package(tmp_path / "bad", fmt, [HEADER, BAD[0], NOTE, *BAD[1:]], COMMENTS[case])
    good = package(tmp_path / "good", fmt, [HEADER, GOOD[0], NOTE, *GOOD[1:]], COMMENTS[case])
    assert found(bad, fmt, engine, monkeypatch) == {
        (4, "n", "type-error"),
        (5, "n", "constraint-minimum"),
        (5, "id", "primary-key"),
    }
    assert found(good, fmt, engine, monkeypatch) == set()
    assert_as_frictionless(bad, monkeypatch)


@ENGINES
@pytest.mark.parametrize("fmt", SHEETS)
def test_a_sheet_row_whose_first_cell_is_a_number_starting_with_the_comment_char_is_a_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, engine: str
) -> None:
    """ "what rows have to be omitted from the data based on the row's first characters": the
    row 9, -5 starts with "9". frictionless-py tests only a first cell that is a string, so to
    it the row is data, below the minimum (pinned: the spec is followed)."""
    rows = [HEADER, *GOOD, [9, -5, "nio"]]
    descriptor = package(tmp_path, fmt, rows, {"commentChar": "9"})
    assert found(descriptor, fmt, engine, monkeypatch) == set()
    assert theirs(descriptor) == {("t", 5, "n", "constraint-minimum")}


@ENGINES
@pytest.mark.parametrize("fmt", SHEETS + STRUCTURED)
def test_header_false_reads_every_row_as_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, engine: str
) -> None:
    _mk(tmp_path)
    bad = package(tmp_path / "bad", fmt, BAD, {"header": False})
    good = package(tmp_path / "good", fmt, GOOD, {"header": False})
    assert found(bad, fmt, engine, monkeypatch) == bad_at(fmt, 0)
    assert found(good, fmt, engine, monkeypatch) == set()
    if fmt in STRUCTURED:  # frictionless-py reads it so too
        assert_as_frictionless(bad, monkeypatch)


#: Properties the spec does not list for the format, and a row each would give another role.
IGNORED = {
    "sheet-null-sequence": (SHEETS, {"nullSequence": "NA"}, [1, "NA", "ett"]),
    "json-comment-rows": (STRUCTURED, {"commentRows": [3]}, NOTE),
    "json-comment-char": (STRUCTURED, {"commentChar": "#"}, NOTE),
    "json-header-rows": (STRUCTURED, {"headerRows": [1, 2]}, HEADER),
    "json-null-sequence": (STRUCTURED, {"nullSequence": "NA"}, [1, "NA", "ett"]),
}


@ENGINES
@pytest.mark.parametrize(
    ("case", "fmt"), [(case, fmt) for case, (fmts, _, _) in IGNORED.items() for fmt in fmts]
)
def test_a_row_role_the_spec_does_not_apply_to_the_format_is_ignored_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, fmt: str, engine: str
) -> None:
    """The row that property would have given another role is data: checked, and failing;
    without such a row the table is valid. Either way one warning names the property."""
    _, dialect, row = IGNORED[case]
    _mk(tmp_path)
    bad = package(tmp_path / "bad", fmt, [HEADER, GOOD[0], row, *GOOD[1:]], dialect)
    good = package(tmp_path / "good", fmt, [HEADER, *GOOD], dialect)
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    for descriptor, valid in ((bad, False), (good, True)):
        report = validate(descriptor, use_default_checks=False)
        assert report.valid is valid
        (ignored,) = [f for f in report.findings if f.check == "dialect-not-applicable"]
        assert not ignored.is_error and next(iter(dialect)) in ignored.message
    assert (place(fmt, 2), "n" if "null" in case else "id") in {
        (where, column) for where, column, _ in found(bad, fmt, engine, monkeypatch)
    }


@pytest.mark.parametrize("fmt", STRUCTURED)
def test_frictionless_applies_comment_rows_to_json_rows_which_the_spec_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Pinned: frictionless-py 5.21 leaves the comment row out of a JSON table; the spec
    lists commentRows for CSV and spreadsheets only, so here it is data."""
    descriptor = package(tmp_path, fmt, [HEADER, GOOD[0], NOTE, *GOOD[1:]], {"commentRows": [3]})
    assert theirs(descriptor) == set()
    assert ours(descriptor, "0", monkeypatch) != set()


def test_header_false_on_rows_of_objects_is_ignored_where_frictionless_reads_the_keys_as_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Objects have no header row to leave out: their keys name the cells. frictionless-py
    reads the keys it takes as a header as one more data row (pinned)."""
    descriptor = write_descriptor(
        tmp_path, write_table(tmp_path, "json-objects", GOOD, dialect={"header": False})
    )
    for engine in ("1", "0"):
        monkeypatch.setenv(duckdb_engine.ENV, engine)
        report = validate(descriptor, use_default_checks=False)
        assert report.valid
        assert [f.check for f in report.findings] == ["dialect-not-applicable"]
    assert ("t", 2, "id", "type-error") in theirs(descriptor)


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "json-arrays", "inline-arrays"])
def test_load_and_connect_give_the_rows_validate_checked(tmp_path: Path, fmt: str) -> None:
    """A title row, the header on row 2 and a comment row (a sheet), or no header (JSON):
    `load()` and `connect()` give the data rows validate counted and checked, and no other."""
    from clusterdata.loading.api import connect, load

    dialect: dict[str, Any] = (
        {"headerRows": [2], "commentRows": [4]} if fmt in SHEETS else {"header": False}
    )
    rows = [TITLE, HEADER, GOOD[0], NOTE, *GOOD[1:]] if fmt in SHEETS else GOOD
    descriptor = package(tmp_path, fmt, rows, dialect)
    report = validate(descriptor, use_default_checks=False)
    assert report.valid and report.summary.rows == 3
    frame = load(descriptor)["t"]
    assert frame["id"].tolist() == [1, 2, 3]
    assert frame["n"].tolist() == [2, 0, 7]
    connection = connect(descriptor)
    try:
        assert connection.execute("SELECT id, n FROM t ORDER BY id").fetchall() == [
            (1, 2),
            (2, 0),
            (3, 7),
        ]
    finally:
        connection.close()


def _mk(tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir(exist_ok=True)
    (tmp_path / "good").mkdir(exist_ok=True)


#: Cells of random rows: numbers, text, a comment's "#" text, booleans, empty cells.
_CELLS = st.sampled_from([0, 1, 2, -1, "3", "x", "# not data", 1.5, True, None, ""])


@st.composite
def _roles(draw: Any) -> tuple[list[list[Any]], dict[str, Any]]:
    """A header row (the schema's, or not) somewhere among random rows, and a dialect naming
    its row and comment rows as frictionless-py reads them as the spec does (one header row,
    no header row shorter than another: `core.dialect`)."""
    rows = draw(st.lists(st.lists(_CELLS, max_size=4), max_size=6))
    dialect: dict[str, Any] = {}
    if draw(st.booleans()):
        dialect["header"] = False
    else:
        at = draw(st.integers(min_value=1, max_value=len(rows) + 1))
        rows.insert(at - 1, list(draw(st.sampled_from([HEADER, ["id", "n"], ["x", "n", "name"]]))))
        dialect["headerRows"] = [at]
    numbers = list(range(1, len(rows) + 1))
    comments = draw(st.lists(st.sampled_from(numbers), unique=True)) if numbers else []
    if comments:
        dialect["commentRows"] = sorted(comments)
    if draw(st.booleans()):
        dialect["commentChar"] = "#"
    return rows, dialect


@settings(
    max_examples=int(os.environ.get("CLUSTERDATA_FORMAT_EXAMPLES", "60")) // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(fmt=st.sampled_from(["xlsx", "ods"]), table=_roles())
def test_random_sheets_with_header_and_comment_rows_get_frictionless_py_findings(
    tmp_path_factory: pytest.TempPathFactory,
    fmt: str,
    table: tuple[list[list[Any]], dict[str, Any]],
) -> None:
    """Random rows with the header on a random row (or none), random comment rows and "#"
    comments, in a sheet: both engines report what frictionless-py reports, at its rows."""
    rows, dialect = table
    # With no header, a table whose every row is a comment is a table of no rows to the spec
    # (and to the CSV reader); frictionless-py reports it unreadable (`core.dialect`).
    commented = set(dialect.get("commentRows", []))
    char = dialect.get("commentChar")
    written = list(rows)
    while written and all(cell in (None, "") for cell in written[-1]):
        written.pop()  # a workbook holds no blank rows after its last row with a value
    comments = [
        number in commented or bool(char and row and str(row[0]).startswith(char))
        for number, row in enumerate(written, start=1)
    ]
    assume(dialect.get("header", True) or not all(comments))
    folder = tmp_path_factory.mktemp("roles")
    descriptor = write_descriptor(folder, write_rows(folder, fmt, rows, dialect=dialect))
    reference = _by_label_place(theirs(descriptor))
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _by_label_place(ours(descriptor, "0", monkeypatch)) == reference, "frictionless"
        assert _by_label_place(ours(descriptor, "1", monkeypatch)) == reference, "DuckDB"


def _by_label_place(found: Found) -> Found:
    """A label finding names the label as written; frictionless-py names the schema's field
    at that position (a known difference, README): label findings compare by line and kind."""
    return {
        (t, line, None if kind.endswith("label") else column, kind)
        for t, line, column, kind in found
    }
