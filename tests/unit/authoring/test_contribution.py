"""Contribution rules (`validate --base REF`) on a scratch git repository holding the dataset.

Each test starts from a base commit on `main` (the repository's datapackage/ and schemas/, with
generated files brought up to date), switches to a branch, edits the data the way a contributor
would, commits, and runs the CLI from the repository root as CI does. Rows are built from the
real CSV header, so the tests follow the dataset as its columns change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures.packages import BUNDLED, CliResult
from fixtures.scratchrepo import (
    CLUSTERS,
    NEW_ID,
    append_row,
    commit,
    git,
    read_csv,
    valid_row,
)


def annotations(result: CliResult, check: str) -> list[str]:
    return [
        line
        for line in result.out.splitlines()
        if line.startswith("::") and f"title={check}" in line
    ]


Cli = Callable[..., CliResult]


def own_findings(result: CliResult, base: CliResult) -> list[dict]:
    """Findings the contribution brought: those not already on the base side. Compared without
    the line, which an inserted row shifts for every later row of its file."""

    def key(f: dict) -> tuple:
        return (f["path"], f["column"], f["check"], f["value"], f["message"])

    known = {key(f) for f in base.json()["findings"]}
    return [f for f in result.json()["findings"] if key(f) not in known]


@pytest.fixture
def base_result(repo: Path, cli: Cli) -> CliResult:
    """The base's own verdict: the dataset is edited by others while these tests run."""
    return cli("validate", "datapackage", "--format", "json")


def test_one_valid_new_cluster_row_passes_against_the_base(
    repo: Path, cli: Cli, base_result: CliResult
):
    line = append_row(repo, "clusters", valid_row(repo, "clusters", NEW_ID))
    commit(repo)
    result = cli("validate", "datapackage", "--base", "main", "--format", "json")
    assert own_findings(result, base_result) == []
    assert result.code == base_result.code
    github = cli("validate", "datapackage", "--base", "main", "--format", "github")
    assert f"datapackage/{CLUSTERS},line={line}," not in github.out


def test_dangling_region_is_annotated_on_its_line_in_the_pull_request(repo: Path, cli: Cli):
    row = valid_row(repo, "clusters", NEW_ID)
    row["region_id"] = "no-such-region"
    line = append_row(repo, "clusters", row)
    commit(repo)
    result = cli("validate", "datapackage", "--base", "main", "--format", "github", "--no-checks")
    assert result.code == 1
    hits = [
        a
        for a in result.out.splitlines()
        if a.startswith(f"::error file=datapackage/{CLUSTERS},line={line},") and "foreign-key" in a
    ]
    assert hits, result.out
    assert "no-such-region" in hits[0]


def test_renamed_id_is_a_breaking_change_at_the_rows_new_line(repo: Path, cli: Cli):
    path = repo / "datapackage" / CLUSTERS
    lines = path.read_text("utf-8").split("\n")
    old_id = lines[1].split(",")[0]
    lines[1] = old_id + "-renamed" + lines[1][len(old_id) :]
    path.write_text("\n".join(lines), "utf-8")
    commit(repo)
    result = cli("validate", "datapackage", "--base", "main", "--format", "json", "--no-checks")
    assert result.code == 1
    breaking = [f for f in result.json()["findings"] if f["check"] == "breaking-change"]
    assert [(f["path"], f["line"], f["severity"], f["value"]) for f in breaking] == [
        (CLUSTERS, 2, "error", f"{old_id}-renamed")
    ]
    assert old_id in breaking[0]["message"] and "--allow-breaking" in breaking[0]["hint"]


def test_allow_breaking_turns_a_renamed_id_into_a_warning(repo: Path, cli: Cli):
    path = repo / "datapackage" / CLUSTERS
    lines = path.read_text("utf-8").split("\n")
    old_id = lines[1].split(",")[0]
    lines[1] = old_id + "-renamed" + lines[1][len(old_id) :]
    path.write_text("\n".join(lines), "utf-8")
    result = cli(
        "validate",
        "datapackage",
        "--base",
        "main",
        "--format",
        "json",
        "--allow-breaking",
        "--no-checks",
    )
    severities = {
        f["severity"] for f in result.json()["findings"] if f["check"] == "breaking-change"
    }
    assert severities == {"warning"}


def test_removed_row_is_a_breaking_change_at_its_base_line(repo: Path, cli: Cli):
    path = repo / "datapackage" / CLUSTERS
    lines = path.read_text("utf-8").split("\n")
    header, rows = read_csv(path)
    removed = rows[1][header[0]]
    removed_line = next(
        i for i, text in enumerate(lines, start=1) if text.startswith(removed + ",")
    )
    del lines[removed_line - 1]
    path.write_text("\n".join(lines), "utf-8")
    commit(repo)
    result = cli("validate", "datapackage", "--base", "main", "--format", "json", "--no-checks")
    assert result.code == 1
    breaking = [
        (f["line"], f["value"])
        for f in result.json()["findings"]
        if f["check"] == "breaking-change"
    ]
    assert breaking == [(removed_line, removed)]


def test_reordered_rows_are_a_located_notice_not_an_error(repo: Path, cli: Cli):
    """Layout is the project's job: the swapped rows pass, with a notice naming the line."""
    path = repo / "datapackage" / CLUSTERS
    lines = path.read_text("utf-8").split("\n")
    lines[1], lines[2] = lines[2], lines[1]
    path.write_text("\n".join(lines), "utf-8")
    commit(repo)
    result = cli("validate", "datapackage", "--base", "main", "--format", "github", "--no-checks")
    assert result.code == 0, result.out
    found = annotations(result, "not-canonical")
    assert len(found) == 1 and found[0].startswith(
        f"::notice file=datapackage/{CLUSTERS},line=3,"
    ), result.out
    assert "line 3 is out of id order" in found[0]
    assert "should be" not in found[0]
    assert annotations(result, "breaking-change") == []


def test_new_row_without_source_is_missing_source_not_a_bare_required_cell(repo: Path, cli: Cli):
    row = valid_row(repo, "clusters", NEW_ID)
    row["source_id"] = ""
    line = append_row(repo, "clusters", row)
    commit(repo)
    result = cli("validate", "datapackage", "--base", "main", "--format", "json", "--no-checks")
    assert result.code == 1
    at_line = [
        (f["check"], f["column"])
        for f in result.json()["findings"]
        if f["path"] == CLUSTERS and f["line"] == line
    ]
    assert at_line == [("missing-source", "source_id")]


def test_unchanged_row_without_source_is_not_blamed_on_the_contribution(tmp_path: Path):
    """The rule is about new or changed rows; old rows are the base's business."""
    from fixtures.packages import write_package

    from clusterdata.authoring.contribution import compare_tables
    from clusterdata.core.package import open_package

    schema = {
        "fields": [{"name": "id"}, {"name": "name"}, {"name": "source_id"}],
        "primaryKey": ["id"],
    }
    old = open_package(
        write_package(tmp_path / "old", {"t": (schema, "id,name,source_id\na,A,\nb,B,s\n")})
    )
    new = open_package(
        write_package(tmp_path / "new", {"t": (schema, "id,name,source_id\na,A,\nb,B2,\nc,C,\n")})
    )
    findings = compare_tables(new, old, set(), set())
    assert [(f.check, f.line) for f in findings] == [("missing-source", 3), ("missing-source", 4)]


def test_hand_edited_descriptor_is_a_generated_file_edit(repo: Path, cli: Cli):
    descriptor = repo / "datapackage" / "datapackage.json"
    data = json.loads(descriptor.read_text("utf-8"))
    data["resources"][0]["schema"]["description"] = "Edited by hand."
    descriptor.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    commit(repo)
    result = cli("validate", "datapackage", "--base", "main", "--format", "json", "--no-checks")
    assert result.code == 1
    edited = [f for f in result.json()["findings"] if f["check"] == "generated-file-edited"]
    assert [(f["path"], f["value"]) for f in edited] == [
        ("datapackage.json", "datapackage/datapackage.json")
    ]
    assert isinstance(edited[0]["line"], int) and "schemas/tables" in edited[0]["hint"]


def test_changed_published_release_file_is_reported(repo: Path, cli: Cli):
    release = repo / "dist" / "release-1.0.0"
    release.mkdir(parents=True)
    (release / "clusters.csv").write_text("id\na\n", "utf-8")
    git(repo, "add", "dist")
    commit(repo, "release")
    git(repo, "branch", "-f", "main")
    (release / "clusters.csv").write_text("id\nb\n", "utf-8")
    result = cli("validate", "datapackage", "--base", "main", "--format", "json", "--no-checks")
    assert result.code == 1
    edited = [
        f["value"] for f in result.json()["findings"] if f["check"] == "generated-file-edited"
    ]
    assert edited == ["dist/release-1.0.0/clusters.csv"]


def test_base_is_read_without_touching_the_work_tree(repo: Path, cli: Cli, base_result: CliResult):
    append_row(repo, "clusters", valid_row(repo, "clusters", NEW_ID))  # not committed
    before = git(repo, "status", "--porcelain")
    result = cli("validate", "datapackage", "--base", "main", "--format", "json", "--no-checks")
    assert own_findings(result, base_result) == []
    assert git(repo, "status", "--porcelain") == before
    assert NEW_ID in (repo / "datapackage" / CLUSTERS).read_text("utf-8")


def test_unknown_base_ref_is_a_usage_error(repo: Path, cli: Cli):
    result = cli("validate", "datapackage", "--base", "no-such-branch", "--no-checks")
    assert result.code == 2
    assert "no-such-branch" in result.err and "git fetch" in result.err


def test_package_outside_git_is_a_usage_error(
    package_copy: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(package_copy.parent.parent))
    result = cli("validate", str(package_copy), "--base", "main")
    assert result.code == 2
    assert "git checkout" in result.err


def contributing_examples() -> list[tuple[str, str]]:
    """(header, row) of each ```csv block in CONTRIBUTING.md, in order."""
    import re

    text = (BUNDLED.parent / "CONTRIBUTING.md").read_text("utf-8")
    blocks = re.findall(r"```csv\n(.*?)```", text, flags=re.S)
    return [tuple(block.strip().split("\n")) for block in blocks]  # type: ignore[misc]


def test_contributing_worked_example_uses_the_real_columns_and_passes(
    repo: Path, cli: Cli, base_result: CliResult
):
    (source_header, source_row), (cluster_header, cluster_row) = contributing_examples()
    data = repo / "datapackage" / "data"
    for table, header, row in (
        ("sources", source_header, source_row),
        ("clusters", cluster_header, cluster_row),
    ):
        path = data / f"{table}.csv"
        assert read_csv(path)[0] == header.split(","), f"CONTRIBUTING.md shows old {table} columns"
        path.write_bytes(path.read_bytes() + (row + "\n").encode("utf-8"))
    assert cli("format", "datapackage").code == 0
    commit(repo)
    result = cli("validate", "datapackage", "--base", "main", "--format", "json")
    assert own_findings(result, base_result) == []
