"""CSV dialects as the Table Dialect spec says (https://datapackage.org/standard/table-dialect/):
header rows, headerJoin, comment rows and characters, nullSequence. Each is checked on both
layer-1 engines, located at the physical line of the file, and compared with frictionless-py's
own report on the same file; where frictionless-py reads a dialect otherwise than the spec, the
spec is followed (`core/dialect.py`) and frictionless-py's reading is pinned here.

The fixtures hold no quoted line breaks, so frictionless-py's row n is line n of the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.engines import structure_findings
from fixtures.packages import write_dialect_package, write_package

import clusterdata
from clusterdata.core.package import open_package
from clusterdata.loading.api import DataError
from clusterdata.validation.pipeline import table_schema_kind, validate
from clusterdata.validation.structure import duckdb_engine
from clusterdata.validation.structure.run import check_structure

ENGINES = pytest.mark.parametrize("engine", ["1", "0"], ids=["duckdb", "frictionless"])
SCHEMA = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}]}


def _package(
    tmp_path: Path, text: str, dialect: dict[str, Any], schema: dict[str, Any] | None = None
) -> Path:
    return write_dialect_package(tmp_path, schema or SCHEMA, text, dialect)


def ours(descriptor: Path, engine: str) -> set[tuple[int | None, str | None, str]]:
    return {
        (f.line, f.column, f.check)
        for f in structure_findings(descriptor, engine)
        if f.is_error and table_schema_kind(f.check)
    }


def theirs(descriptor: Path) -> set[tuple[int | None, str | None, str]]:
    """frictionless-py's report on the file with its dialect (row n is line n here), told the
    spec's default header row where the dialect names none (else it guesses one from row widths:
    `tests/contract/test_differential.py::test_header_is_line_one_when_the_dialect_is_silent`)."""
    from frictionless import Package

    data = json.loads(descriptor.read_text("utf-8"))
    dialect = data["resources"][0].setdefault("dialect", {})
    if "header" not in dialect:
        dialect.setdefault("headerRows", [1])
    report = Package(data, basepath=str(descriptor.parent)).validate(limit_errors=10**9)
    found = set()
    for error in report.tasks[0].errors:
        data = error.to_descriptor()
        kind = str(data["type"])
        if kind.endswith("label"):
            found.add((1, data.get("label"), kind))
        else:
            found.add((data.get("rowNumber"), data.get("fieldName"), kind))
    return found


# --- what frictionless-py and the spec agree on -------------------------------------------------

AGREED = {
    "comment-char": (
        {"commentChar": "#"},
        "id,n\n# a note, with a comma\na,1\n#x\nb,x\n",
        "id,n\n# a note, with a comma\na,1\n#x\nb,2\n",
        {(5, "n", "type-error")},
    ),
    "comment-rows": (
        {"commentRows": [3]},
        "id,n\na,1\na note\nb,x\n",
        "id,n\na,1\na note\nb,2\n",
        {(4, "n", "type-error")},
    ),
    "header-on-row-2": (
        {"headerRows": [2]},
        "A title\nid,n\na,1\nb,x\n",
        "A title\nid,n\na,1\nb,2\n",
        {(4, "n", "type-error")},
    ),
    "header-over-two-rows": (
        {"headerRows": [1, 2], "headerJoin": " "},
        "the,the\nid,n\na,1\nb,x\n",
        "the,the\nid,n\na,1\nb,2\n",
        {(4, "the n", "type-error")},
    ),
}


def _schema_for(name: str) -> dict[str, Any]:
    if name != "header-over-two-rows":
        return SCHEMA
    return {"fields": [{"name": "the id", "type": "string"}, {"name": "the n", "type": "integer"}]}


@ENGINES
@pytest.mark.parametrize("name", sorted(AGREED))
def test_a_dialect_error_is_reported_at_its_line_as_frictionless_py_reports_it(
    tmp_path: Path, engine: str, name: str
) -> None:
    dialect, failing, _, expected = AGREED[name]
    descriptor = _package(tmp_path, failing, dialect, _schema_for(name))
    assert ours(descriptor, engine) == expected
    assert theirs(descriptor) == expected  # frictionless-py agrees


@ENGINES
@pytest.mark.parametrize("name", sorted(AGREED))
def test_a_table_valid_in_its_dialect_is_valid(tmp_path: Path, engine: str, name: str) -> None:
    dialect, _, passing, _ = AGREED[name]
    descriptor = _package(tmp_path, passing, dialect, _schema_for(name))
    assert ours(descriptor, engine) == set()
    assert theirs(descriptor) == set()


@ENGINES
def test_a_wrong_label_in_a_header_on_row_2_is_reported_on_line_2(
    tmp_path: Path, engine: str
) -> None:
    descriptor = _package(tmp_path, "A title\nid,m\na,1\n", {"headerRows": [2]})
    assert ours(descriptor, engine) == {(2, "m", "incorrect-label")}


@ENGINES
def test_comment_lines_count_in_the_lines_of_later_errors_and_rows(
    tmp_path: Path, engine: str
) -> None:
    text = "# made by hand\nid,n\n# first block\na,1\n\n#\nb,x\n"
    descriptor = _package(tmp_path, text, {"commentChar": "#", "headerRows": [2]})
    assert ours(descriptor, engine) == {(5, None, "blank-row"), (7, "n", "type-error")}
    result = check_structure(open_package(descriptor))
    result.close()
    assert result.rows["t"] == 3  # a, the blank row and b: comments and the title are no rows


@ENGINES
def test_the_duckdb_engine_hands_a_dialect_with_comments_to_the_frictionless_engine(
    tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DuckDB engine reads plain CSV only (`duckdb_engine.records._plain_resource`): a
    table whose rows are not all records is checked by the frictionless engine, whatever
    `CLUSTERDATA_FASTPATH` says."""
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    descriptor = _package(tmp_path, "id,n\n#x\na,1\n", {"commentChar": "#"})
    plain = _package(tmp_path / "plain", "id,n\na,1\n", {})
    result = check_structure(open_package(descriptor))
    result.close()
    assert result.checked_in_duckdb == set()
    result = check_structure(open_package(plain))
    result.close()
    assert result.checked_in_duckdb == ({"t"} if engine == "1" else set())


# --- where the spec and frictionless-py disagree: the spec is followed ---------------------------


@ENGINES
def test_a_header_row_with_fewer_cells_lends_its_last_cell_as_in_the_spec_example(
    tmp_path: Path, engine: str
) -> None:
    """The spec's `headerRows` example: the file `fruit` / `id,name` / `1,apple` read with
    `"headerRows": [1, 2]` "SHOULD output ... {"fruit id": 1, "fruit name": "apple"}".
    frictionless-py labels the second column "name" alone, so it reports a wrong label."""
    schema = {
        "fields": [
            {"name": "fruit id", "type": "integer"},
            {"name": "fruit name", "type": "string"},
        ]
    }
    descriptor = _package(
        tmp_path, "fruit\nid,name\n1,apple\n2,orange\n", {"headerRows": [1, 2]}, schema
    )
    assert ours(descriptor, engine) == set()
    assert clusterdata.load(descriptor)["t"].to_dict("list") == {
        "fruit id": [1, 2],
        "fruit name": ["apple", "orange"],
    }
    assert theirs(descriptor) == {(1, "name", "incorrect-label")}  # frictionless-py's reading


@ENGINES
def test_header_join_joins_equal_cells_too(tmp_path: Path, engine: str) -> None:
    """ "headerJoin ... specifies how multiline-header files have to join the resulting header
    rows": with "-" the rows `a,b` and `a,c` give "a-a" and "b-c". frictionless-py drops a
    cell equal to the one above it and labels the first column "a"."""
    schema = {"fields": [{"name": "a-a", "type": "string"}, {"name": "b-c", "type": "integer"}]}
    dialect = {"headerRows": [1, 2], "headerJoin": "-"}
    descriptor = _package(tmp_path, "a,b\na,c\nx,1\ny,z\n", dialect, schema)
    assert ours(descriptor, engine) == {(4, "b-c", "type-error")}
    assert (1, "a", "incorrect-label") in theirs(descriptor)  # frictionless-py's reading


@ENGINES
def test_a_comment_is_told_by_the_rows_first_characters_as_written(
    tmp_path: Path, engine: str
) -> None:
    """ "commentChar ... specifies what rows have to be omitted from the data based on the
    row's first characters": the row `"#a",x` begins with a quote, so it is data (and its `x`
    a type error). frictionless-py tests the first parsed cell, `#a`, and skips the row."""
    descriptor = _package(tmp_path, 'id,n\n"#a",x\n#b,y\n', {"commentChar": "#"})
    assert ours(descriptor, engine) == {(2, "n", "type-error")}
    assert theirs(descriptor) == set()  # frictionless-py's reading


@ENGINES
def test_the_null_sequence_is_a_missing_value(tmp_path: Path, engine: str) -> None:
    """`nullSequence` "specifies the null sequence"; the spec's example reads `NA` as null.
    frictionless-py ignores the property and reports `NA` as an integer's type error."""
    descriptor = _package(tmp_path, "id,n\na,NA\nb,1\n", {"nullSequence": "NA"})
    assert ours(descriptor, engine) == set()
    assert theirs(descriptor) == {(2, "n", "type-error")}  # frictionless-py's reading
    frame = clusterdata.load(descriptor)["t"]
    assert frame["n"].isna().tolist() == [True, False]


@ENGINES
def test_a_null_sequence_in_a_required_field_is_a_missing_required_value(
    tmp_path: Path, engine: str
) -> None:
    schema = {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True}},
            {"name": "n", "type": "integer"},
        ]
    }
    descriptor = _package(tmp_path, "id,n\n\\N,1\nb,2\n", {"nullSequence": "\\N"}, schema)
    assert ours(descriptor, engine) == {(2, "id", "constraint-required")}


@ENGINES
def test_double_quote_false_reads_two_quotes_as_two(tmp_path: Path, engine: str) -> None:
    """ "doubleQuote ... If true, two consecutive quotes are interpreted as one": here false,
    so `"a""b"` is not the cell `a"b`; with `maxLength` 3 the cell the csv module reads
    (`a"b"`) is too long. frictionless-py reads the file with doubleQuote on (`a"b`)."""
    schema = {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"maxLength": 3}},
            {"name": "n", "type": "integer"},
        ]
    }
    descriptor = _package(tmp_path, 'id,n\n"a""b",1\n', {"doubleQuote": False}, schema)
    assert ours(descriptor, engine) == {(2, "id", "constraint-max-length")}
    assert theirs(descriptor) == set()  # frictionless-py's reading


# --- what cannot be followed is an error, never a "valid" -----------------------------------------


@ENGINES
@pytest.mark.parametrize(
    ("dialect", "named"),
    [
        ({"delimiter": ";;"}, "delimiter"),
        ({"lineTerminator": ";"}, "lineTerminator"),
        ({"headerRows": [2, 1]}, "headerRows"),
        ({"headerRows": "1"}, "headerRows"),
        ({"commentRows": [0]}, "commentRows"),
        ({"commentChar": ""}, "commentChar"),
        ({"quoteChar": ""}, "quoteChar"),
        ({"nullSequence": 0}, "nullSequence"),
    ],
)
def test_a_dialect_that_cannot_be_followed_is_an_error_never_a_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, dialect: dict, named: str
) -> None:
    descriptor = _package(tmp_path, "id,n\na,1\n", dialect)
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(descriptor, use_default_checks=False)
    assert not report.valid
    [finding] = [f for f in report.findings if f.is_error]
    assert (finding.check, finding.path) == ("unsupported-dialect", "t.csv")
    assert named in finding.message and finding.hint


# --- every reader follows the dialect ----------------------------------------------------------


def test_load_and_connect_read_only_the_data_rows(tmp_path: Path) -> None:
    text = "Fruit list\n# by hand\nid,n\na,1\n# more\nb,NA\n"
    dialect = {"headerRows": [3], "commentChar": "#", "nullSequence": "NA"}
    descriptor = _package(tmp_path, text, dialect)
    assert clusterdata.load(descriptor)["t"].to_dict("list")["id"] == ["a", "b"]
    connection = clusterdata.connect(descriptor)
    try:
        assert connection.execute("SELECT id, n FROM t ORDER BY id").fetchall() == [
            ("a", 1),
            ("b", None),
        ]
    finally:
        connection.close()


def test_load_locates_a_bad_cell_at_its_physical_line(tmp_path: Path) -> None:
    descriptor = _package(
        tmp_path, "A title\nid,n\n#\na,x\n", {"headerRows": [2], "commentChar": "#"}
    )
    with pytest.raises(DataError) as raised:
        clusterdata.load(descriptor)
    assert (raised.value.line, raised.value.column, raised.value.value) == (4, "n", "x")


def test_validate_counts_rows_and_layer_two_lines_in_the_dialect(tmp_path: Path) -> None:
    """The whole pipeline (layers 1 to 3) on a table with a title and comments: one error, at
    its own line, and the data rows counted."""
    text = "A title\nid,n\n# note\na,1\nb,x\n"
    descriptor = _package(tmp_path, text, {"headerRows": [2], "commentChar": "#"})
    report = validate(descriptor)
    assert [(f.line, f.column, f.check) for f in report.findings if f.is_error] == [
        (5, "n", "type-error")
    ]
    assert report.summary.rows_per_table == {"t": 2}


def test_stats_count_the_data_rows_of_a_table_with_a_title_and_comments(tmp_path: Path) -> None:
    """`clusterdata stats` reads through the same records reader: the title, header and
    comment rows are no rows, the null sequence no value."""
    from clusterdata.release.stats import compute

    text = "A title\nid,n\n# note\na,1\nb,NA\n"
    dialect = {"headerRows": [2], "commentChar": "#", "nullSequence": "NA"}
    stats = compute(open_package(_package(tmp_path, text, dialect)))
    assert stats.tables == {"t": 2}


@ENGINES
def test_a_dangling_reference_from_a_table_with_comments_is_reported_at_its_line(
    tmp_path: Path, engine: str
) -> None:
    """A foreign key from a table read as its records (comment rows) into a plain table: both
    tables go to the frictionless engine together, and the bad reference keeps its line."""
    parent = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
    child = {
        "fields": [{"name": "cid", "type": "string"}, {"name": "parent", "type": "string"}],
        "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "p", "fields": ["id"]}}],
    }
    descriptor = write_package(
        tmp_path, {"p": (parent, "id\na\nb\n"), "c": (child, "cid,parent\n# x\nc1,a\nc2,z\n")}
    )
    data = json.loads(descriptor.read_text("utf-8"))
    data["resources"][1]["dialect"] = {"commentChar": "#"}
    descriptor.write_text(json.dumps(data), "utf-8")
    found = {
        (f.resource, f.line, f.column, f.check)
        for f in structure_findings(descriptor, engine)
        if f.is_error
    }
    assert found == {("c", 4, "parent", "foreign-key")}


#: A `;`-separated file (Swedish Excel's "CSV") whose header is not on line 1: a title line,
#: a comment line or two come first; the dialect says so.
SEPARATED_LATER = {
    "title-row": ("Kluster 2026\nid;n\na;1\nb;2\n", {"headerRows": [2]}, 2),
    "comment-char": (
        "# export 2026-12-03\nid;n\na;1\nb;2\n",
        {"headerRows": [2], "commentChar": "#"},
        2,
    ),
    "two-title-rows": ("Kluster\n2026\nid;n\na;1\nb;2\n", {"headerRows": [3]}, 3),
}


@ENGINES
@pytest.mark.parametrize("case", list(SEPARATED_LATER))
def test_a_wrong_separator_is_found_in_a_header_that_is_not_on_line_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, engine: str
) -> None:
    """The separator check reads the header as every layer does (`lines.Records`), so the
    header on line 2 is the one sniffed: one error at its line, not a label error per column
    and a type error per row."""
    text, dialect, line = SEPARATED_LATER[case]
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    report = validate(_package(tmp_path, text, dialect), use_default_checks=False)
    assert [(f.check, f.line, f.value) for f in report.findings] == [
        ("wrong-separator", line, "id;n")
    ]
    assert "semicolon" in report.findings[0].message


@ENGINES
@pytest.mark.parametrize("case", list(SEPARATED_LATER))
def test_a_declared_separator_with_the_header_not_on_line_one_is_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, engine: str
) -> None:
    text, dialect, _ = SEPARATED_LATER[case]
    monkeypatch.setenv(duckdb_engine.ENV, engine)
    descriptor = _package(tmp_path, text, {**dialect, "delimiter": ";"})
    report = validate(descriptor, use_default_checks=False)
    assert report.valid and [f.check for f in report.findings if f.is_error] == []
