"""A contribution made the way a regional development officer makes one, through the workflow.

Each test builds a temporary git repository (`ci_repo`: the dataset, the Makefile, the scripts,
`origin/main` as the base) and runs the commands and workflow steps a pull request runs:

- a correct row appended by Excel ("CSV UTF-8": byte-order mark, CRLF, no final newline) passes
  locally and under `--base`, and the workflow's format step makes the file canonical and
  commits it to the branch;
- a wrong region id is one root-cause group led by the contributor's own line, with "did you
  mean";
- a typo in an existing id is one group led by that id's own row, not by the references to it
  in files the contributor never touched;
- a file saved with `;` as separator gives one error naming the separator.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from fixtures.cirepo import run_step
from fixtures.scratchrepo import CLUSTERS, NEW_ID, commit, csv_line, git, read_csv, valid_row

pytestmark = pytest.mark.slow


def make(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "--silent", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def validate_json(repo: Path, *extra: str) -> tuple[int, dict]:
    """`clusterdata validate --format json`, as `make validate` runs it."""
    command = [str(repo / ".venv" / "bin" / "clusterdata"), "validate", "datapackage"]
    done = subprocess.run(
        [*command, "--format", "json", *extra],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout)


def save_as_excel(repo: Path, table: str, row: dict[str, str]) -> Path:
    """The table with `row` appended, as Excel's "CSV UTF-8" writes it."""
    path = repo / "datapackage" / "data" / f"{table}.csv"
    header, _ = read_csv(path)
    text = path.read_text("utf-8") + csv_line(header, row)
    path.write_bytes(b"\xef\xbb\xbf" + text.rstrip("\n").replace("\n", "\r\n").encode("utf-8"))
    return path


def with_remote(repo: Path, tmp_path: Path) -> Path:
    """A bare `origin` holding main and the contribution branch, as GitHub would."""
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "--quiet", "origin", "main", "contribution")
    git(repo, "fetch", "--quiet", "origin")
    return remote


def test_excel_saved_correct_row_passes_and_the_format_step_commits_canonical_layout(
    ci_repo: Path, tmp_path: Path
):
    path = save_as_excel(ci_repo, "clusters", valid_row(ci_repo, "clusters", NEW_ID))
    commit(ci_repo, "Add a cluster (saved from Excel)")
    remote = with_remote(ci_repo, tmp_path)

    assert make(ci_repo, "validate").returncode == 0
    assert make(ci_repo, "validate", "ARGS=--base origin/main").returncode == 0
    code, plain = validate_json(ci_repo)
    assert code == 0 and plain["valid"], plain["findings"]
    code, based = validate_json(ci_repo, "--base", "origin/main")
    assert code == 0 and based["valid"], based["findings"]
    layout = [f for f in based["findings"] if f["check"] == "not-canonical"]
    assert [(f["severity"], f["path"]) for f in layout] == [("notice", CLUSTERS)]
    for words in ("byte-order mark", "line endings are CRLF", "missing final newline"):
        assert words in layout[0]["message"]
    assert "should be" not in layout[0]["message"]

    step = run_step(
        ci_repo, "canonical form and commit", tmp_path / "summary.md", HEAD_REF="contribution"
    )
    assert step.returncode == 0, step.stdout + step.stderr
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
    assert make(ci_repo, "validate", "ARGS=--base origin/main").returncode == 0
    check = subprocess.run(
        [str(ci_repo / ".venv" / "bin" / "clusterdata"), "format", "datapackage", "--check"],
        cwd=ci_repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    pushed = git(remote, "show", f"contribution:datapackage/{CLUSTERS}")
    assert pushed.encode("utf-8") == data
    assert "Canonical layout" in git(remote, "log", "-1", "--format=%s", "contribution")
    code, after = validate_json(ci_repo, "--base", "origin/main")
    assert code == 0 and [f for f in after["findings"] if f["check"] == "not-canonical"] == []


def test_format_step_with_nothing_to_do_commits_nothing(ci_repo: Path, tmp_path: Path):
    remote = with_remote(ci_repo, tmp_path)
    before = git(remote, "rev-parse", "contribution")
    step = run_step(
        ci_repo, "canonical form and commit", tmp_path / "s.md", HEAD_REF="contribution"
    )
    assert step.returncode == 0, step.stderr
    assert "nothing to commit" in step.stdout
    assert git(remote, "rev-parse", "contribution") == before


def test_wrong_region_id_is_one_group_led_by_the_contributors_line_with_did_you_mean(
    ci_repo: Path, tmp_path: Path
):
    row = valid_row(ci_repo, "clusters", NEW_ID)
    row["region_id"] = "norrbotten"
    path = ci_repo / "datapackage" / CLUSTERS
    line = path.read_bytes().count(b"\n") + 1
    path.write_bytes(path.read_bytes() + csv_line(read_csv(path)[0], row).encode("utf-8"))
    commit(ci_repo)
    code, report = validate_json(ci_repo, "--base", "origin/main")
    assert code == 1
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    leader = errors[0]
    assert (leader["path"], leader["line"], leader["column"]) == (CLUSTERS, line, "region_id")
    assert {f["cause"] for f in errors} == {f"{CLUSTERS}:{line}:region_id:foreign-key"}
    assert leader["hint"].startswith("Did you mean 'norrbottens-lan'?")

    step = run_step(ci_repo, "Validate the data", tmp_path / "summary.md")
    assert step.returncode != 0
    first = next(x for x in step.stdout.splitlines() if x.startswith("::error"))
    assert first.startswith(f"::error file=datapackage/{CLUSTERS},line={line},")
    assert "Did you mean 'norrbottens-lan'?" in first


def test_typo_in_an_existing_id_is_one_group_led_by_its_own_row(ci_repo: Path):
    """The renamed id is the cause; the references to the old id in other files follow it."""
    path = ci_repo / "datapackage" / CLUSTERS
    _, rows = read_csv(path)
    referenced = "paper-province"
    assert any(r["id"] == referenced for r in rows)
    text = path.read_text("utf-8").replace(f"\n{referenced},", "\npaper-provinse,", 1)
    path.write_text(text, "utf-8")
    commit(ci_repo)
    code, report = validate_json(ci_repo, "--base", "origin/main")
    assert code == 1
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    leader = errors[0]
    assert (leader["check"], leader["path"]) == ("breaking-change", CLUSTERS)
    knock_on = [f for f in errors if f["check"] == "foreign-key"]
    assert knock_on and {f["path"] for f in knock_on} - {CLUSTERS}
    assert {f["cause"] for f in knock_on} == {leader["cause"]}
    assert all("Did you mean 'paper-provinse'?" in f["hint"] for f in knock_on)


def test_semicolon_separated_file_gives_one_error_naming_the_separator(ci_repo: Path):
    path = ci_repo / "datapackage" / CLUSTERS
    header, rows = read_csv(path)
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[r[h] for h in header] for r in rows])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    commit(ci_repo)
    code, report = validate_json(ci_repo, "--base", "origin/main")
    assert code == 1
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert len(errors) == 1, errors
    assert "semicolons" in errors[0]["message"] and "';'" in errors[0]["message"]
    assert "comma" in errors[0]["hint"].lower()
