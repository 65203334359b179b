"""Layer 1: frictionless findings carry physical lines, and what frictionless misses is caught."""

from __future__ import annotations

from pathlib import Path

from fixtures.packages import write_package

from clusterdata.validation.pipeline import validate

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "pattern": "^[a-z]+$"}},
        {"name": "note", "type": "string"},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
    ],
    "primaryKey": ["id"],
}


def flat(report, *keys: str) -> list[list]:
    """The frictionless idiom: a compact, exact list to compare against."""
    return [[getattr(f, k) for k in keys] for f in report.findings]


def test_type_error_is_located_on_the_physical_line_after_a_multiline_cell(tmp_path: Path):
    text = 'id,note,n\nab,"two\nlines",1\ncd,x,abc\n'
    report = validate(write_package(tmp_path, {"t": (SCHEMA, text)}))
    assert flat(report, "check", "line", "column", "value") == [
        ["type-error", 4, "n", "abc"],
    ]


def test_integer_rejects_decimal_and_exponent_forms_and_accepts_padding(tmp_path: Path):
    """Issue 14: the verdict on type errors is frictionless-py's. " 12" is an integer for it,
    and for the spec too: Table Schema's integer follows XML Schema, whose `integer` has the
    whiteSpace facet `collapse` (XML Schema Part 2, 3.3.13: leading and trailing spaces are
    removed before the lexical form is checked). Layer 2's stricter reading no longer counts."""
    text = "id,note,n\nab,,1.5\ncd,,1e3\nef,, 12\n"
    report = validate(write_package(tmp_path, {"t": (SCHEMA, text)}))
    assert [f.line for f in report.findings if f.check == "type-error"] == [2, 3]


def test_constraint_violations_carry_their_constraint_in_the_check_id(tmp_path: Path):
    text = "id,note,n\nAB,,1\n,,2\ncd,,-1\n"
    report = validate(write_package(tmp_path, {"t": (SCHEMA, text)}))
    assert flat(report, "check", "line", "column") == [
        ["constraint-pattern", 2, "id"],
        ["constraint-required", 3, "id"],
        ["primary-key", 3, "id"],  # frictionless also reports the empty key, as here
        ["constraint-minimum", 4, "n"],
    ]


def test_duplicate_primary_key_is_reported_on_the_second_row(tmp_path: Path):
    text = "id,note,n\nab,,1\nab,,2\n"
    report = validate(write_package(tmp_path, {"t": (SCHEMA, text)}))
    assert flat(report, "check", "line", "column", "value") == [["primary-key", 3, "id", "ab"]]


def test_dangling_foreign_key_is_reported_with_line_and_value(tmp_path: Path):
    child = {
        "fields": [{"name": "parent", "type": "string"}],
        "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "t", "fields": ["id"]}}],
    }
    path = write_package(
        tmp_path,
        {
            "t": (SCHEMA, "id,note,n\nab,,1\n"),
            "c": (child, "parent\nab\nzz\n\n"),
        },
    )
    report = validate(path)
    assert ["foreign-key", "c.csv", 3, "parent", "zz"] in flat(
        report, "check", "path", "line", "column", "value"
    )
    fk = next(f for f in report.findings if f.check == "foreign-key")
    assert "t table" in (fk.hint or "")


def test_ragged_rows_are_reported_as_missing_and_extra_cells(tmp_path: Path):
    text = "id,note,n\nab,x\ncd,x,1,extra\n"
    report = validate(write_package(tmp_path, {"t": (SCHEMA, text)}))
    checks = flat(report, "check", "line")
    assert ["missing-cell", 2] in checks
    assert ["extra-cell", 3] in checks


def test_stray_quote_that_swallows_rows_is_reported(tmp_path: Path):
    text = 'id,note,n\nab,"oops,1\ncd,fine,2\nef,fine,3\n'
    report = validate(write_package(tmp_path, {"t": (SCHEMA, text)}))
    swallowed = [f for f in report.findings if f.check == "swallowed-rows"]
    assert len(swallowed) == 1
    assert (swallowed[0].line, swallowed[0].column) == (2, "note")
    assert not report.valid


def test_windows_1252_file_is_an_encoding_error_with_line(tmp_path: Path):
    path = write_package(tmp_path, {"t": (SCHEMA, "id,note,n\nab,x,1\n")})
    (tmp_path / "t.csv").write_bytes("id,note,n\nab,x,1\ncd,Gävle,2\n".encode("cp1252"))
    report = validate(path)
    assert flat(report, "check", "line") == [["encoding-error", 3]]
    assert "UTF-8" in (report.findings[0].hint or "")


def test_utf8_bom_is_only_a_notice(tmp_path: Path):
    path = write_package(tmp_path, {"t": (SCHEMA, "id,note,n\nab,x,1\n")})
    (tmp_path / "t.csv").write_bytes(b"\xef\xbb\xbfid,note,n\nab,x,1\n")
    report = validate(path)
    assert report.valid
    assert flat(report, "check", "severity") == [["byte-order-mark", "notice"]]


def test_unsafe_resource_path_is_refused_without_reading_it(tmp_path: Path):
    secret = tmp_path / "secret.csv"
    secret.write_text("id,note,n\nTOPSECRET,x,1\n")
    pkg = tmp_path / "pkg"
    path = write_package(pkg, {"t": (SCHEMA, "id,note,n\nab,x,1\n")})
    path.write_text(path.read_text().replace('"t.csv"', '"../secret.csv"'))
    report = validate(path)
    assert flat(report, "check", "resource") == [["unsafe-path", "t"]]
    assert "TOPSECRET" not in str(report.to_dict())


def test_schema_with_unknown_type_is_a_schema_error(tmp_path: Path):
    bad = {"fields": [{"name": "id", "type": "strin"}]}
    report = validate(write_package(tmp_path, {"t": (bad, "id\nab\n")}))
    assert flat(report, "check", "resource") == [["schema-error", "t"]]


def test_foreign_key_to_missing_resource_is_a_schema_error(tmp_path: Path):
    child = {
        "fields": [{"name": "parent", "type": "string"}],
        "foreignKeys": [
            {"fields": ["parent"], "reference": {"resource": "nope", "fields": ["id"]}}
        ],
    }
    report = validate(write_package(tmp_path, {"c": (child, "parent\nab\n")}))
    assert flat(report, "check", "column") == [["schema-error", "parent"]]


def test_validation_leaves_the_files_byte_identical(tmp_path: Path):
    path = write_package(tmp_path, {"t": (SCHEMA, "id,note,n\nAB,x,1\n")})
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    validate(path)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert before == after


def test_declared_hash_and_bytes_are_checked_for_every_file_resource(tmp_path: Path):
    path = write_package(tmp_path, {"t": (SCHEMA, "id,note,n\nab,x,1\n")})
    (tmp_path / "extra.bin").write_bytes(b"published bytes")
    import hashlib
    import json

    descriptor = json.loads(path.read_text())
    good = hashlib.sha256(b"published bytes").hexdigest()
    descriptor["resources"].append(
        {
            "name": "extra",
            "type": "file",
            "path": "extra.bin",
            "bytes": 15,
            "hash": f"sha256:{good}",
        }
    )
    descriptor["resources"][0]["hash"] = "sha256:" + "0" * 64
    path.write_text(json.dumps(descriptor))
    report = validate(path)
    assert flat(report, "check", "resource") == [["hash-mismatch", "t"]]
    (tmp_path / "extra.bin").write_bytes(b"tampered bytes!!")
    report = validate(path)
    assert sorted(flat(report, "check", "resource")) == [
        ["bytes-mismatch", "extra"],
        ["hash-mismatch", "extra"],
        ["hash-mismatch", "t"],
    ]


def test_default_package_is_the_checkout_in_the_working_directory(tmp_path: Path, cli, monkeypatch):
    """A contributor runs `clusterdata validate` in their clone: that clone's data is checked."""
    write_package(tmp_path / "datapackage", {"t": (SCHEMA, "id,note,n\nAB,x,1\n")})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLUSTERDATA_PACKAGE", raising=False)
    result = cli("validate", "--format", "json")
    assert result.code == 1
    assert [f["check"] for f in result.json()["findings"]] == ["constraint-pattern"]
