"""The release workflow: actionlint accepts it, and its shell steps, run in order against a
scratch repository (with a bare `origin`), a stand-in `gh` that records what it is asked, and a
local HTTP server standing in for GitHub Pages, release exactly when the data changed, move
`latest`, and leave every published version byte for byte as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from fixtures.packages import REPO
from fixtures.releasekit import serve
from fixtures.scratchrepo import NEW_ID, append_row, commit, git, valid_row
from test_workflow import actionlint, lint

import clusterdata
from clusterdata.release import home

WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
__all__ = ["actionlint"]

#: A `gh` that answers `release view` from its record and records `release create`.
FAKE_GH = """#!/usr/bin/env bash
set -euo pipefail
record="$GH_RECORD"
if [ "$1 $2" = "release view" ]; then grep -qx "$3" "$record.tags" 2>/dev/null; exit $?; fi
if [ "$1 $2" = "release create" ]; then
  echo "$3" >> "$record.tags"
  printf '%s\\n' "$@" >> "$record"
  for arg in "$@"; do case "$arg" in *.zip|*.duckdb|*SHA256SUMS) test -f "$arg";; esac; done
  exit 0
fi
echo "fake gh: unexpected $*" >&2; exit 2
"""


def test_release_workflow_passes_actionlint(actionlint: list[str]) -> None:
    done = lint(actionlint, WORKFLOW)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text("utf-8"))


def test_release_runs_on_data_changes_on_main_and_by_hand_one_at_a_time() -> None:
    data = _workflow()
    on = data[True]  # YAML 1.1 reads the key `on` as True
    assert on["push"]["branches"] == ["main"]
    assert {"datapackage/**", "schemas/**"} <= set(on["push"]["paths"])
    assert "workflow_dispatch" in on
    assert data["concurrency"]["cancel-in-progress"] is False
    deploy = data["jobs"]["deploy"]
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def _steps() -> list[dict]:
    return _workflow()["jobs"]["release"]["steps"]


def _run_script(fragment: str) -> str:
    return next(s["run"] for s in _steps() if fragment in s["name"] and "run" in s)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A checkout of main as the workflow sees it: data, schemas, dist/, an `origin` to push to."""
    origin = tmp_path / "origin.git"
    repo = tmp_path / "checkout"
    repo.mkdir()
    for folder in ("datapackage", "schemas", "dist"):
        shutil.copytree(REPO / folder, repo / folder, ignore=shutil.ignore_patterns("site"))
    shutil.copy2(REPO / "Makefile", repo / "Makefile")
    shutil.copy2(REPO / "pyproject.toml", repo / "pyproject.toml")
    (repo / ".gitignore").write_text(".venv/\n_site/\npublish.log\ndist/.publish.lock\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "base")
    subprocess.run(["git", "init", "--quiet", "--bare", str(origin)], check=True)
    git(repo, "remote", "add", "origin", str(origin))
    git(repo, "push", "--quiet", "origin", "main")
    (repo / ".venv").mkdir()
    (repo / ".venv" / "bin").symlink_to(REPO / ".venv" / "bin")
    (repo / ".venv" / ".installed").touch()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    return repo


class Run:
    """One run of the release job's shell steps, honouring their `if:` as Actions would."""

    def __init__(self, repo: Path, pages: Path, live: str, event: str = "push") -> None:
        self.repo, self.pages, self.live, self.event = repo, pages, live, event
        work = repo.parent
        self.outputs = work / "outputs"
        self.record = work / "gh-record"
        self.log: list[subprocess.CompletedProcess[str]] = []

    def step(self, fragment: str, **env: str) -> subprocess.CompletedProcess[str]:
        environ = dict(
            os.environ,
            GITHUB_OUTPUT=str(self.outputs),
            GITHUB_STEP_SUMMARY=str(self.repo.parent / "summary.md"),
            GH_RECORD=str(self.record),
            PATH=f"{self.repo.parent / 'bin'}{os.pathsep}{os.environ['PATH']}",
            **env,
        )
        environ.pop("MAKEFLAGS", None)
        done = subprocess.run(
            ["bash", "-e", "-c", _run_script(fragment)],
            cwd=self.repo,
            env=environ,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        self.log.append(done)
        assert done.returncode == 0, f"{fragment}:\n{done.stdout}\n{done.stderr}"
        return done

    def output(self) -> dict[str, str]:
        text = self.outputs.read_text("utf-8") if self.outputs.is_file() else ""
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    def __call__(self) -> str | None:
        """Run every step; returns the published version (None when nothing was published)."""
        self.outputs.unlink(missing_ok=True)
        self.step("Validate the data")
        self.step("Publish the next version")
        out = self.output()
        version = out.get("version")
        if version:
            self.step("Commit the release", VERSION=version)
            self.step("Create the GitHub Release", VERSION=version, FOLDER=out["folder"])
        if version or self.event == "workflow_dispatch":
            self.step("Build the site and every release", PAGES_URL=self.live)
            # Stand-in for actions/deploy-pages: the artifact becomes what Pages serves.
            shutil.rmtree(self.pages, ignore_errors=True)
            shutil.copytree(self.repo / "_site", self.pages)
        return version


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _calls(record: Path) -> list[list[str]]:
    if not record.is_file():
        return []
    calls, current = [], []
    for line in record.read_text("utf-8").splitlines():
        if line == "release" and current:
            calls.append(current)
            current = []
        current.append(line)
    return [*calls, current] if current else calls


@pytest.mark.slow
def test_release_steps_publish_only_changed_data_move_latest_and_keep_old_versions(
    scratch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = tmp_path / "pages"
    served.mkdir()
    monkeypatch.setenv("CLUSTERDATA_CACHE", str(tmp_path / "cache"))
    with serve(served) as live:
        monkeypatch.setenv(home.ENVIRONMENT, live)
        # A run by hand deploys the home as it is (and publishes the data if it changed).
        first = Run(scratch, served, live, event="workflow_dispatch")()
        published = _files(served / "releases")
        before = json.loads((served / "releases.json").read_text("utf-8"))
        assert before["latest"] == (first or before["releases"][0]["version"])
        assert "index.html" in _files(served), "the site is deployed beside the releases"
        head = git(scratch, "rev-parse", "HEAD")
        calls = len(_calls(scratch.parent / "gh-record"))

        # Data unchanged: no release, no commit, no GitHub Release, nothing deployed.
        assert Run(scratch, served, live)() is None
        assert git(scratch, "rev-parse", "HEAD") == head
        assert len(_calls(scratch.parent / "gh-record")) == calls

        # A new cluster lands on main: a new minor version, committed, tagged, released.
        row = valid_row(scratch, "clusters", NEW_ID)
        append_row(scratch, "clusters", row)
        commit(scratch, "a new cluster")
        version = Run(scratch, served, live)()
        assert version is not None and version != before["latest"]
        origin = scratch.parent / "origin.git"
        assert git(origin, "tag", "--list").split() == [
            *([f"v{first}"] if first else []),
            f"v{version}",
        ]
        assert (
            git(origin, "log", "-1", "--format=%s", "main").strip()
            == f"Release {version} of the data"
        )
        create = _calls(scratch.parent / "gh-record")[-1]
        assert create[:3] == ["release", "create", f"v{version}"]
        assets = sorted(Path(a).name for a in create if a.endswith((".zip", ".duckdb", "SUMS")))
        assert assets == sorted(
            ["SHA256SUMS", f"swedish-clusters-{version}.zip", f"swedish-clusters-{version}.duckdb"]
        )

        after = json.loads((served / "releases.json").read_text("utf-8"))
        assert after["latest"] == version
        assert [r["version"] for r in after["releases"]][1:] == [
            r["version"] for r in before["releases"]
        ]
        now = _files(served / "releases")
        for name, data in published.items():
            if not name.startswith("latest/"):
                assert now[name] == data, f"{name} changed after it was published"
        assert _files(served / "releases" / "latest") == _files(served / "releases" / version)
        tables = clusterdata.load("latest")
        assert NEW_ID in set(tables["clusters"]["id"])
        assert NEW_ID not in set(clusterdata.load(version=before["latest"])["clusters"]["id"])
