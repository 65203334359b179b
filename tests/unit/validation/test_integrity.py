"""Layer 3: keys derived from the schemas, and the dataset's checks on the bundled package."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from fixtures.packages import BUNDLED, SCHEMAS, write_package

from clusterdata.core.findings import merge
from clusterdata.core.package import open_package
from clusterdata.loading.database import load_package
from clusterdata.validation.integrity.run import check_integrity, run_integrity
from clusterdata.validation.integrity.sqlchecks import load_checks
from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure.run import check_structure

PARENT = {
    "fields": [{"name": "id", "type": "string"}, {"name": "note", "type": "string"}],
    "primaryKey": ["id"],
}
CHILD = {
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "parent_id", "type": "string"},
        {"name": "note", "type": "string"},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["parent_id"], "reference": {"resource": "parent", "fields": ["id"]}}
    ],
}


@pytest.fixture
def layer_1_in_frictionless(monkeypatch: pytest.MonkeyPatch) -> None:
    """Layer 3 compares keys itself only where layer 1 did not (layer 1's DuckDB engine does)."""
    monkeypatch.setenv("CLUSTERDATA_FASTPATH", "0")


def _layer3(folder: Path):
    package = open_package(folder)
    structure = check_structure(package)
    return package, structure, run_integrity(package, structure, [])


def _located(findings, check: str) -> list[tuple[str | None, int | None, str | None, str | None]]:
    return [(f.resource, f.line, f.column, f.value) for f in findings if f.check == check]


@pytest.mark.usefixtures("layer_1_in_frictionless")
def test_duplicate_key_is_reported_at_the_physical_line_after_a_multiline_cell(
    tmp_path: Path,
) -> None:
    write_package(
        tmp_path,
        {
            "parent": (
                PARENT,
                (
                    "id,note\n"
                    'a,"first\nsecond\nthird"\n'  # lines 2–4
                    "b,x\n"  # line 5
                    "a,repeat\n"  # line 6
                    'b,"again\n"\n'  # lines 7–8
                    "a,thrice\n"  # line 9
                ),
            )
        },
    )
    _, _, result = _layer3(tmp_path)
    assert _located(result.findings, "primary-key") == [
        ("parent", 6, "id", "a"),
        ("parent", 7, "id", "b"),
        ("parent", 9, "id", "a"),
    ]
    assert "line 2" in result.findings[0].message


@pytest.mark.usefixtures("layer_1_in_frictionless")
def test_dangling_reference_is_reported_with_line_and_an_empty_reference_is_not(
    tmp_path: Path,
) -> None:
    write_package(
        tmp_path,
        {
            "parent": (PARENT, "id,note\np1,x\np2,y\n"),
            "child": (
                CHILD,
                'id,parent_id,note\nc1,p1,"multi\nline"\nc2,nope,\nc3,,empty\n'
                "c4,p2,\nc5,P1,case matters\n",
            ),
        },
    )
    _, _, result = _layer3(tmp_path)
    assert _located(result.findings, "foreign-key") == [
        ("child", 4, "parent_id", "nope"),
        ("child", 7, "parent_id", "P1"),
    ]
    finding = next(f for f in result.findings if f.check == "foreign-key")
    assert finding.path == "child.csv" and "parent" in (finding.hint or "")


@pytest.mark.usefixtures("layer_1_in_frictionless")
def test_composite_and_self_referencing_keys_are_derived_from_the_schema(tmp_path: Path) -> None:
    regions = {
        "fields": [
            {"name": "country", "type": "string"},
            {"name": "code", "type": "integer"},
            {"name": "parent_code", "type": "integer"},
        ],
        "primaryKey": ["country", "code"],
        "foreignKeys": [
            {
                "fields": ["country", "parent_code"],
                "reference": {"resource": "", "fields": ["country", "code"]},
            },
        ],
    }
    write_package(
        tmp_path,
        {
            "regions": (
                regions,
                (
                    "country,code,parent_code\n"
                    "SE,1,\n"  # line 2: (SE, empty) is half a reference: reported, as frictionless does
                    "SE,2,1\n"  # line 3
                    "NO,3,1\n"  # line 4: (NO, 1) does not exist
                    "SE,2,01\n"  # line 5: repeats (SE, 2); 01 is the integer 1, which exists
                ),
            )
        },
    )
    _, structure, result = _layer3(tmp_path)
    assert _located(result.findings, "primary-key") == [("regions", 5, "country", "SE, 2")]
    assert _located(result.findings, "foreign-key") == [
        ("regions", 2, "country", "SE"),
        ("regions", 4, "country", "NO, 1"),
    ]
    layer1 = {f.identity() for f in structure.findings if f.check in {"primary-key", "foreign-key"}}
    assert layer1 == {f.identity() for f in result.findings}


@pytest.mark.usefixtures("layer_1_in_frictionless")
def test_every_violation_is_reported_without_a_limit(tmp_path: Path) -> None:
    rows = "".join(f"c{i},missing{i},\n" for i in range(1500))
    write_package(
        tmp_path,
        {"parent": (PARENT, "id,note\np1,x\n"), "child": (CHILD, "id,parent_id,note\n" + rows)},
    )
    package = open_package(tmp_path)
    structure = check_structure(package)
    structure.findings = []  # layer 3 on its own
    result = run_integrity(package, structure, [])
    lines = [line for _, line, _, _ in _located(result.findings, "foreign-key")]
    assert lines == list(range(2, 1502))


@pytest.mark.usefixtures("layer_1_in_frictionless")
def test_a_defect_found_by_layers_1_and_3_is_reported_once(tmp_path: Path) -> None:
    write_package(
        tmp_path,
        {
            "parent": (PARENT, "id,note\np1,x\np1,y\n"),
            "child": (CHILD, "id,parent_id,note\nc1,nope,\n"),
        },
    )
    package = open_package(tmp_path)
    structure = check_structure(package)
    layer3, _ = check_integrity(package, structure, None)
    assert {f.check for f in layer3} == {"primary-key", "foreign-key"}
    layer1 = [f for f in structure.findings if f.check in {"primary-key", "foreign-key"}]
    assert {f.identity() for f in layer1} == {f.identity() for f in layer3}
    merged = merge([*structure.findings, *layer3])
    assert _located(merged, "primary-key") == [("parent", 3, "id", "p1")]
    assert _located(merged, "foreign-key") == [("child", 2, "parent_id", "nope")]


def test_a_bad_cell_does_not_become_a_dangling_reference(tmp_path: Path) -> None:
    parent = {"fields": [{"name": "id", "type": "integer"}], "primaryKey": ["id"]}
    child = {
        "fields": [{"name": "pid", "type": "integer"}],
        "foreignKeys": [{"fields": ["pid"], "reference": {"resource": "parent", "fields": ["id"]}}],
    }
    write_package(tmp_path, {"parent": (parent, "id\n1\n2.5\n"), "child": (child, "pid\n1\nabc\n")})
    _, structure, result = _layer3(tmp_path)
    # Layer 1 reports the type errors; layer 3 sees NULLs and adds nothing about them.
    assert {f.check for f in structure.findings} >= {"type-error"}
    assert _located(result.findings, "foreign-key") == []


def test_checks_cannot_read_files_through_the_loaded_connection(tmp_path: Path) -> None:
    write_package(tmp_path, {"parent": (PARENT, "id,note\np1,x\n")})
    package = open_package(tmp_path)
    with (
        load_package(package, check_structure(package)) as db,
        pytest.raises(duckdb.PermissionException),
    ):
        db.connection.execute(f"SELECT * FROM read_csv('{tmp_path / 'parent.csv'}')").fetchall()


# --- the bundled package ----------------------------------------------------------------------

#: Warnings the bundled data raises on purpose: each is what the sources state.
EXPECTED_WARNINGS = {
    # Seed 004 counts 14 established cluster initiatives in Norra Mellansverige; another source
    # (goda-exempel-fran-varmland) adds The Packaging Arena in Värmland, so 15 are linked.
    ("stated-count-exceeded", "facts", "14"),
    # Region Skåne counts the ten cluster initiatives it is a member and funder of; an evaluation
    # report of Skåne's cluster initiatives (docplayer-skanska-klusterinitiativ) also names
    # Training Regions, so 11 Skåne clusters are linked.
    ("stated-count-exceeded", "facts", "10"),
    # Named by a source as a policy / funding programme without any participant.
    ("initiative-has-participant", "initiatives", "cohesion-policy"),
    ("initiative-has-participant", "initiatives", "horizon-2020"),
}


@pytest.mark.skipif(not (BUNDLED / "datapackage.json").is_file(), reason="no bundled package")
def test_bundled_package_passes_every_integrity_check() -> None:
    package = open_package(BUNDLED)
    structure = check_structure(package)
    checks = load_checks(SCHEMAS / "checks")
    result = run_integrity(package, structure, checks)
    assert result.skipped == {}
    assert result.run >= len(checks)
    assert [f for f in result.findings if f.is_error] == []
    warnings = {(f.check, f.resource, f.value) for f in result.findings}
    assert warnings <= EXPECTED_WARNINGS, warnings - EXPECTED_WARNINGS


@pytest.mark.slow
@pytest.mark.skipif(not (BUNDLED / "datapackage.json").is_file(), reason="no bundled package")
def test_an_injected_dangling_region_reference_is_reported_with_its_line(
    package_copy: Path,
) -> None:
    clusters = package_copy / "data" / "clusters.csv"
    lines = clusters.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    column = header.index("region_id")
    target = next(
        i
        for i, line in enumerate(lines[1:], start=2)
        if line.split(",")[column] and '"' not in line.split(",")[0]
    )
    cells = lines[target - 1].split(",")
    cells[column] = "atlantis"
    lines[target - 1] = ",".join(cells)
    clusters.write_text("".join(lines), encoding="utf-8")
    report = validate(package_copy)
    found = [
        (f.path, f.line, f.column, f.value) for f in report.findings if f.check == "foreign-key"
    ]
    assert found == [("data/clusters.csv", target, "region_id", "atlantis")]


@pytest.mark.parametrize("fail", [False, True])
def test_validate_closes_the_fast_path_connection_even_when_a_layer_fails(
    fail: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Layers 2 and 3 reuse layer 1's DuckDB tables; `validate` releases them in every case."""
    from clusterdata.validation.integrity import run as integrity
    from clusterdata.validation.pipeline import validate
    from clusterdata.validation.structure import duckdb_engine as fastpath

    closed: list[bool] = []
    original_close = fastpath.FastPackage.close

    def close(self: fastpath.FastPackage) -> None:
        closed.append(True)
        original_close(self)

    monkeypatch.setattr(fastpath.FastPackage, "close", close)
    if fail:

        def broken(*args: object) -> object:
            raise RuntimeError("layer 3 broke")

        monkeypatch.setattr(integrity, "run_integrity", broken)
    monkeypatch.setenv(fastpath.ENV, "1")
    schema = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
    descriptor = write_package(tmp_path, {"t": (schema, "id\na\na\n")})
    if fail:  # a crash is an internal-error finding (issue 13), the connection still closed
        report = validate(descriptor, use_default_checks=False)
        assert report.crashed
        assert any("layer 3 broke" in f.message for f in report.findings)
    else:
        report = validate(descriptor, use_default_checks=False)
        assert [(f.check, f.line) for f in report.findings] == [("primary-key", 3)]
    assert closed == [True]


def test_layer_3_leaves_key_checks_to_layer_1_when_it_ran_in_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Layer 1's DuckDB engine compared the keys already; layer 3 must not pay for it again,
    yet the report (findings and the number of checks run) is the same as on the other engine."""
    from clusterdata.validation.integrity import run as integrity
    from clusterdata.validation.structure import duckdb_engine as fastpath

    write_package(
        tmp_path,
        {
            "parent": (PARENT, "id,note\np1,x\np1,y\n"),
            "child": (CHILD, "id,parent_id,note\nc1,nope,\n"),
        },
    )
    reports = {}
    for mode in ("0", "1"):
        monkeypatch.setenv(fastpath.ENV, mode)
        calls: list[str] = []
        for name in ("primary_key_findings", "foreign_key_findings"):
            original = getattr(integrity, name)

            def spy(
                *args: object,
                _name: str = name,
                _original=original,
                _calls: list[str] = calls,
                **kwargs: object,
            ):
                _calls.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(integrity, name, spy)
        reports[mode] = validate(tmp_path, use_default_checks=False)
        monkeypatch.undo()
        assert bool(calls) == (mode == "0"), (mode, calls)
    assert reports["1"].findings == reports["0"].findings
    assert reports["1"].summary == reports["0"].summary
    assert _located(reports["1"].findings, "primary-key") == [("parent", 3, "id", "p1")]
    assert _located(reports["1"].findings, "foreign-key") == [("child", 2, "parent_id", "nope")]
