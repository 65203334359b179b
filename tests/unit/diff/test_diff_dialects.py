"""`clusterdata diff` reads a table's rows as validation does, in any dialect: a table without
a header row, and one with comment rows, compare their data rows only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fixtures.packages import write_dialect_package

from clusterdata.core.package import open_package
from clusterdata.diff import diff_packages

SCHEMA = {
    "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}],
    "primaryKey": ["id"],
}


def _package(folder: Path, text: str, dialect: dict[str, Any]) -> Path:
    return write_dialect_package(folder, SCHEMA, text, dialect)


def _table(tmp_path: Path, old: str, new: str, dialect: dict[str, Any]) -> Any:
    _package(tmp_path / "old", old, dialect)
    _package(tmp_path / "new", new, dialect)
    diff = diff_packages(open_package(tmp_path / "old"), open_package(tmp_path / "new"))
    return next(t for t in diff.tables if t.name == "t")


def test_diff_reads_every_record_of_a_table_without_a_header_as_a_row(tmp_path: Path) -> None:
    table = _table(tmp_path, "a,1\nb,2\n", "a,1\nb,3\nc,4\n", {"header": False})
    assert (table.rows_old, table.rows_new) == (2, 3)
    assert [r.key_text for r in table.added] == ["c"]
    [changed] = table.modified
    assert [(c.field, c.old, c.new) for c in changed.changes] == [("n", "2", "3")]


def test_diff_ignores_comment_and_title_rows(tmp_path: Path) -> None:
    dialect = {"headerRows": [2], "commentChar": "#"}
    old = "Title 2025\nid,n\n# a note\na,1\n"
    new = "Title 2026\nid,n\n# another note\na,1\n#\n"
    table = _table(tmp_path, old, new, dialect)
    assert (table.rows_old, table.rows_new) == (1, 1)
    assert not (table.added or table.removed or table.modified)


def test_diff_reads_the_null_sequence_as_missing(tmp_path: Path) -> None:
    table = _table(tmp_path, "id,n\na,\n", "id,n\na,NA\n", {"nullSequence": "NA"})
    assert not table.modified
