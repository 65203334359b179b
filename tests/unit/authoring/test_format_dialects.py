"""`clusterdata format` and `validate --base` row changes on a table with a dialect: the file's
dialect is kept (no header row for `header: false`, header and comment rows above the data as
written, the null sequence as written), or the file is refused with a located reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fixtures.packages import write_dialect_package

from clusterdata.authoring.canonical import canonicalize, format_package
from clusterdata.authoring.rowchanges import compare_tables
from clusterdata.core.package import open_package
from clusterdata.validation.pipeline import validate

SCHEMA = {
    "fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}],
    "primaryKey": ["id"],
}


def _package(folder: Path, text: str, dialect: dict[str, Any]) -> Path:
    return write_dialect_package(folder, SCHEMA, text, dialect)


def test_format_keeps_a_table_without_a_header_without_one(tmp_path: Path) -> None:
    descriptor = _package(tmp_path, "2, b \n1,a\n", {"header": False})
    outcome = format_package(open_package(descriptor))
    assert not outcome.refused
    assert (tmp_path / "t.csv").read_bytes() == b"1,a\n2,b\n"
    assert validate(descriptor, use_default_checks=False).valid


def test_format_keeps_header_and_comment_rows_above_the_data_as_written(tmp_path: Path) -> None:
    text = "Made by hand\r\n# sorted by id\r\nid,name\r\n2,b\r\n1,a\r\n"
    dialect = {"headerRows": [3], "commentChar": "#"}
    descriptor = _package(tmp_path, text, dialect)
    outcome = format_package(open_package(descriptor))
    assert not outcome.refused
    written = (tmp_path / "t.csv").read_bytes()
    assert written == b"Made by hand\n# sorted by id\nid,name\n1,a\n2,b\n"
    assert validate(descriptor, use_default_checks=False).valid
    assert canonicalize(open_package(descriptor).resources[0]).data == written  # idempotent


def test_format_keeps_the_null_sequence_as_written(tmp_path: Path) -> None:
    descriptor = _package(tmp_path, "id,name\n2,NA\n1,a\n", {"nullSequence": "NA"})
    format_package(open_package(descriptor))
    assert (tmp_path / "t.csv").read_bytes() == b"id,name\n1,a\n2,NA\n"


def test_format_refuses_to_move_a_comment_row_among_the_data(tmp_path: Path) -> None:
    text = "id,name\n2,b\n# about 1\n1,a\n"
    descriptor = _package(tmp_path, text, {"commentChar": "#"})
    outcome = format_package(open_package(descriptor))
    [refusal] = outcome.refused
    assert (refusal.check, refusal.line) == ("format-refused", 3)
    assert (tmp_path / "t.csv").read_text("utf-8") == text  # left as it was


def test_format_refuses_to_trim_a_cell_into_the_null_sequence(tmp_path: Path) -> None:
    text = "id,name\n1, NA\n"
    descriptor = _package(tmp_path, text, {"nullSequence": "NA"})
    outcome = format_package(open_package(descriptor))
    [refusal] = outcome.refused
    assert (refusal.check, refusal.line, refusal.value) == ("format-refused", 2, " NA")
    assert (tmp_path / "t.csv").read_text("utf-8") == text


def test_base_row_changes_read_a_table_without_a_header_as_data(tmp_path: Path) -> None:
    """`validate --base`: the base's row 1 is data, so removing it is a removed row at its
    line on the base side (before, the first row was taken for a header and nothing was
    compared)."""
    base = _package(tmp_path / "base", "1,a\n2,b\n", {"header": False})
    new = _package(tmp_path / "new", "2,b\n", {"header": False})
    findings = compare_tables(open_package(new), open_package(base), set(), set())
    [removed] = [f for f in findings if f.check == "breaking-change"]
    assert (removed.line, removed.value) == (1, "1")
    assert "removed" in removed.message


def test_base_row_changes_skip_comment_rows(tmp_path: Path) -> None:
    dialect = {"commentChar": "#"}
    base = _package(tmp_path / "base", "id,name\n# note\n1,a\n2,b\n", dialect)
    new = _package(tmp_path / "new", "id,name\n# another note\n1,a\n2,b\n", dialect)
    findings = compare_tables(open_package(new), open_package(base), set(), set())
    assert [f for f in findings if f.check == "breaking-change"] == []
