"""`clusterdata format`: canonical CSV that is lossless, idempotent and written atomically."""

from __future__ import annotations

import copy
import csv
import io
import json
import random
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fixtures.packages import CliResult, write_package
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterdata.authoring.canonical import canonicalize, format_package
from clusterdata.core.package import open_package

Cli = Callable[..., CliResult]

SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "name", "type": "string"},
        {"name": "note", "type": "string"},
    ],
    "primaryKey": ["id"],
}


def frames(descriptor: Path) -> dict[str, pd.DataFrame]:
    """Every table as frictionless parses it (typed values), rows in key order."""
    from frictionless import Resource, Schema

    package = open_package(descriptor)
    out = {}
    for resource in package.resources:
        schema = copy.deepcopy(resource.schema)
        schema.pop("foreignKeys", None)  # values only; references are not what is compared
        table = Resource(
            path=resource.path, basepath=str(package.root), schema=Schema.from_descriptor(schema)
        )
        rows = [row.to_dict() for row in table.read_rows()]
        frame = pd.DataFrame(rows, columns=resource.field_names, dtype=object)
        if resource.primary_key:
            frame = frame.sort_values(resource.primary_key, kind="stable")
        out[resource.name] = frame.reset_index(drop=True)
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def mangle(text: str, seed: int) -> bytes:
    """The same table as a spreadsheet might save it: columns and rows shuffled, every cell
    quoted, CRLF line endings, a byte order mark and no final newline."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rng = random.Random(seed)
    order = list(range(len(rows[0])))
    rng.shuffle(order)
    body = rows[1:]
    rng.shuffle(body)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in [rows[0], *body]:
        writer.writerow([row[i] for i in order])
    return b"\xef\xbb\xbf" + buffer.getvalue().removesuffix("\r\n").encode("utf-8")


def test_format_of_a_mangled_dataset_restores_equal_frames_and_is_idempotent(
    package_copy: Path, cli: Cli
):
    descriptor = package_copy / "datapackage.json"
    before = frames(descriptor)
    canonical = {r.path: canonicalize(r).data for r in open_package(descriptor).resources}
    for seed, resource in enumerate(open_package(descriptor).resources):
        resource.file.write_bytes(mangle(resource.file.read_text("utf-8"), seed))
    first = cli("format", str(package_copy))
    assert first.code == 0, first.out
    assert first.out.count("formatted ") == len(before)
    after = frames(descriptor)
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    for resource in open_package(descriptor).resources:
        assert resource.file.read_bytes() == canonical[resource.path], resource.path
    files = snapshot(package_copy)
    second = cli("format", str(package_copy))
    assert second.code == 0
    assert "0 file(s) formatted" in second.out
    assert snapshot(package_copy) == files


def test_canonical_form_rules_on_a_small_table(tmp_path: Path, cli: Cli):
    decomposed = unicodedata.normalize("NFD", "Åre")
    text = (
        "\ufeffname,note,id\r\n"
        f'  {decomposed} ,"  keeps  inner  space ",10\r\n'
        '"Stål, verkstad","two\nlines",2\r\n'
        '"plain",,1'
    )
    write_package(tmp_path, {"t": (SCHEMA, text)})
    (tmp_path / "t.csv").write_bytes(text.encode("utf-8"))
    result = cli("format", str(tmp_path))
    assert result.code == 0, result.out
    assert (tmp_path / "t.csv").read_bytes().decode("utf-8") == (
        'id,name,note\n1,plain,\n2,"Stål, verkstad","two\nlines"\n10,Åre,keeps  inner  space\n'
    )
    assert unicodedata.is_normalized("NFC", (tmp_path / "t.csv").read_text("utf-8"))
    line = next(x for x in result.out.splitlines() if x.startswith("formatted "))
    for change in (
        "file starts with a byte-order mark",
        "columns are not in the schema's order (id, name, note)",
        "line 2 has spaces around a cell",
        "line 2 has a letter stored as two characters (not Unicode NFC)",
        "line 3 is out of id order",
        "line endings are CRLF (Windows)",
        "missing final newline",
    ):
        assert change in line


def test_string_keys_sort_in_python_str_order_and_numbers_numerically(tmp_path: Path):
    schema = {
        "fields": [{"name": "code", "type": "string"}, {"name": "n", "type": "number"}],
        "primaryKey": ["n", "code"],
    }
    text = "code,n\nb,10\nå,2\nZ,2\na,2\nb,1.5\n"
    write_package(tmp_path, {"t": (schema, text)})
    resource = open_package(tmp_path / "datapackage.json").resources[0]
    assert canonicalize(resource).data.decode() == "code,n\nb,1.5\nZ,2\na,2\nå,2\nb,10\n"


def test_check_writes_nothing_and_names_the_file_and_first_different_line(tmp_path: Path, cli: Cli):
    write_package(
        tmp_path,
        {"t": (SCHEMA, "id,name,note\n1,a,\n3,c,\n2,b,\n"), "u": (SCHEMA, "id,name,note\n1,a,\n")},
    )
    files = snapshot(tmp_path)
    result = cli("format", str(tmp_path), "--check")
    assert result.code == 1
    assert snapshot(tmp_path) == files
    assert "not canonical: " in result.out and "t.csv:4: line 4 is out of id order" in result.out
    assert "should be" not in result.out
    assert "u.csv" not in result.out
    assert "1 file(s) not canonical, 1 canonical" in result.out


def test_check_exits_zero_when_every_file_is_canonical(tmp_path: Path, cli: Cli):
    write_package(tmp_path, {"t": (SCHEMA, "id,name,note\n1,a,\n2,b,\n")})
    result = cli("format", str(tmp_path), "--check")
    assert result.code == 0, result.out


@pytest.mark.parametrize(
    ("data", "check", "line"),
    [
        ("id,name,note\n1,Göteborg,\n".encode("cp1252"), "encoding-error", 2),
        (b"id,name,note\n1,a\n", "missing-cell", 2),
        (b'id,name,note\n1,"a,\n2,b,c\n3,d,e\n', "swallowed-rows", 2),
    ],
    ids=["cp1252", "ragged-row", "stray-quote"],
)
def test_file_that_cannot_be_read_losslessly_is_refused_and_left_alone(
    tmp_path: Path, cli: Cli, data: bytes, check: str, line: int
):
    write_package(tmp_path, {"t": (SCHEMA, "")})
    (tmp_path / "t.csv").write_bytes(data)
    result = cli("format", str(tmp_path))
    assert result.code == 1
    assert f"t.csv:{line}: error [{check}]" in result.out
    assert "not formatted: " in result.out
    assert (tmp_path / "t.csv").read_bytes() == data


def test_header_that_is_not_the_schemas_fields_is_refused(tmp_path: Path, cli: Cli):
    write_package(tmp_path, {"t": (SCHEMA, "id,name,remark\n2,a,\n1,b,\n")})
    result = cli("format", str(tmp_path))
    assert result.code == 1
    assert (tmp_path / "t.csv").read_text() == "id,name,remark\n2,a,\n1,b,\n"


def test_declared_non_utf8_encoding_is_refused(tmp_path: Path, cli: Cli):
    descriptor = write_package(tmp_path, {"t": (SCHEMA, "id,name,note\n2,a,\n1,b,\n")})
    data = json.loads(descriptor.read_text())
    data["resources"][0]["encoding"] = "latin-1"
    descriptor.write_text(json.dumps(data))
    result = cli("format", str(tmp_path))
    assert result.code == 1
    assert "format-refused" in result.out and "latin-1" in result.out


def test_failed_write_leaves_the_previous_file_intact(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    import clusterdata.core.atomic

    original = "id,name,note\n2,b,\n1,a,\n"
    write_package(tmp_path, {"t": (SCHEMA, original)})

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(clusterdata.core.atomic.os, "replace", fail)
    result = cli("format", str(tmp_path))
    assert result.code == 1
    assert "cannot be written" in result.out
    assert (tmp_path / "t.csv").read_text() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datapackage.json", "t.csv"]


def test_blank_rows_are_dropped(tmp_path: Path):
    write_package(tmp_path, {"t": (SCHEMA, "id,name,note\n1,a,\n,,\n\n2,b,\n")})
    outcome = format_package(open_package(tmp_path / "datapackage.json"))
    assert (tmp_path / "t.csv").read_text() == "id,name,note\n1,a,\n2,b,\n"
    assert "2 empty row(s), the first on line 3" in outcome.results[0].changes


_cells = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.integers(-(10**6), 10**6), _cells, _cells),
        max_size=8,
        unique_by=lambda r: r[0],
    )
)
def test_format_is_lossless_up_to_nfc_and_trim_and_idempotent(tmp_path: Path, rows: list):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["note", "id", "name"])
    for key, name, note in rows:
        writer.writerow([note, key, name])
    folder = tmp_path / "hyp"
    write_package(folder, {"t": (SCHEMA, "")})
    (folder / "t.csv").write_bytes(buffer.getvalue().encode("utf-8"))
    resource = open_package(folder / "datapackage.json").resources[0]
    first = canonicalize(resource)
    (folder / "t.csv").write_bytes(first.data)
    assert canonicalize(resource).data == first.data

    def clean(text: str) -> str:
        return unicodedata.normalize("NFC", text).strip()

    expected = sorted([str(k), clean(n), clean(t)] for k, n, t in rows)
    assert sorted(first.rows) == expected
    assert [int(r[0]) for r in first.rows] == sorted(k for k, _, _ in rows)
