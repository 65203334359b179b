"""Loading a package into DuckDB: types from the Table Schema, physical lines, locked access."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from fixtures.packages import write_package

from clusterdata.core.package import open_package
from clusterdata.loading import database as duck
from clusterdata.loading.database import LINE_COLUMN, LoadError, load_package, quote_ident
from clusterdata.validation.structure.run import check_structure

PEOPLE = {
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "n", "type": "integer"},
        {"name": "x", "type": "number"},
        {"name": "ok", "type": "boolean"},
        {"name": "day", "type": "date"},
        {"name": "y", "type": "year"},
    ],
    "primaryKey": ["id"],
}


def _load(folder: Path, **options: object):
    package = open_package(folder)
    return load_package(package, check_structure(package), **options)


def test_cells_are_cast_by_table_schema_rules_not_duckdbs_looser_casts(tmp_path: Path) -> None:
    text = (
        "id,n,x,ok,day,y\n"
        "a,12,3.5,true,2018-07-04,2018\n"
        "b,1987.5,1e3,1,2018-7-4,18\n"
        "c, 12,abc,yes,04/07/2018,2018.0\n"
        "d,1e3,-.5,FALSE,,\n"
    )
    write_package(tmp_path, {"people": (PEOPLE, text)})
    with _load(tmp_path) as db:
        rows = db.connection.execute(
            "SELECT id, n, x, ok, CAST(day AS VARCHAR), y FROM people ORDER BY id"
        ).fetchall()
    assert rows == [
        ("a", 12, 3.5, True, "2018-07-04", 2018),
        ("b", None, 1000.0, True, None, None),
        ("c", 12, None, None, None, None),  # " 12": XML Schema's blanks are dropped
        ("d", None, -0.5, False, None, None),
    ]


def test_declared_missing_values_become_null(tmp_path: Path) -> None:
    schema = {
        "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}],
        "missingValues": ["", "NA"],
    }
    write_package(tmp_path, {"t": (schema, "id,n\na,NA\nNA,3\nb,\n")})
    with _load(tmp_path) as db:
        rows = db.connection.execute("SELECT id, n FROM t").fetchall()
    assert rows == [("a", None), (None, 3), ("b", None)]


@pytest.fixture
def layer_1_in_frictionless(monkeypatch: pytest.MonkeyPatch) -> None:
    """Layer 3 reads a file itself (DuckDB's reader or the csv module) only where layer 1 did
    not load it into DuckDB already."""
    monkeypatch.setenv("CLUSTERDATA_FASTPATH", "0")


@pytest.mark.usefixtures("layer_1_in_frictionless")
def test_line_column_is_the_physical_line_after_a_cell_with_newlines(tmp_path: Path) -> None:
    text = 'id,note\na,"one\ntwo\nthree"\nb,plain\nc,"x\ny"\nd,last\n'
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "note", "type": "string"}]}
    write_package(tmp_path, {"notes": (schema, text)})
    with _load(tmp_path) as db:
        rows = db.connection.execute(
            f"SELECT id, {LINE_COLUMN} FROM notes ORDER BY {LINE_COLUMN}"
        ).fetchall()
        assert db.tables["notes"].reader == "duckdb"
    assert rows == [("a", 2), ("b", 5), ("c", 6), ("d", 8)]


@pytest.mark.usefixtures("layer_1_in_frictionless")
def test_blank_lines_and_ragged_rows_keep_their_physical_lines(tmp_path: Path) -> None:
    # DuckDB's reader skips blank lines and refuses ragged rows; the csv-module reader takes over.
    text = 'id,note\na,"multi\nline"\n\nb,short\nc\nd,x,extra\ne,end\n'
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "note", "type": "string"}]}
    write_package(tmp_path, {"notes": (schema, text)})
    with _load(tmp_path) as db:
        rows = db.connection.execute(
            f"SELECT id, note, {LINE_COLUMN} FROM notes ORDER BY {LINE_COLUMN}"
        ).fetchall()
        assert db.tables["notes"].reader == "python"
    assert rows == [
        ("a", "multi\nline", 2),
        ("b", "short", 5),
        ("c", None, 6),
        ("d", "x", 7),
        ("e", "end", 8),
    ]


def test_a_latin1_table_is_decoded_as_declared(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "name", "type": "string"}]}
    write_package(tmp_path, {"t": (schema, "")})
    (tmp_path / "t.csv").write_bytes("id,name\nx,Göteborg\n".encode("latin-1"))
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    descriptor["resources"][0]["encoding"] = "latin-1"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    with _load(tmp_path) as db:
        assert db.connection.execute("SELECT name FROM t").fetchall() == [("Göteborg",)]


def test_untrusted_table_and_column_names_are_quoted(tmp_path: Path) -> None:
    # Names a descriptor may legally use that are not plain SQL identifiers.
    schema = {
        "fields": [{"name": 'it"s; --', "type": "string"}, {"name": "select", "type": "integer"}]
    }
    write_package(
        tmp_path,
        {
            "select": (schema, '"it""s; --",select\na,1\n'),
            "order.items-2": (schema, '"it""s; --",select\nb,2\n'),
        },
    )
    with _load(tmp_path) as db:
        got = db.connection.execute(
            f'SELECT "it""s; --", "select" FROM {quote_ident("order.items-2")}'
        ).fetchall()
        assert got == [("b", 2)]
        assert db.connection.execute('SELECT * FROM "select"').fetchall()[0][:2] == ("a", 1)


def test_resources_named_like_the_loaders_own_tables_survive(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "id", "type": "string"}]}
    names = ["__clusterdata_raw", "__lines", "__raw_arrow", "temp", "main"]
    write_package(tmp_path, {name: (schema, f"id\n{name}\n\n") for name in names})
    with _load(tmp_path) as db:
        for name in names:
            assert db.connection.execute(
                f"SELECT id, {LINE_COLUMN} FROM main.{quote_ident(name)}"
            ).fetchall() == [(name, 2)]


def test_external_access_is_off_after_loading(tmp_path: Path) -> None:
    write_package(tmp_path, {"people": (PEOPLE, "id,n,x,ok,day,y\na,1,1,true,2020-01-01,2020\n")})
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with _load(tmp_path) as db:
        with pytest.raises(duckdb.PermissionException):
            db.connection.execute(f"SELECT * FROM read_csv('{secret}')").fetchall()
        with pytest.raises(duckdb.PermissionException):
            db.connection.execute(f"SELECT * FROM '{secret}'").fetchall()
        with pytest.raises(duckdb.PermissionException):
            db.connection.execute(f"COPY people TO '{tmp_path / 'out.csv'}'").fetchall()
        with pytest.raises(duckdb.Error, match="locked"):
            db.connection.execute("SET enable_external_access = true").fetchall()
    assert not (tmp_path / "out.csv").exists()


def test_declared_keys_become_duckdb_constraints(tmp_path: Path) -> None:
    parent = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
    child = {
        "fields": [{"name": "id", "type": "string"}, {"name": "parent", "type": "string"}],
        "primaryKey": ["id"],
        "foreignKeys": [
            {"fields": ["parent"], "reference": {"resource": "parent", "fields": ["id"]}}
        ],
    }
    # The child comes first in the descriptor: the loader orders tables by their references.
    write_package(
        tmp_path, {"child": (child, "id,parent\nc1,p1\nc2,\n"), "parent": (parent, "id\np1\n")}
    )
    package = open_package(tmp_path)
    with load_package(package, lines=False, declare_keys=True) as db:
        kinds = sorted(
            r[0]
            for r in db.connection.execute(
                "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'child'"
            ).fetchall()
        )
        assert "FOREIGN KEY" in kinds and "PRIMARY KEY" in kinds
        assert db.tables["child"].line_column is None


def test_data_breaking_a_declared_key_raises_load_error(tmp_path: Path) -> None:
    parent = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
    write_package(tmp_path, {"parent": (parent, "id\np1\np1\n")})
    with pytest.raises(LoadError, match="parent"):
        load_package(open_package(tmp_path), declare_keys=True)


REUSE_CASES = {
    "casts": (
        PEOPLE,
        "id,n,x,ok,day,y\na,12,3.5,true,2018-07-04,2018\nb,1987.5,1e3,1,2018-7-4,18\n"
        "c, 12,abc,yes,04/07/2018,2018.0\nd,1e3,-.5,FALSE,,\n",
    ),
    "missing": (
        {
            "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}],
            "missingValues": ["", "NA"],
        },
        "id,n\na,NA\nNA,3\nb,\n",
    ),
    "no-empty-missing": (
        {
            "fields": [{"name": "id", "type": "string"}, {"name": "s", "type": "string"}],
            "missingValues": ["-"],
        },
        'id,s\na,\nb,""\n-,x\nc\n',
    ),
    "ragged": (
        {"fields": [{"name": "id", "type": "string"}, {"name": "note", "type": "string"}]},
        'id,note\na,"multi\nline"\n\nb,short\nc\nd,x,extra\n,\ne,end\n',
    ),
}


@pytest.mark.parametrize("case", sorted(REUSE_CASES))
def test_tables_reused_from_the_fast_path_equal_those_read_from_the_file(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema, text = REUSE_CASES[case]
    write_package(tmp_path, {"t": (schema, text)})
    got = {}
    for mode in ("0", "1"):
        monkeypatch.setenv("CLUSTERDATA_FASTPATH", mode)
        package = open_package(tmp_path)
        structure = check_structure(package)
        try:
            with load_package(package, structure) as db:
                got[mode] = db.connection.execute(
                    f"SELECT * FROM t ORDER BY {LINE_COLUMN}"
                ).fetchall()
                assert db.tables["t"].reader == (
                    "fastpath" if mode == "1" else db.tables["t"].reader
                )
        finally:
            structure.close()
    assert got["1"] == got["0"]


def test_a_reused_connection_is_left_to_its_owner_and_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERDATA_FASTPATH", "1")
    write_package(tmp_path, {"people": (PEOPLE, "id,n,x,ok,day,y\na,1,1,true,2020-01-01,2020\n")})
    package = open_package(tmp_path)
    structure = check_structure(package)
    assert structure.fast is not None
    with load_package(package, structure) as db:
        assert db.connection is structure.fast.connection
        with pytest.raises(duckdb.PermissionException):
            db.connection.execute(f"SELECT * FROM read_csv('{tmp_path / 'people.csv'}')").fetchall()
    # closing the loaded package dropped its typed tables but kept the owner's connection
    assert structure.fast.connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
    ).fetchall() == [(0,)]
    assert structure.fast.connection.execute(
        "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
    ).fetchall() == [(0,)]
    # a second load cannot read files through the locked connection: it reads on its own
    with load_package(package, structure) as again:
        assert again.connection is not structure.fast.connection
        assert again.connection.execute("SELECT id FROM people").fetchall() == [("a",)]
    structure.close()
    structure.close()  # twice is harmless


@pytest.mark.parametrize("most", [0, 2, 256])
def test_lines_after_many_multiline_records_match_the_file_either_way_they_are_computed(
    most: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines from the record number (a CASE over the multi-line records) or, past `most`
    such records, from a join with the line map: both give every record's first line."""
    from clusterdata.validation.structure import duckdb_engine as fastpath

    original = fastpath.FastTable.line_sql
    monkeypatch.setattr(
        fastpath.FastTable, "line_sql", lambda self, rn, most=most: original(self, rn, most)
    )
    monkeypatch.setenv("CLUSTERDATA_FASTPATH", "1")
    monkeypatch.setattr(duck, "MATERIALIZE_MAX_RECORDS", 0)  # a small table would be copied
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "note", "type": "string"}]}
    rows, expected, line = [], [], 2
    for i in range(9):
        breaks = i % 3
        rows.append(f'r{i},"{"x" + chr(10) * breaks}y"')
        expected.append((f"r{i}", line))
        line += 1 + breaks
    write_package(tmp_path, {"t": (schema, "id,note\n" + "\n".join(rows) + "\n")})
    package = open_package(tmp_path)
    structure = check_structure(package)
    try:
        with load_package(package, structure) as db:
            assert db.tables["t"].view == (most >= 6)
            got = db.connection.execute(f"SELECT id, {LINE_COLUMN} FROM t ORDER BY id").fetchall()
    finally:
        structure.close()
    assert got == expected


@pytest.mark.parametrize("limit", [0, 10])
def test_a_small_fast_path_table_is_copied_and_a_large_one_viewed_with_the_same_rows(
    limit: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small tables are copied (queries over them skip binding the casts each time), large ones
    stay views; either way layer 3 sees the same typed rows and lines."""
    monkeypatch.setenv("CLUSTERDATA_FASTPATH", "1")
    monkeypatch.setattr(duck, "MATERIALIZE_MAX_RECORDS", limit)
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}]}
    write_package(tmp_path, {"t": (schema, 'id,n\na,1\n"b\nc",2\nd,\n')})
    package = open_package(tmp_path)
    structure = check_structure(package)
    try:
        with load_package(package, structure) as db:
            assert db.tables["t"].view == (limit == 0)
            got = db.connection.execute(
                f"SELECT id, n, {LINE_COLUMN} FROM t ORDER BY id"
            ).fetchall()
    finally:
        structure.close()
    assert got == [("a", 1, 2), ("b\nc", 2, 3), ("d", None, 5)]
