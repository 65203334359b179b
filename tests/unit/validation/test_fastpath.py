"""The DuckDB fast path of layer 1: frictionless's meaning, DuckDB's speed, physical lines.

Each test forces the fast path on a tiny package, pins the findings it must give, and checks
they are the ones the frictionless path gives (same check, line and column). Most tests run
as their tiny tables are checked and as large files would be (`route`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixtures.packages import write_package

from clusterdata.core.package import Resource, open_package
from clusterdata.tableschema.model import Field
from clusterdata.validation.structure import duckdb_engine as fastpath
from clusterdata.validation.structure.run import check_structure

Found = set[tuple[int | None, str | None, str]]
CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"


def as_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check tiny tables the way large ones are: suspects filtered in SQL, keys compared in
    DuckDB, files read on a thread keeping rejects."""
    monkeypatch.setattr(fastpath.check, "SMALL_ROWS", -1)
    monkeypatch.setattr(fastpath.reads, "BACKGROUND_BYTES", 0)


@pytest.fixture(params=["small", "large", "many"])
def route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test as its tiny tables are checked, as if they were large, and as if they also
    had many skipped and multi-line records (rows numbered by a join, quoted line breaks
    summed in SQL)."""
    if request.param != "small":
        as_large(monkeypatch)
    if request.param == "many":
        monkeypatch.setattr(fastpath.reads, "STEP_LIMIT", 0)
        monkeypatch.setattr(fastpath.reads, "MULTILINE_ROWS", 0)
    return str(request.param)


@pytest.fixture
def used(monkeypatch: pytest.MonkeyPatch, route: str) -> list[str]:
    """Names of the tables the fast path checked (it may fall back to frictionless)."""
    names: list[str] = []
    original = fastpath.check_group

    def spy(package, prepared, usable, result):  # type: ignore[no-untyped-def]
        found = original(package, prepared, usable, result)
        names.extend(p.resource.name for p in prepared)
        return found

    monkeypatch.setattr(fastpath, "check_group", spy)
    return names


def run(descriptor: Path, monkeypatch: pytest.MonkeyPatch, mode: str = "1") -> Found:
    monkeypatch.setenv(fastpath.ENV, mode)
    result = check_structure(open_package(descriptor))
    return {(f.line, f.column, f.check) for f in result.findings if f.is_error}


def both(descriptor: Path, monkeypatch: pytest.MonkeyPatch) -> Found:
    fast = run(descriptor, monkeypatch, "1")
    assert fast == run(descriptor, monkeypatch, "0")
    return fast


def test_each_name_the_tests_patch_lives_only_in_the_module_that_reads_it() -> None:
    """`as_large`, `route` and the tests below patch these names in a submodule; a copy of one
    elsewhere in the package (`from … import NAME`) would take a patch without effect."""
    import importlib
    import pkgutil

    owners = {
        "SMALL_ROWS": fastpath.check,
        "BACKGROUND_BYTES": fastpath.reads,
        "STEP_LIMIT": fastpath.reads,
        "MULTILINE_ROWS": fastpath.reads,
        "CHUNK_BYTES": fastpath.records,
        "_breaks": fastpath.reads,
    }
    modules = [fastpath] + [
        importlib.import_module(f"{fastpath.__name__}.{info.name}")
        for info in pkgutil.iter_modules(fastpath.__path__)
    ]
    for name, owner in owners.items():
        holders = [module.__name__ for module in modules if name in vars(module)]
        assert holders == [owner.__name__], name


INT = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
    ]
}


def test_integer_lookalikes_are_type_errors_as_in_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    text = "id,n\n1,1987.5\n2,1e3\n3, 12\n4,+5\n5,0x10\n6,-1\n7,\n"
    found = both(write_package(tmp_path, {"t": (INT, text)}), monkeypatch)
    assert found == {
        (2, "n", "type-error"),
        (3, "n", "type-error"),
        (6, "n", "type-error"),
        (7, "n", "constraint-minimum"),
    }
    assert used == ["t"]


def test_defect_after_a_quoted_line_break_is_reported_at_its_physical_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {"fields": [{"name": "text", "type": "string"}, {"name": "year", "type": "integer"}]}
    text = 'text,year\n"två\nrader",2001\nok,nittio\n'
    assert both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch) == {
        (4, "year", "type-error")
    }
    assert used == ["t"]


def test_ragged_rows_report_missing_and_extra_cells_with_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [
            {"name": "a", "type": "string"},
            {"name": "b", "type": "string", "constraints": {"required": True}},
        ]
    }
    text = 'a,b\nx,y\nonly\n"p\nq",r,extra\nz,w\n'
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert (3, "b", "missing-cell") in found
    assert (3, "b", "constraint-required") in found
    assert (4, "(column 3)", "extra-cell") in found
    assert used == ["t"]


def test_blank_line_is_a_blank_row_and_an_empty_primary_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}],
        "primaryKey": ["id"],
    }
    text = "id,n\na,1\n\nb,2\n,\n"
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert {
        (3, None, "blank-row"),
        (3, "id", "primary-key"),
        (5, None, "blank-row"),
        (5, "id", "primary-key"),
    } <= found
    assert used == ["t"]


def test_every_repeated_key_is_reported_and_01_repeats_1_for_integers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "code", "type": "string", "constraints": {"unique": True}},
        ],
        "primaryKey": ["id"],
    }
    text = "id,code\n1,a\n01,b\n2,a\n1,a\n"
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert {
        (3, "id", "primary-key"),
        (5, "id", "primary-key"),
        (4, "code", "unique-error"),
        (5, "code", "unique-error"),
    } == found
    assert used == ["t"]


def test_dangling_foreign_key_is_reported_and_missing_reference_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    regions = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
    clusters = {
        "fields": [{"name": "id", "type": "string"}, {"name": "region", "type": "string"}],
        "foreignKeys": [
            {"fields": ["region"], "reference": {"resource": "regions", "fields": ["id"]}}
        ],
    }
    descriptor = write_package(
        tmp_path,
        {
            "regions": (regions, "id\nSE-S\nSE-T\n"),
            "clusters": (clusters, "id,region\na,SE-S\nb,SE-XX\nc,\nd,SE-T\n"),
        },
    )
    assert both(descriptor, monkeypatch) == {(3, "region", "foreign-key")}
    assert sorted(used) == ["clusters", "regions"]


def test_pattern_enum_and_lengths_follow_table_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [
            {"name": "slug", "type": "string", "constraints": {"pattern": "[a-z]+"}},
            {"name": "kind", "type": "string", "constraints": {"enum": ["kluster", "nätverk"]}},
            {"name": "name", "type": "string", "constraints": {"minLength": 2, "maxLength": 4}},
        ]
    }
    text = "slug,kind,name\nabc,kluster,åäö\nabc1,nätverk,å\nok,okänd,ååååå\n"
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert found == {
        (3, "slug", "constraint-pattern"),
        (3, "name", "constraint-min-length"),
        (4, "kind", "constraint-enum"),
        (4, "name", "constraint-max-length"),
    }
    assert used == ["t"]


def test_formats_the_fast_path_cannot_judge_are_left_to_frictionless_cell_by_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {
        "fields": [
            {"name": "mail", "type": "string", "format": "email"},
            {"name": "when", "type": "date", "format": "%d/%m/%Y"},
            {"name": "url", "type": "string", "format": "uri"},
        ]
    }
    text = (
        "mail,when,url\na@example.se,04/07/2018,https://example.se/a\n"
        "nej,2018-07-04,www.example.se\n"
    )
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert found == {(3, "mail", "type-error"), (3, "when", "type-error"), (3, "url", "type-error")}
    assert used == ["t"]


def test_windows_line_endings_take_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    descriptor = write_package(tmp_path, {"t": (INT, "id,n\r\n1,2\r\n2,x\r\n")})
    assert both(descriptor, monkeypatch) == {(3, "n", "type-error")}
    assert used == ["t"]


def test_a_stray_quote_sends_the_table_back_to_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "n", "type": "integer"}]}
    text = 'a,n\nab"c,1\nd,x\n'
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert (3, "n", "type-error") in found
    assert used == []


def test_header_that_differs_from_the_schema_is_left_to_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    descriptor = write_package(tmp_path, {"t": (INT, "id,count\n1,2\n")})
    assert (1, "count", "incorrect-label") in both(descriptor, monkeypatch)
    assert used == []


def test_every_supported_package_uses_duckdb_unless_frictionless_is_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    """Measured: no package size where the frictionless engine is faster (module docstring)."""
    descriptor = write_package(tmp_path, {"t": (INT, "id,n\n1,2\n")})
    monkeypatch.delenv(fastpath.ENV, raising=False)
    assert fastpath.use_fast_path(0)
    run(descriptor, monkeypatch, "auto")
    assert used == ["t"]
    used.clear()
    run(descriptor, monkeypatch, "0")
    assert used == []


def test_rows_after_adjacent_ragged_and_blank_records_keep_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    text = "id,n\n1,1\n2\n3,3,3\n\n4,x\n5,-1\n"
    found = both(write_package(tmp_path, {"t": (INT, text)}), monkeypatch)
    assert {(6, "n", "type-error"), (7, "n", "constraint-minimum")} <= found
    assert used == ["t"]


# ---------------------------------------------------------------------------------------------
# The record map, the reads and the two ways of comparing keys.


def table(tmp_path: Path, schema: dict, text: str) -> Resource:
    return open_package(write_package(tmp_path, {"t": (schema, text)})).resources[0]


TEXT_YEAR = {"fields": [{"name": "text", "type": "string"}, {"name": "year", "type": "integer"}]}


def scanned_chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of the chunks `prepare` scans (each is searched for newlines once, with
    `numpy.equal(chunk, 10, out=…)`)."""
    import numpy as np

    sizes: list[int] = []
    original = np.equal

    def spy(first, second, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(second, int) and second == 10:
            sizes.append(len(first))
        return original(first, second, *args, **kwargs)

    monkeypatch.setattr(np, "equal", spy)
    return sizes


@pytest.mark.parametrize("chunk", [8 * 1024 * 1024, 3, 5])
def test_records_on_one_line_each_start_on_the_line_after_the_previous(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(fastpath.records, "CHUNK_BYTES", chunk)
    text = 'text,year\n"a",1\nb,2\nc,"3"\n'
    resource = table(tmp_path, TEXT_YEAR, text)
    chunks = scanned_chunks(monkeypatch)
    prepared = fastpath.prepare(resource)
    assert chunks == [min(chunk, len(text) - i) for i in range(0, len(text), chunk)]
    assert prepared is not None
    assert list(prepared.line_map.starts) == [1, 2, 3, 4]
    assert (prepared.multiline, prepared.blank, prepared.embedded_newlines) == ([], [], 0)
    assert prepared.line_map.total_lines == 4


@pytest.mark.parametrize("chunk,piece", [(8 * 1024 * 1024, 256 * 1024), (7, 2), (4, 3)])
@pytest.mark.parametrize(
    "tail,taken",
    [
        ("åäö,3\n".encode(), True),  # split wherever the chunks and decode pieces fall
        (b"ok,3\n", True),  # an ASCII last chunk after non-ASCII ones
        (b"x\xff,3\n", False),  # invalid UTF-8 in the short last chunk
        (b"\xc3,3\n", False),  # a character cut off by the end of the file
    ],
)
def test_utf8_is_checked_across_chunk_and_piece_boundaries(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
    piece: int,
    tail: bytes,
    taken: bool,
) -> None:
    """The scan reuses one buffer for every chunk and decodes it in pieces: a character split
    between them is still whole, and bytes left over from a longer chunk are never judged."""
    monkeypatch.setattr(fastpath.records, "CHUNK_BYTES", chunk)
    monkeypatch.setattr(fastpath.records, "DECODE_BYTES", piece)
    resource = table(tmp_path, TEXT_YEAR, "text,year\n")
    resource.file.write_bytes("text,year\nÅre,1\nsjö,2\n".encode() + tail)
    prepared = fastpath.prepare(resource)
    assert (prepared is not None) is taken
    if prepared is not None:
        assert list(prepared.line_map.starts) == [1, 2, 3, 4]


@pytest.mark.parametrize("chunk", [8 * 1024 * 1024, 3, 5])
def test_quoted_line_breaks_move_every_later_record_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(fastpath.records, "CHUNK_BYTES", chunk)
    text = 'text,year\n"x\ny",1\n"p\nq\nr",2\n\nz,3'
    prepared = fastpath.prepare(table(tmp_path, TEXT_YEAR, text))
    assert prepared is not None
    assert list(prepared.line_map.starts) == [1, 2, 4, 7, 8]
    assert prepared.multiline == [1, 2]
    assert prepared.spans == {1: 1, 2: 2}
    assert prepared.blank == [3]
    assert (prepared.embedded_newlines, prepared.line_map.total_lines) == (3, 8)


def test_a_line_break_in_a_typed_cell_is_reported_at_its_record_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    text = 'text,year\n"a\nb",2001\nok,"20\n01"\nlast,x\n'
    found = both(write_package(tmp_path, {"t": (TEXT_YEAR, text)}), monkeypatch)
    assert found == {(4, "year", "type-error"), (6, "year", "type-error")}
    assert used == ["t"]


def test_each_route_takes_the_path_it_is_named_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    """The routes patch the fast path's thresholds; were a patch to miss, every test would
    still pass, on the small route's paths alone."""
    seen: dict[str, object] = {"keys": "python"}
    run_read = fastpath.reads._Read._run
    primary = fastpath.keys._SqlKeys.primary
    breaks = fastpath.reads._breaks

    def spy_run(self, resource, first_try):  # type: ignore[no-untyped-def]
        seen["first_try"] = first_try
        return run_read(self, resource, first_try)

    def spy_primary(self, cols):  # type: ignore[no-untyped-def]
        seen["keys"] = "sql"
        return primary(self, cols)

    def spy_breaks(prepared, rejected):  # type: ignore[no-untyped-def]
        found = breaks(prepared, rejected)
        seen["breaks"] = found.how
        return found

    monkeypatch.setattr(fastpath.reads._Read, "_run", spy_run)
    monkeypatch.setattr(fastpath.keys._SqlKeys, "primary", spy_primary)
    monkeypatch.setattr(fastpath.reads, "_breaks", spy_breaks)
    monkeypatch.setenv(fastpath.ENV, "1")
    schema = {**TEXT_YEAR, "primaryKey": ["year"]}
    descriptor = write_package(tmp_path, {"t": (schema, 'text,year\n"a\nb",1\n\nc,2\n')})
    result = check_structure(open_package(descriptor))
    assert result.fast is not None and "t" in result.fast.tables
    ((kind,),) = result.fast.connection.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema || '.' || "
        "table_name = ?",
        [result.fast.tables["t"].sql],
    ).fetchall()
    result.fast.close()
    seen["rows"] = kind
    expected = {
        "small": {"keys": "python", "first_try": True, "breaks": "scan", "rows": "VIEW"},
        "large": {"keys": "sql", "first_try": False, "breaks": "scan", "rows": "VIEW"},
        "many": {"keys": "sql", "first_try": False, "breaks": "sum", "rows": "BASE TABLE"},
    }
    assert seen == expected[route]


def test_a_ragged_row_is_found_when_the_first_read_keeps_no_rejects(tmp_path: Path) -> None:
    from clusterdata.loading.database import connect

    resource = table(tmp_path, INT, "id,n\n1,2\n3\n4,5\n")
    prepared = fastpath.prepare(resource)
    assert prepared is not None
    connection = connect()
    try:
        count, rejects = fastpath.reads._read_csv(connection, resource, "t", first_try=True)
    finally:
        connection.close()
    assert count == 2
    assert [kind for _, kind in rejects] == ["MISSING COLUMNS"]
    assert fastpath.reads._rejected_records(prepared, rejects, 2) == {2}


def test_a_table_the_fast_path_gives_up_leaves_nothing_in_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    monkeypatch.setenv(fastpath.ENV, "1")
    descriptor = write_package(
        tmp_path,
        {
            "good": (INT, "id,n\n1,2\n"),
            "nul": (INT, "id,n\n1,2\n3,\x004\n"),  # read into DuckDB, then found binary
            "quote": (INT, 'id,n\n1,a"b\n2,3\n'),  # DuckDB and the record map disagree
        },
    )
    result = check_structure(open_package(descriptor))
    try:
        assert used == ["good"]
        schemas = result.fast.connection.execute(
            "SELECT count(*) FROM duckdb_schemas() WHERE schema_name LIKE '__clusterdata_fast%'"
        ).fetchall()
        assert schemas == [(1,)]
        assert not result.fast.reads
    finally:
        result.close()


def test_each_schema_is_parsed_once_per_validation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frictionless import Schema

    calls: list[object] = []
    original = Schema.from_descriptor.__func__  # type: ignore[attr-defined]

    def counting(cls, descriptor, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(descriptor)
        return original(cls, descriptor, *args, **kwargs)

    monkeypatch.setattr(Schema, "from_descriptor", classmethod(counting))
    schema = {"fields": [{"name": "id", "type": "string", "constraints": {"pattern": "[a-z]+"}}]}
    descriptor = write_package(tmp_path, {"a": (schema, "id\nx\n1\n"), "b": (INT, "id,n\n1,2\n")})
    monkeypatch.setenv(fastpath.ENV, "1")
    result = check_structure(open_package(descriptor))
    result.close()
    assert len(calls) == 2
    assert {(f.line, f.check) for f in result.findings} == {(3, "constraint-pattern")}


def test_the_prefilter_says_true_or_false_for_every_cell_never_null() -> None:
    """`_Column.suspect` leaves out the coalesce around each check: no check may be NULL."""
    from frictionless import Schema

    from clusterdata.loading.database import connect

    specs = [
        {"name": "i", "type": "integer", "constraints": {"minimum": 1900, "maximum": 2030}},
        {"name": "n", "type": "number", "constraints": {"minimum": 0, "maximum": 9}},
        {"name": "y", "type": "year", "constraints": {"minimum": 1990, "required": True}},
        {"name": "d", "type": "date", "constraints": {"minimum": "2000-01-01"}},
        {"name": "t", "type": "datetime"},
        {"name": "b", "type": "boolean", "constraints": {"enum": [True]}},
        {"name": "u", "type": "string", "format": "uri"},
        {"name": "p", "type": "string", "constraints": {"pattern": "[a-z]+", "maxLength": 3}},
        {"name": "e", "type": "string", "constraints": {"enum": ["a", "b"], "minLength": 1}},
        {"name": "m", "type": "string", "format": "email"},
        {"name": "x", "type": "integer", "bareNumber": False},
    ]
    cells = [None, "", " ", "1", "-0", "01", "1e3", "1.5", "99999999999999999999", "2001",
             "2021-02-30", "2021-02-28", "2021-02-28T10:00:00Z", "true", "http://x.se/a",
             "abc", "a\nb", "x@y.se", "NaN", "-", "1999", "2031"]  # fmt: skip
    fl_schema = Schema.from_descriptor({"fields": specs})
    connection = connect()
    try:
        columns = [
            fastpath.columns._Column(connection, f, Field.from_descriptor(spec), i)
            for i, (f, spec) in enumerate(zip(fl_schema.fields, specs, strict=True))
        ]
        listed = ", ".join(f"c AS c{i}" for i in range(len(specs)))
        connection.execute(
            f"CREATE TABLE cells AS SELECT {listed} FROM (SELECT unnest(?::VARCHAR[]) AS c)",
            [cells],
        )
        for column in columns:
            ((nulls,),) = connection.execute(
                f"SELECT count(*) FROM cells WHERE ({column.suspect()}) IS NULL"
            ).fetchall()
            assert nulls == 0, column.spec
    finally:
        connection.close()


def route_findings(descriptor: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    monkeypatch.setenv(fastpath.ENV, "1")
    result = check_structure(open_package(descriptor))
    result.close()
    found = [(f.resource, f.line, f.column, f.check, f.value, f.message) for f in result.findings]
    return sorted(found, key=repr)


@pytest.mark.parametrize(
    "package",
    sorted(p for p in CORPUS.iterdir() if (p / "datapackage.json").is_file()),
    ids=lambda p: p.name,
)
def test_small_and_large_tables_get_the_same_findings_on_every_corpus_package(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / package.name
    shutil.copytree(package, copy, symlinks=True)
    small = route_findings(copy, monkeypatch)
    as_large(monkeypatch)
    assert route_findings(copy, monkeypatch) == small


def test_small_and_large_tables_get_the_same_key_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    regions = {
        "fields": [{"name": "id", "type": "integer"}, {"name": "code", "type": "string"}],
        "primaryKey": ["id", "code"],
    }
    members = {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "region", "type": "integer"},
            {"name": "code", "type": "string"},
        ],
        "foreignKeys": [
            {"fields": ["region", "code"], "reference": {"resource": "regions", "fields": ["id", "code"]}}
        ],
    }  # fmt: skip
    descriptor = write_package(
        tmp_path,
        {
            "regions": (regions, "id,code\n1,a\n01,a\n2,\n,\n2,\n 3,b\n3,b\n"),
            "members": (
                members,
                "id,region,code\n1,1,a\n1,2,\n2,9,a\n\n3,,\n03,3,b\n4, 3,b\n5,1\n",
            ),
        },
    )
    small = route_findings(descriptor, monkeypatch)
    as_large(monkeypatch)
    assert route_findings(descriptor, monkeypatch) == small
    assert {f[3] for f in small} >= {"primary-key", "unique-error", "foreign-key"}


def test_keys_compare_frictionless_values_where_duckdb_would_read_a_cell_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    """DuckDB casts '1.0' and '0x10' to integers and '٣' to nothing, and calls 'yes' false:
    frictionless reads none of them so, and its values are the keys compared. frictionless
    reads '٣' as 3 (Python's int()), so it stays the key 3, but the spec's integer has ASCII
    digits only, so it is also a type error (`spec_cells`)."""
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "flag", "type": "boolean", "constraints": {"unique": True}},
        ],
        "primaryKey": ["id"],
    }
    text = "id,flag\n1,true\n1.0,yes\n٣,True\n3,1\n0x10,false\n16,false\n"
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert found == {
        (3, "id", "type-error"),
        (3, "flag", "type-error"),
        (3, "id", "primary-key"),
        (4, "id", "type-error"),
        (4, "flag", "unique-error"),
        (5, "id", "primary-key"),
        (5, "flag", "unique-error"),
        (6, "id", "type-error"),
        (6, "id", "primary-key"),
        (7, "flag", "unique-error"),
    }
    assert used == ["t"]


def test_a_ragged_row_after_a_blank_line_keeps_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    text = "id,n\n1,1\n\n2\n3,x\n"
    found = both(write_package(tmp_path, {"t": (INT, text)}), monkeypatch)
    assert found == {(3, None, "blank-row"), (4, "n", "missing-cell"), (5, "n", "type-error")}
    assert used == ["t"]


@pytest.mark.parametrize("large", [False, True], ids=["small", "large"])
def test_line_breaks_not_where_the_record_map_has_them_send_the_table_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    """The rows DuckDB read must hold the quoted line breaks exactly where the byte scan
    found them; here the record map is made to expect them one record later."""
    original = fastpath.reads._breaks

    def shifted(prepared: fastpath.Prepared, rejected: set[int]) -> fastpath.tables._Breaks:
        breaks = original(prepared, rejected)
        return fastpath.tables._Breaks({rn + 1: n for rn, n in breaks.per_row.items()}, breaks.how)

    monkeypatch.setattr(fastpath.reads, "_breaks", shifted)
    if large:
        as_large(monkeypatch)
    names: list[str] = []
    check_group = fastpath.check_group

    def spy(package, prepared, usable, result):  # type: ignore[no-untyped-def]
        found = check_group(package, prepared, usable, result)
        names.extend(p.resource.name for p in prepared)
        return found

    monkeypatch.setattr(fastpath, "check_group", spy)
    text = 'text,year\n"a\nb",2001\nok,2002\nlast,x\n'
    assert both(write_package(tmp_path, {"t": (TEXT_YEAR, text)}), monkeypatch) == {
        (5, "year", "type-error")
    }
    assert names == []


def test_closing_stops_and_drops_reads_no_group_took_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clusterdata.loading.database import connect

    monkeypatch.setattr(fastpath.reads, "BACKGROUND_BYTES", 0)  # read on a thread
    resource = table(tmp_path, INT, "id,n\n" + "".join(f"{i},{i}\n" for i in range(5000)))
    shared = fastpath.FastPackage(connect())
    prepared = fastpath.prepare_group([resource], shared)
    assert prepared is not None and prepared[0].read is not None
    read = prepared[0].read
    shared.close()
    assert not read.running and not shared.reads


def test_a_carriage_return_inside_the_header_line_leaves_the_file_to_frictionless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    """Found by the fuzz test: the csv module refuses a header line holding a lone CR; the fast
    path must decline the file, not raise."""
    descriptor = write_package(tmp_path, {"t": (INT, "\rid,n\n1,2\n")})
    both(descriptor, monkeypatch)
    assert used == []


@pytest.mark.parametrize(
    "row",
    ["x,y,", "x,y,,", 'x,y,""', '"x",y,', "x,y,\r"],
    ids=["comma", "two-commas", "quoted-empty", "quoted-first", "crlf"],
)
def test_a_trailing_empty_cell_is_an_extra_cell_on_both_engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str
) -> None:
    """Issue 14: DuckDB's reader drops empty cells beyond the schema's width without a reject,
    so `x,y,` passed the DuckDB engine while frictionless reports `extra-cell`."""
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]}
    text = f"a,b\nu,v\n{row}\nz,w\n"
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert (3, "(column 3)", "extra-cell") in found


def test_an_empty_last_cell_within_the_width_is_no_extra_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, used: list[str]
) -> None:
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]}
    text = 'a,b\nu,\n"p\nq",\nz,""\nlast,'
    assert both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch) == set()
    assert used == ["t"]


@pytest.mark.parametrize("chunk", [7, 13, 64])
def test_a_trailing_empty_cell_in_a_later_chunk_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(fastpath.records, "CHUNK_BYTES", chunk)
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]}
    rows = "".join(f"r{i},v\n" for i in range(200))
    text = f"a,b\n{rows}x,y,\n"
    found = both(write_package(tmp_path, {"t": (schema, text)}), monkeypatch)
    assert found == {(202, "(column 3)", "extra-cell")}


def test_the_bundled_clusters_table_with_a_trailing_comma_is_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reproduction from issue 14, on the real table."""
    from fixtures.packages import BUNDLED

    from clusterdata.validation.pipeline import validate

    shutil.copytree(BUNDLED, tmp_path / "datapackage")
    data = tmp_path / "datapackage" / "data" / "clusters.csv"
    lines = data.read_text("utf-8").split("\n")
    lines[2] += ","
    data.write_text("\n".join(lines), "utf-8")
    for mode in ("1", "0"):
        monkeypatch.setenv(fastpath.ENV, mode)
        report = validate(tmp_path / "datapackage" / "datapackage.json", use_default_checks=False)
        assert not report.valid
        assert [(f.line, f.check) for f in report.findings if f.is_error] == [(3, "extra-cell")]
