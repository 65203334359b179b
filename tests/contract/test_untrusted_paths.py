"""Reading a package from anyone: every way out of the package folder is refused, a descriptor
that frictionless would refuse as a whole costs only the offending resource, and an interrupted
write leaves nothing behind for long. Fast, in-process companions to tests/contract/test_corpus.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clusterdata.core.atomic import write_bytes_atomic
from clusterdata.core.package import open_package, safe_path
from clusterdata.validation.pipeline import validate

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "n", "type": "integer"},
    ],
    "primaryKey": ["id"],
}


def package(folder: Path, *resources: dict[str, object]) -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "t.csv").write_text("id,n\na,1\nb,x\n", encoding="utf-8")
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "p", "resources": list(resources)}), encoding="utf-8"
    )
    return folder


def resource(**changes: object) -> dict[str, object]:
    return {"name": "t", "path": "data/t.csv", "schema": SCHEMA, **changes}


@pytest.mark.parametrize(
    "raw",
    [
        "../t.csv",
        "data/../../t.csv",
        "/etc/passwd",
        "file:///etc/passwd",
        "FILE:/etc/passwd",
        "http://127.0.0.1:9/t.csv",
        "https://example.org/t.csv",
        "//server/share/t.csv",
        "data\\..\\..\\t.csv",
        "C:/Windows/win.ini",
        "data/t.csv\x00.txt",
    ],
)
def test_safe_path_refuses_every_way_out_of_the_package(tmp_path: Path, raw: str) -> None:
    root = package(tmp_path / "pkg")
    file, problem = safe_path(root.resolve(), raw)
    assert file is None and problem


def test_safe_path_refuses_a_symlink_that_leads_out_but_accepts_one_that_stays(
    tmp_path: Path,
) -> None:
    root = package(tmp_path / "pkg").resolve()
    (tmp_path / "secret.csv").write_text("id,n\nsecret,1\n", encoding="utf-8")
    (root / "data" / "out.csv").symlink_to(tmp_path / "secret.csv")
    (root / "data" / "in.csv").symlink_to(root / "data" / "t.csv")
    assert safe_path(root, "data/out.csv")[0] is None
    assert safe_path(root, "data/in.csv") == ((root / "data" / "t.csv"), None)


def test_unknown_declared_encoding_is_a_located_error_not_a_crash(tmp_path: Path) -> None:
    root = package(tmp_path / "pkg", resource(encoding="klingon"))
    report = validate(root, use_default_checks=False)
    found = [(f.check, f.path, f.value) for f in report.findings]
    assert ("encoding-error", "datapackage.json", "klingon") in found


def test_two_resources_with_one_name_report_the_second_and_check_the_first(
    tmp_path: Path,
) -> None:
    root = package(tmp_path / "pkg", resource(), resource())
    report = validate(root, use_default_checks=False)
    checks = {(f.check, f.path, f.line) for f in report.findings}
    assert ("descriptor-error", "datapackage.json", None) in checks
    assert ("type-error", "data/t.csv", 3) in checks  # the first "t" was still validated
    assert report.summary.rows_per_table == {"t": 2}


def test_a_name_frictionless_refuses_costs_only_that_resource(tmp_path: Path) -> None:
    root = package(tmp_path / "pkg", resource(), resource(name="Table Two!"))
    report = validate(root, use_default_checks=False)
    checks = {(f.check, f.value) for f in report.findings}
    assert ("descriptor-error", "Table Two!") in checks
    assert ("type-error", "x") in checks  # before the fix, frictionless refused the package
    assert not any(f.check == "source-error" for f in report.findings)


def test_a_resource_path_that_is_a_folder_is_a_missing_file_not_a_silent_skip(
    tmp_path: Path,
) -> None:
    root = package(tmp_path / "pkg", resource(path="data"))
    report = validate(root, use_default_checks=False)
    assert [(f.check, f.severity.value) for f in report.findings] == [("missing-file", "error")]
    assert "is a folder" in report.findings[0].message


def test_a_named_pipe_is_refused_without_being_opened(tmp_path: Path) -> None:
    root = package(tmp_path / "pkg", resource())
    (root / "data" / "t.csv").unlink()
    os.mkfifo(root / "data" / "t.csv")  # opening it for reading would block forever
    found = [(f.check, f.message) for f in open_package(root).findings]
    assert found and found[0][0] == "missing-file" and "not a regular file" in found[0][1]


def test_a_dialect_value_outside_the_spec_is_refused_with_its_reason(
    tmp_path: Path,
) -> None:
    """`escapeChar` "MUST be a string of one character length" (Table Dialect): the table is
    refused before any reader (frictionless-py's included) sees it, naming the property."""
    root = package(tmp_path / "pkg", resource(dialect={"escapeChar": 5}))
    report = validate(root, use_default_checks=False)
    refusals = [f for f in report.findings if f.check == "unsupported-dialect"]
    assert refusals and "escapeChar 5" in (refusals[0].message or "")
    assert not report.valid


def test_a_temp_file_of_a_killed_writer_is_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    target.write_bytes(b"old\n")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f".table.csv.{int(dead.stdout)}.abc123.tmp"
    stale.write_bytes(b"half a fi")
    live = tmp_path / f".table.csv.{os.getpid()}.def456.tmp"  # a writer still at work
    live.write_bytes(b"in progress")
    other = tmp_path / ".other.csv.1.x.tmp"
    other.write_bytes(b"not ours")
    write_bytes_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert not stale.exists()
    assert live.exists() and other.exists()


def test_a_zip_that_unpacks_past_the_size_limit_is_refused_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip bomb: the declared sizes are summed before anything is extracted."""
    import zipfile

    import clusterdata.core.descriptor_file as package_module
    from clusterdata.core.package import UsageError

    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("datapackage.json", json.dumps({"name": "x", "resources": []}))
        zf.writestr("data/zeros.csv", b"0" * 2_000_000)
    monkeypatch.setattr(package_module, "MAX_UNZIPPED_BYTES", 1_000_000)
    with pytest.raises(UsageError, match="unpacks to more than"):
        open_package(archive)
