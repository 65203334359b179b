"""`clusterdata publish`: versions from the change, immutability, atomicity, reproducibility,
and release contents that frictionless, DuckDB and pandas all accept."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.packages import write_package

from clusterdata.diff import canonical, parse_cell

SOURCES: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "title", "type": "string"},
    ],
    "primaryKey": ["id"],
}
REGIONS: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "parent_id", "type": "string"},
        {"name": "name", "type": "string"},
        {"name": "population", "type": "integer"},
        {"name": "founded", "type": "date"},
        {"name": "share", "type": "number"},
        {"name": "coastal", "type": "boolean"},
        {"name": "source_id", "type": "string", "constraints": {"required": True}},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["parent_id"], "reference": {"resource": "", "fields": ["id"]}},
        {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}},
    ],
}
SOURCES_CSV = "id,title\nscb,Statistics Sweden\n"
REGIONS_CSV = (
    "id,parent_id,name,population,founded,share,coastal,source_id\n"
    "se-c,se,Uppsala län,400000,1634-01-01,0.5,true,scb\n"
    "se,,Sverige,10500000,,1,true,scb\n"
    "se-ab,se,Stockholms län,2400000,1634-01-01,,false,scb\n"
)
META = {"name": "mini", "version": "1.0.0", "title": "Mini", "licenses": [{"name": "CC0-1.0"}]}


def make(folder: Path, regions: tuple[dict[str, Any], str] = (REGIONS, REGIONS_CSV)) -> Path:
    write_package(folder, {"sources": (SOURCES, SOURCES_CSV), "regions": regions}, **META)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def releases(out: Path) -> list[dict[str, Any]]:
    return json.loads((out / "releases.json").read_text(encoding="utf-8"))["releases"]


@pytest.fixture
def first(tmp_path: Path, cli) -> tuple[Path, Path]:
    """A package and an OUT folder holding its first release, 1.0.0 of 2024-01-01."""
    pkg, out = make(tmp_path / "pkg"), tmp_path / "dist"
    result = cli("publish", pkg, "--out", out, "--date", "2024-01-01")
    assert result.code == 0, result.out + result.err
    return pkg, out


def test_first_release_takes_the_descriptor_version_and_frictionless_validates_it(
    first: tuple[Path, Path],
) -> None:
    from frictionless import validate

    _, out = first
    folder = out / "mini-1.0.0"
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert (descriptor["version"], descriptor["created"]) == ("1.0.0", "2024-01-01T00:00:00Z")
    assert descriptor["licenses"] == [{"name": "CC0-1.0"}]
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    for resource in descriptor["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data), resource["path"]
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    kinds = sorted((r.get("x-release", "table"), r["path"]) for r in descriptor["resources"])
    assert kinds == [
        ("delta", "data/delta.csv"),
        ("document", "CITATION.cff"),
        ("document", "LICENSE"),
        ("document", "README.md"),
        ("document", "data-dictionary.md"),
        ("export", "parquet/regions.parquet"),
        ("export", "parquet/sources.parquet"),
        ("table", "regions.csv"),
        ("table", "sources.csv"),
    ]
    (entry,) = releases(out)
    zip_bytes = (out / entry["zip"]).read_bytes()
    assert entry["zip_sha256"] == hashlib.sha256(zip_bytes).hexdigest()
    duck = (out / entry["duckdb"]).read_bytes()
    assert entry["duckdb_sha256"] == hashlib.sha256(duck).hexdigest()
    assert entry["summary"] == "first release: 2 tables, 4 rows"


def test_release_csvs_are_the_source_bytes_and_the_zip_holds_all_but_duckdb(
    first: tuple[Path, Path],
) -> None:
    import zipfile

    pkg, out = first
    folder = out / "mini-1.0.0"
    assert (folder / "regions.csv").read_bytes() == (pkg / "regions.csv").read_bytes()
    with zipfile.ZipFile(folder / "mini-1.0.0.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}
    assert "mini-1.0.0/mini-1.0.0.duckdb" not in names
    assert "mini-1.0.0/datapackage.json" in names and "mini-1.0.0/CHANGELOG.md" in names


def test_duckdb_opens_read_only_with_keys_declared_and_holding(first: tuple[Path, Path]) -> None:
    import duckdb

    _, out = first
    con = duckdb.connect(str(out / "mini-1.0.0" / "mini-1.0.0.duckdb"), read_only=True)
    try:
        constraints = sorted(
            con.execute(
                "SELECT table_name, constraint_text FROM duckdb_constraints() "
                "WHERE constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')"
            ).fetchall()
        )
        assert constraints == [
            ("regions", "FOREIGN KEY (parent_id) REFERENCES regions(id)"),
            ("regions", "FOREIGN KEY (source_id) REFERENCES sources(id)"),
            ("regions", "PRIMARY KEY(id)"),
            ("sources", "PRIMARY KEY(id)"),
        ]
        dangling = con.execute(
            "SELECT count(*) FROM regions r WHERE (r.parent_id IS NOT NULL AND r.parent_id NOT "
            "IN (SELECT id FROM regions)) OR r.source_id NOT IN (SELECT id FROM sources)"
        ).fetchone()
        assert dangling == (0,)
        assert con.execute(
            "SELECT typeof(population), typeof(founded) FROM regions LIMIT 1"
        ).fetchone() == ("BIGINT", "DATE")
    finally:
        con.close()


def test_pandas_and_duckdb_read_parquet_with_the_rows_of_the_csv(first: tuple[Path, Path]) -> None:
    import csv

    import duckdb
    import pandas as pd

    _, out = first
    folder = out / "mini-1.0.0"
    specs = {f["name"]: f for f in REGIONS["fields"]}
    with open(folder / "regions.csv", encoding="utf-8", newline="") as handle:
        expected = [
            {k: canonical(parse_cell(specs[k], v)) for k, v in row.items()}
            for row in csv.DictReader(handle)
        ]

    def text(value: Any) -> str | None:
        if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return canonical(parse_cell({"type": "number"}, repr(value)))
        if isinstance(value, pd.Timestamp | dt.date):
            return value.isoformat()[:10]
        return str(value)

    frame = pd.read_parquet(folder / "parquet" / "regions.parquet")
    from_pandas = [
        {k: text(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")
    ]
    con = duckdb.connect()
    cursor = con.execute(
        "SELECT * FROM read_parquet(?)", [str(folder / "parquet" / "regions.parquet")]
    )
    columns = [d[0] for d in cursor.description]
    from_duckdb = [
        {k: text(v) for k, v in zip(columns, row, strict=True)} for row in cursor.fetchall()
    ]
    assert from_pandas == expected
    assert from_duckdb == expected


def test_row_added_is_a_minor_release_with_the_row_in_changelog_and_delta(
    first: tuple[Path, Path], cli
) -> None:
    pkg, out = first
    (pkg / "regions.csv").write_text(
        REGIONS_CSV.replace("Uppsala län", "Uppsala") + "se-d,se,Södermanlands län,300000,,,"
        "true,scb\n",
        encoding="utf-8",
    )
    result = cli("publish", pkg, "--out", out, "--date", "2024-02-01")
    assert result.code == 0, result.out + result.err
    assert "mini 1.1.0" in result.out
    changelog = (out / "mini-1.1.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## 1.1.0 — 2024-02-01") < changelog.index("## 1.0.0 — 2024-01-01")
    assert "- added (1): `se-d`" in changelog
    assert '`se-c`: name: "Uppsala län" → "Uppsala"' in changelog
    delta = (out / "mini-1.1.0" / "data" / "delta.csv").read_text(encoding="utf-8")
    assert delta.splitlines()[1:] == [
        'regions,se-d,added,,,"{""id"":""se-d"",""parent_id"":""se"",""name"":""Södermanlands '
        'län"",""population"":""300000"",""founded"":"""",""share"":"""",""coastal"":""true"",'
        '""source_id"":""scb""}"',
        "regions,se-c,modified,name,Uppsala län,Uppsala",
    ]
    assert [r["version"] for r in releases(out)] == ["1.1.0", "1.0.0"]


def test_field_removed_is_a_major_release(first: tuple[Path, Path], cli) -> None:
    pkg, out = first
    schema = copy.deepcopy(REGIONS)
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "coastal"]
    lines = [
        ",".join(c for i, c in enumerate(line.split(",")) if i != 6)
        for line in REGIONS_CSV.splitlines()
    ]
    make(pkg, (schema, "\n".join(lines) + "\n"))
    result = cli("publish", pkg, "--out", out, "--date", "2024-02-01")
    assert result.code == 0, result.out + result.err
    assert (out / "mini-2.0.0").is_dir()
    assert "regions.coastal: field removed" in (out / "mini-2.0.0" / "CHANGELOG.md").read_text()


def test_value_correction_is_patch_and_bump_raises_it_but_never_lowers(
    first: tuple[Path, Path], cli
) -> None:
    pkg, out = first
    (pkg / "regions.csv").write_text(REGIONS_CSV.replace("400000", "400001"), encoding="utf-8")
    dry = cli("publish", pkg, "--out", out, "--dry-run")
    assert "mini 1.0.1" in dry.out
    raised = cli("publish", pkg, "--out", out, "--bump", "minor", "--dry-run")
    assert "mini 1.1.0" in raised.out and "released as minor" in raised.out
    (pkg / "regions.csv").write_text(REGIONS_CSV.replace("se-ab", "se-xy"), encoding="utf-8")
    not_lowered = cli("publish", pkg, "--out", out, "--bump", "patch", "--dry-run")
    assert "mini 2.0.0" in not_lowered.out


def test_dry_run_writes_nothing_and_prints_decision_and_changelog_entry(
    first: tuple[Path, Path], cli
) -> None:
    pkg, out = first
    before = snapshot(out)
    (pkg / "regions.csv").write_text(REGIONS_CSV + "se-d,se,D,1,,,true,scb\n", encoding="utf-8")
    result = cli("publish", pkg, "--out", out, "--dry-run", "--date", "2024-03-01")
    assert result.code == 0
    assert "would publish mini 1.1.0 (minor: +1 row in regions since 1.0.0" in result.out
    assert "## 1.1.0 — 2024-03-01" in result.out and "- added (1): `se-d`" in result.out
    assert snapshot(out) == before


def test_unchanged_data_publishes_nothing_unless_bump_is_given(
    first: tuple[Path, Path], cli
) -> None:
    pkg, out = first
    before = snapshot(out)
    result = cli("publish", pkg, "--out", out)
    assert result.code == 0
    assert "nothing to publish: mini is unchanged since 1.0.0" in result.out
    assert snapshot(out) == before
    forced = cli("publish", pkg, "--out", out, "--bump", "patch", "--date", "2024-01-02")
    assert forced.code == 0 and (out / "mini-1.0.1").is_dir()


def test_invalid_data_is_refused_with_the_report_and_nothing_written(tmp_path: Path, cli) -> None:
    pkg = make(tmp_path / "pkg", (REGIONS, REGIONS_CSV + "se-z,se,Z,many,,,true,scb\n"))
    out = tmp_path / "dist"
    result = cli("publish", pkg, "--out", out)
    assert result.code == 1
    assert "refused" in result.err
    assert "many" in result.out
    assert not out.exists()


def test_existing_version_with_different_content_is_refused(first: tuple[Path, Path], cli) -> None:
    pkg, out = first
    (out / "releases.json").unlink()  # the next run believes 1.0.0 is still to be published
    before = snapshot(out)
    (pkg / "regions.csv").write_text(REGIONS_CSV.replace("400000", "1"), encoding="utf-8")
    result = cli("publish", pkg, "--out", out, "--date", "2024-01-01")
    assert result.code == 1
    assert "already exists with different content" in result.err
    assert snapshot(out) == before
    assert not list(out.glob(".publish-*"))


def test_republishing_identical_content_is_a_no_op_that_restores_releases_json(
    first: tuple[Path, Path], cli
) -> None:
    pkg, out = first
    entry = releases(out)
    (out / "releases.json").unlink()
    folder_before = snapshot(out / "mini-1.0.0")
    result = cli("publish", pkg, "--out", out)
    assert result.code == 0, result.err
    assert "already published, identical" in result.out
    assert snapshot(out / "mini-1.0.0") == folder_before
    assert [r["zip_sha256"] for r in releases(out)] == [entry[0]["zip_sha256"]]


def test_two_builds_with_the_same_date_give_the_same_zip(tmp_path: Path, cli) -> None:
    pkg = make(tmp_path / "pkg")
    shas = []
    for name in ("a", "b"):
        out = tmp_path / name / "dist"
        assert cli("publish", pkg, "--out", out, "--date", "2024-01-01").code == 0
        shas.append(releases(out)[0]["zip_sha256"])
    assert shas[0] == shas[1]


def test_source_date_epoch_sets_the_release_date(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pkg, out = make(tmp_path / "pkg"), tmp_path / "dist"
    assert cli("publish", pkg, "--out", out).code == 0
    assert releases(out)[0]["date"] == "2023-11-14"


def test_interrupted_publish_leaves_previous_releases_untouched_and_no_partial_folder(
    first: tuple[Path, Path], cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clusterdata.release import exports

    pkg, out = first
    before = snapshot(out)
    (pkg / "regions.csv").write_text(REGIONS_CSV + "se-d,se,D,1,,,true,scb\n", encoding="utf-8")

    def crash(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_parquet", crash)
    monkeypatch.setenv("CLUSTERDATA_DEBUG", "")
    result = cli("publish", pkg, "--out", out, "--date", "2024-02-01")
    assert result.code == 2 and "disk full" in result.err
    assert snapshot(out) == before
    assert not (out / "mini-1.1.0").exists()
    assert not list(out.glob(".publish-*"))


def test_a_stale_temporary_folder_from_a_killed_run_is_cleaned(
    first: tuple[Path, Path], cli
) -> None:
    pkg, out = first
    stale = out / ".publish-killed"
    (stale / "mini-1.1.0").mkdir(parents=True)
    (stale / "mini-1.1.0" / "half.csv").write_text("id\n", encoding="utf-8")
    (pkg / "regions.csv").write_text(REGIONS_CSV + "se-d,se,D,1,,,true,scb\n", encoding="utf-8")
    assert cli("publish", pkg, "--out", out, "--date", "2024-02-01").code == 0
    assert not stale.exists()
    assert (out / "mini-1.1.0" / "datapackage.json").is_file()


@pytest.mark.slow
def test_the_bundled_dataset_publishes_a_valid_release(
    package_copy: Path, tmp_path: Path, cli
) -> None:
    from frictionless import validate

    out = tmp_path / "dist"
    result = cli("publish", package_copy, "--out", out, "--date", "2024-01-01")
    assert result.code == 0, result.out + result.err
    (entry,) = releases(out)
    report = validate(str(out / entry["folder"] / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_republishing_unchanged_bundled_data_publishes_nothing(tmp_path: Path, cli) -> None:
    """A release carries its SQL checks (`x-checks`); that is not a change of the data."""
    import shutil

    from fixtures.packages import BUNDLED, SCHEMAS

    shutil.copytree(BUNDLED, tmp_path / "datapackage")
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    out = tmp_path / "dist"
    args = ("publish", tmp_path / "datapackage", "--out", out, "--date", "2026-01-01")
    assert cli(*args).code == 0
    second = cli(*args)
    assert second.code == 0
    assert "nothing to publish" in second.out.lower()
    assert [p.name for p in out.iterdir() if p.is_dir()] == ["swedish-clusters-0.1.0"]


def test_dry_run_of_unchanged_data_says_only_that_there_is_nothing_to_publish(
    tmp_path: Path, cli
) -> None:
    import shutil

    from fixtures.packages import BUNDLED, SCHEMAS

    shutil.copytree(BUNDLED, tmp_path / "datapackage")
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    args = ("publish", tmp_path / "datapackage", "--out", tmp_path / "dist", "--date", "2026-01-01")
    assert cli(*args).code == 0
    result = cli(*args, "--dry-run")
    assert result.code == 0
    assert result.out.startswith("nothing to publish")
    assert "would publish" not in result.out
