"""The issue-to-pr workflow: actionlint accepts it, and its import step, run as the runner runs
it on a sample issue body, writes the row (valid) or leaves the data alone (invalid)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fixtures.packages import BUNDLED, REPO
from test_workflow import actionlint, lint

WORKFLOW = REPO / ".github" / "workflows" / "issue-to-pr.yml"
SAMPLE = REPO / "tests" / "fixtures" / "issues" / "add-cluster.md"

__all__ = ["actionlint"]


def test_issue_to_pr_workflow_passes_actionlint(actionlint: list[str]):
    done = lint(actionlint, WORKFLOW)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def import_step() -> str:
    jobs = yaml.safe_load(WORKFLOW.read_text("utf-8"))["jobs"]
    return next(s["run"] for s in jobs["propose"]["steps"] if s.get("id") == "import")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A working directory shaped like the runner's checkout, with this test's clusterdata."""
    shutil.copytree(BUNDLED, tmp_path / "datapackage")
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "clusterdata").symlink_to(
        Path(sys.executable).parent / "clusterdata"
    )
    return tmp_path


def run_step(checkout: Path, body: str) -> tuple[str, str]:
    runner_temp = checkout / "runner-temp"
    runner_temp.mkdir()
    output = checkout / "github-output"
    done = subprocess.run(
        ["bash", "-e", "-c", import_step()],
        cwd=checkout,
        env={
            "PATH": "/usr/bin:/bin",
            "ISSUE_BODY": body,
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_OUTPUT": str(output),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return output.read_text("utf-8"), (runner_temp / "result.txt").read_text("utf-8")


def test_import_step_turns_the_sample_issue_into_a_row(checkout: Path):
    output, result = run_step(checkout, SAMPLE.read_text("utf-8"))
    assert output == "code=0\n"
    assert "imported 1 row(s) into data/clusters.csv" in result
    text = (checkout / "datapackage" / "data" / "clusters.csv").read_text("utf-8")
    assert "\nrobotdalen-exempel,Robotdalen Exempel Väst,karlstads-kommun," in text


def test_import_step_reports_a_bad_issue_and_leaves_the_data_alone(checkout: Path):
    before = (checkout / "datapackage" / "data" / "clusters.csv").read_bytes()
    body = SAMPLE.read_text("utf-8").replace("\nstated\n", "\nsaid\n")
    output, result = run_step(checkout, body)
    assert output == "code=1\n"
    assert "issue, column provenance: error [constraint-enum]" in result
    assert (checkout / "datapackage" / "data" / "clusters.csv").read_bytes() == before
