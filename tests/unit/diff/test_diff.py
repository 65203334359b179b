"""The diff engine: every version rule with a before/after pair, renders, and the sides of
`clusterdata diff` (path, git ref, published version)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fixtures.packages import write_package

from clusterdata.core.package import open_package
from clusterdata.diff import canonical, diff_packages, parse_cell, type_change
from clusterdata.release.versioning import Level

REGIONS: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "name", "type": "string"},
        {"name": "population", "type": "integer"},
    ],
    "primaryKey": ["id"],
}
CLUSTERS: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "region_id", "type": "string"},
        {"name": "score", "type": "number"},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["region_id"], "reference": {"resource": "regions", "fields": ["id"]}}
    ],
}
REGIONS_CSV = "id,name,population\nse-ab,Stockholm,2400000\nse-c,Uppsala,400000\n"
CLUSTERS_CSV = "id,region_id,score\nbio,se-c,1.5\nict,se-ab,2\n"


def pair(
    tmp_path: Path,
    *,
    regions: tuple[dict[str, Any], str] | None = None,
    clusters: tuple[dict[str, Any], str] | None = None,
    extra: dict[str, tuple[dict[str, Any], str]] | None = None,
    drop: str | None = None,
    **meta: Any,
):
    """Old = the base package; new = the base with the given tables replaced."""
    base = {"regions": (REGIONS, REGIONS_CSV), "clusters": (CLUSTERS, CLUSTERS_CSV)}
    write_package(tmp_path / "old", base)
    tables = dict(base)
    if regions:
        tables["regions"] = regions
    if clusters:
        tables["clusters"] = clusters
    tables.update(extra or {})
    if drop:
        del tables[drop]
    write_package(tmp_path / "new", tables, **meta)
    return diff_packages(open_package(tmp_path / "old"), open_package(tmp_path / "new"))


def with_field(schema: dict[str, Any], spec: dict[str, Any], index: int | None = None):
    out = copy.deepcopy(schema)
    out["fields"].insert(len(out["fields"]) if index is None else index, spec)
    return out


def test_identical_packages_have_no_changes(tmp_path: Path) -> None:
    diff = pair(tmp_path)
    assert diff.level() is Level.NONE
    assert diff.headline() == "no changes"


def test_row_added_is_minor_and_named_by_key(tmp_path: Path) -> None:
    diff = pair(tmp_path, clusters=(CLUSTERS, CLUSTERS_CSV + "paper,se-c,3\n"))
    assert diff.level() is Level.MINOR
    assert diff.headline() == "+1 row in clusters"
    table = next(t for t in diff.tables if t.name == "clusters")
    assert [r.key_text for r in table.added] == ["paper"]


def test_row_removed_is_major(tmp_path: Path) -> None:
    diff = pair(tmp_path, clusters=(CLUSTERS, "id,region_id,score\nbio,se-c,1.5\n"))
    assert diff.level() is Level.MAJOR
    table = next(t for t in diff.tables if t.name == "clusters")
    assert [r.key_text for r in table.removed] == ["ict"]


def test_id_changed_is_major_and_reported_as_a_key_change(tmp_path: Path) -> None:
    diff = pair(tmp_path, clusters=(CLUSTERS, "id,region_id,score\nbio,se-c,1.5\nit,se-ab,2\n"))
    assert diff.level() is Level.MAJOR
    table = next(t for t in diff.tables if t.name == "clusters")
    assert table.key_changes == [("ict", "it")]


def test_value_corrected_is_patch_with_old_and_new_value(tmp_path: Path) -> None:
    diff = pair(tmp_path, regions=(REGIONS, REGIONS_CSV.replace("Uppsala", "Uppsala län")))
    assert diff.level() is Level.PATCH
    (row,) = next(t for t in diff.tables if t.name == "regions").modified
    assert (row.key_text, [(c.field, c.old, c.new) for c in row.changes]) == (
        "se-c",
        [("name", "Uppsala", "Uppsala län")],
    )


def test_reformatted_numbers_and_reordered_rows_are_not_changes(tmp_path: Path) -> None:
    diff = pair(tmp_path, clusters=(CLUSTERS, "id,region_id,score\nict,se-ab,2.0\nbio,se-c,1.50\n"))
    assert diff.level() is Level.NONE, diff.reasons()


def test_optional_field_added_is_minor(tmp_path: Path) -> None:
    schema = with_field(REGIONS, {"name": "area", "type": "number"})
    diff = pair(
        tmp_path,
        regions=(
            schema,
            "id,name,population,area\nse-ab,Stockholm,2400000,6519\nse-c,Uppsala,400000,\n",
        ),
    )
    assert diff.level() is Level.MINOR
    assert [c.kind for c in diff.tables[0].schema] == ["field-added"]


def test_required_field_added_is_major(tmp_path: Path) -> None:
    schema = with_field(
        REGIONS, {"name": "code", "type": "string", "constraints": {"required": True}}
    )
    diff = pair(
        tmp_path,
        regions=(
            schema,
            "id,name,population,code\nse-ab,Stockholm,2400000,AB\nse-c,Uppsala,400000,C\n",
        ),
    )
    assert diff.level() is Level.MAJOR
    assert [c.kind for c in diff.tables[0].schema] == ["field-added-required"]


def test_field_removed_is_major(tmp_path: Path) -> None:
    schema = copy.deepcopy(REGIONS)
    schema["fields"].pop()
    diff = pair(tmp_path, regions=(schema, "id,name\nse-ab,Stockholm\nse-c,Uppsala\n"))
    assert diff.level() is Level.MAJOR
    assert [c.kind for c in diff.tables[0].schema] == ["field-removed"]


def test_field_renamed_is_reported_as_removed_plus_added_and_breaking(tmp_path: Path) -> None:
    schema = copy.deepcopy(REGIONS)
    schema["fields"][2]["name"] = "inhabitants"
    diff = pair(tmp_path, regions=(schema, REGIONS_CSV.replace("population", "inhabitants")))
    kinds = {c.kind: c.message for c in diff.tables[0].schema}
    assert set(kinds) == {"field-removed", "field-added"}
    assert "probably renamed to 'inhabitants'" in kinds["field-removed"]
    assert diff.level() is Level.MAJOR


def test_type_narrowed_is_major_and_widened_is_minor(tmp_path: Path) -> None:
    narrowed = copy.deepcopy(CLUSTERS)
    narrowed["fields"][2]["type"] = "integer"
    diff = pair(
        tmp_path / "a", clusters=(narrowed, "id,region_id,score\nbio,se-c,1\nict,se-ab,2\n")
    )
    assert [c.kind for c in diff.tables[1].schema] == ["type-narrowed"]
    assert diff.level() is Level.MAJOR
    widened = copy.deepcopy(REGIONS)
    widened["fields"][2]["type"] = "number"
    diff = pair(tmp_path / "b", regions=(widened, REGIONS_CSV))
    assert [c.kind for c in diff.tables[0].schema] == ["type-widened"]
    assert diff.level() is Level.MINOR


def test_type_lattice() -> None:
    assert type_change("integer", "number") == "widened"
    assert type_change("year", "integer") == "widened"
    assert type_change("date", "string") == "widened"
    assert type_change("number", "integer") == "narrowed"
    assert type_change("string", "date") == "narrowed"
    assert type_change("date", "integer") == "narrowed"


def test_primary_key_changed_is_major(tmp_path: Path) -> None:
    schema = copy.deepcopy(REGIONS)
    schema["primaryKey"] = ["id", "name"]
    diff = pair(tmp_path, regions=(schema, REGIONS_CSV))
    assert [c.kind for c in diff.tables[0].schema] == ["primary-key-changed"]
    assert diff.level() is Level.MAJOR


def test_resource_added_is_minor_and_removed_is_major(tmp_path: Path) -> None:
    themes = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
    diff = pair(tmp_path / "a", extra={"themes": (themes, "id\nforest\n")})
    assert diff.level() is Level.MINOR
    assert diff.headline() == "new table themes (1 row)"
    diff = pair(tmp_path / "b", drop="clusters")
    assert diff.level() is Level.MAJOR


@pytest.mark.parametrize(
    ("old", "new", "level"),
    [
        ({}, {"required": True}, Level.MAJOR),
        ({"required": True}, {}, Level.MINOR),
        ({"enum": ["a", "b"]}, {"enum": ["a"]}, Level.MAJOR),
        ({"enum": ["a"]}, {"enum": ["a", "b"]}, Level.MINOR),
        ({"maximum": 10}, {"maximum": 5}, Level.MAJOR),
        ({"maximum": 5}, {"maximum": 10}, Level.MINOR),
        ({"minimum": 1}, {"minimum": 2}, Level.MAJOR),
        ({"pattern": "^[a-z]+$"}, {"pattern": "^[a-z-]+$"}, Level.MAJOR),
        ({"pattern": "^[a-z]+$"}, {}, Level.MINOR),
    ],
)
def test_constraint_tightened_is_major_and_loosened_is_minor(
    tmp_path: Path, old: dict[str, Any], new: dict[str, Any], level: Level
) -> None:
    before = copy.deepcopy(REGIONS)
    before["fields"][1]["constraints"] = old
    after = copy.deepcopy(REGIONS)
    after["fields"][1]["constraints"] = new
    write_package(tmp_path / "old", {"regions": (before, REGIONS_CSV)})
    write_package(tmp_path / "new", {"regions": (after, REGIONS_CSV)})
    diff = diff_packages(open_package(tmp_path / "old"), open_package(tmp_path / "new"))
    assert diff.level() is level, diff.reasons()


def test_metadata_change_is_patch_and_foreign_key_removed_is_minor(tmp_path: Path) -> None:
    diff = pair(tmp_path / "a", title="Swedish clusters")
    assert diff.level() is Level.PATCH
    assert [c.kind for c in diff.metadata] == ["metadata-changed"]
    loose = copy.deepcopy(CLUSTERS)
    del loose["foreignKeys"]
    diff = pair(tmp_path / "b", clusters=(loose, CLUSTERS_CSV))
    assert [c.kind for c in diff.tables[1].schema] == ["foreign-key-removed"]
    assert diff.level() is Level.MINOR


def test_table_without_primary_key_compares_rows_as_a_multiset(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "n", "type": "integer"}]}
    write_package(tmp_path / "old", {"t": (schema, "a,n\nx,1\nx,1\ny,2\n")})
    write_package(tmp_path / "new", {"t": (schema, "a,n\ny,02\nx,1\nz,3\n")})
    diff = diff_packages(open_package(tmp_path / "old"), open_package(tmp_path / "new"))
    (table,) = diff.tables
    assert table.key == []
    assert [r.new for r in table.added] == [{"a": "z", "n": "3"}]
    assert [r.old for r in table.removed] == [{"a": "x", "n": "1"}]
    assert diff.level() is Level.MAJOR


def test_cells_compare_as_parsed_values() -> None:
    number = {"type": "number"}
    assert canonical(parse_cell(number, "1.50")) == canonical(parse_cell(number, "1.5"))
    assert canonical(parse_cell(number, "1e3")) == canonical(parse_cell(number, "1000"))
    assert canonical(parse_cell({"type": "boolean"}, "TRUE")) == "true"
    assert parse_cell({"type": "integer"}, "") is None
    assert parse_cell({"type": "integer"}, "1.5") == "1.5"  # unparsable stays text


def test_renders_json_markdown_and_text(tmp_path: Path) -> None:
    from clusterdata.diff import render

    diff = pair(
        tmp_path,
        clusters=(CLUSTERS, CLUSTERS_CSV.replace("bio,se-c,1.5", "bio,se-c,9") + "paper,se-c,3\n"),
    )
    data = json.loads(render(diff, "json"))
    assert data["level"] == "minor"
    clusters = next(t for t in data["tables"] if t["name"] == "clusters")
    assert clusters["counts"] == {"added": 1, "removed": 0, "modified": 1}
    assert clusters["modified"][0]["changes"] == [{"field": "score", "old": "1.5", "new": "9"}]
    markdown = render(diff, "markdown")
    assert "**+1 row in clusters, ~1 row changed in clusters**" in markdown
    assert "| clusters | kept | 2 → 3 | 1 | 0 | 1 | 0 |" in markdown
    assert '`bio`: score: "1.5" → "9"' in markdown
    assert "  + paper" in render(diff, "text")


# --- sides of `clusterdata diff` ---------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


def test_diff_against_git_head_reads_the_ref_without_touching_the_work_tree(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    write_package(
        repo / "datapackage",
        {"regions": (REGIONS, REGIONS_CSV), "clusters": (CLUSTERS, CLUSTERS_CSV)},
    )
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    csv_file = repo / "datapackage" / "clusters.csv"
    csv_file.write_text(CLUSTERS_CSV + "paper,se-c,3\n", encoding="utf-8")
    before = csv_file.read_bytes()
    monkeypatch.chdir(repo)
    result = cli("diff", "HEAD", "datapackage", "--format", "json")
    assert result.code == 0, result.err
    assert result.json()["headline"] == "+1 row in clusters"
    assert result.json()["level"] == "minor"
    assert csv_file.read_bytes() == before
    status = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status.strip() == "M datapackage/clusters.csv"


def test_diff_of_an_unknown_ref_or_path_exits_2(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_package(tmp_path / "pkg", {"regions": (REGIONS, REGIONS_CSV)})
    monkeypatch.chdir(tmp_path)
    result = cli("diff", "no-such-ref", "pkg")
    assert result.code == 2
    assert "not a package path, a published version" in result.err


def test_diff_against_a_published_version(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_package(tmp_path / "pkg", {"regions": (REGIONS, REGIONS_CSV)}, version="1.0.0")
    monkeypatch.chdir(tmp_path)
    assert cli("publish", "pkg", "--out", "dist", "--date", "2024-01-01").code == 0
    shutil.copy(tmp_path / "pkg" / "regions.csv", tmp_path / "regions.bak")
    (tmp_path / "pkg" / "regions.csv").write_text(REGIONS_CSV + "se-x,Ny,1\n", encoding="utf-8")
    result = cli("diff", "v1.0.0", "pkg", "--format", "json")
    assert result.code == 0, result.err
    data = result.json()
    assert (data["headline"], data["level"]) == ("+1 row in regions", "minor")
    # the release's own exports and delta are not compared with the source
    assert [t["name"] for t in data["tables"]] == ["regions"]
