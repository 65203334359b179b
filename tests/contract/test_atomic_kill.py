"""Nothing lost: `clusterdata format` and `clusterdata publish` killed with SIGKILL at any moment
leave the previous files and releases byte-identical and no partial output.

Two kinds of kill:
* at a random moment (20 runs per command, each a fresh subprocess killed after a random delay
  drawn over the measured length of a full run), as a crash or an impatient Ctrl-\\ would;
* at the worst moments, deterministically: a small driver replaces one function (`os.replace`,
  `os.rename`, `publish.write_releases`, …) by one that SIGKILLs the process on its n-th call,
  so the window between "temp file written" and "renamed into place" is hit every time.

A leftover temporary file or folder is acceptable only where the next complete run removes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").is_dir() else sys.executable
BUNDLED = REPO / "datapackage"
SCHEMAS = REPO / "schemas"
RUNS = 20
DATE = "2026-01-15"


HELP = subprocess.run(
    [PYTHON, "-m", "clusterdata", "--help"], capture_output=True, text=True, check=False
).stdout


def _has_command(name: str) -> bool:
    return f"    {name} " in HELP


needs_bundled = pytest.mark.skipif(
    not (BUNDLED / "datapackage.json").is_file(), reason="the bundled dataset is not there yet"
)


@pytest.mark.parametrize("command", ["format", "publish"])
def test_the_commands_these_tests_kill_are_listed_in_help(command: str) -> None:
    """Issue 13: these tests used to skip when `--help` did not list the command, so a
    command that vanished would pass silently; now they run, and this says why they fail."""
    assert _has_command(command), HELP


#: Runs `clusterdata ARGS` with one function replaced by "SIGKILL myself on call number N".
#: argv: module attribute n [substring the first argument must contain] -- ARGS…
KILL_DRIVER = r"""
import importlib, os, signal, sys
module_name, attribute, nth, needle = sys.argv[1:5]
args = sys.argv[sys.argv.index("--") + 1:]
module = importlib.import_module(module_name)
original = getattr(module, attribute)
calls = [0]
def killer(*a, **k):
    if not needle or (a and needle in str(a[0])):
        calls[0] += 1
        if calls[0] == int(nth):
            os.kill(os.getpid(), signal.SIGKILL)
    return original(*a, **k)
setattr(module, attribute, killer)
from clusterdata.cli import main
sys.exit(main(args))
"""


def tree(root: Path) -> dict[str, str]:
    """Relative path → sha256 (or 'dir') of everything under root."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            out[rel] = "dir"
            continue
        data = path.read_bytes()
        if path.name == "SHA256SUMS":  # its DuckDB line changes from build to build
            data = b"\n".join(x for x in data.split(b"\n") if not x.endswith(b".duckdb"))
        out[rel] = hashlib.sha256(data).hexdigest()
    return out


def clusterdata(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "clusterdata", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def kill_after(args: list[str], delay: float, cwd: Path) -> int:
    """Start `clusterdata ARGS`, SIGKILL it after `delay` seconds (if still running)."""
    proc = subprocess.Popen(
        [PYTHON, "-m", "clusterdata", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=60)


def kill_at(
    module: str, attribute: str, nth: int, needle: str, args: list[str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-c", KILL_DRIVER, module, attribute, str(nth), needle, "--", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def copy_layout(target: Path) -> Path:
    shutil.copytree(BUNDLED, target / "datapackage")
    shutil.copytree(SCHEMAS, target / "schemas")
    return target / "datapackage"


# --- format ---------------------------------------------------------------------------------


def _scramble(package: Path) -> dict[str, bytes]:
    """Make every CSV non-canonical (CRLF line ends, rows reversed): format must rewrite all."""
    originals: dict[str, bytes] = {}
    for csv_file in sorted((package / "data").glob("*.csv")):
        lines = csv_file.read_bytes().split(b"\n")
        header, rows = lines[0], [r for r in lines[1:] if r]
        if all(b'"' not in r for r in rows):
            rows = rows[::-1]  # safe only without quoted (possibly multi-line) cells
        data = b"\r\n".join([header, *rows]) + b"\r\n"
        csv_file.write_bytes(data)
        originals[csv_file.name] = data
    return originals


@pytest.fixture(scope="module")
def format_reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The scrambled bytes, the canonical bytes a complete run writes, and how long it takes."""
    base = tmp_path_factory.mktemp("format-reference")
    package = copy_layout(base)
    scrambled = _scramble(package)
    started = time.monotonic()
    proc = clusterdata("format", str(package), cwd=base)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    canonical = {p.name: p.read_bytes() for p in (package / "data").glob("*.csv")}
    assert any(canonical[n] != scrambled[n] for n in scrambled), "format changed nothing"
    return {"scrambled": scrambled, "canonical": canonical, "seconds": seconds}


def _check_format_state(package: Path, reference: dict[str, object]) -> list[str]:
    """Every table is whole, old or new; returns the temp files a kill left (hidden, named
    after their table), which the next complete run must remove."""
    scrambled = reference["scrambled"]
    canonical = reference["canonical"]
    assert isinstance(scrambled, dict) and isinstance(canonical, dict)
    extra = sorted(p.name for p in (package / "data").iterdir() if p.name not in scrambled)
    for name in extra:
        assert (
            name.startswith(".")
            and name.endswith(".tmp")
            and name[1:].split(".csv.", 1)[0] + ".csv" in scrambled
        ), f"unexpected file {name}"
    for name in scrambled:
        data = (package / "data" / name).read_bytes()
        assert data in (scrambled[name], canonical[name]), f"{name} is neither old nor new"
    return extra


def _reset(package: Path, scrambled: dict[str, bytes]) -> None:
    """Put the old tables back; temp files a kill left stay, for the next run to clean up."""
    for name, data in scrambled.items():
        (package / "data" / name).write_bytes(data)


@needs_bundled
@pytest.mark.slow
def test_format_killed_at_random_moments_leaves_every_file_old_or_new(
    tmp_path: Path, format_reference: dict[str, object]
) -> None:
    package = copy_layout(tmp_path)
    scrambled = format_reference["scrambled"]
    assert isinstance(scrambled, dict)
    seconds = float(format_reference["seconds"])  # type: ignore[arg-type]
    rnd = random.Random(int(os.environ.get("KILL_SEED", "0")) or None)
    left: set[str] = set()
    for run in range(RUNS):
        _reset(package, scrambled)
        # Half the kills anywhere, half in the last part of a run, where the writes happen.
        low = 0.05 if run % 2 else seconds * 0.6
        kill_after(["format", str(package)], rnd.uniform(low, seconds * 1.1), tmp_path)
        left.update(_check_format_state(package, format_reference))
    _reset(package, scrambled)
    proc = clusterdata("format", str(package), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    after = {p.name: p.read_bytes() for p in (package / "data").iterdir()}
    assert after == format_reference["canonical"], (
        f"temp files of killed runs survive a complete run: {sorted(set(after) - set(scrambled))}"
        f" (left over during the kills: {sorted(left)})"
    )


@needs_bundled
@pytest.mark.parametrize(
    ("module", "attribute", "nth"),
    [
        ("os", "fsync", 1),  # first temp file written, not yet renamed
        ("os", "replace", 1),  # first temp file synced, rename pending
        ("os", "replace", 3),  # two files replaced, the third pending
    ],
)
def test_format_killed_between_write_and_rename_loses_nothing(
    tmp_path: Path, format_reference: dict[str, object], module: str, attribute: str, nth: int
) -> None:
    package = copy_layout(tmp_path)
    scrambled = format_reference["scrambled"]
    assert isinstance(scrambled, dict)
    _reset(package, scrambled)
    proc = kill_at(module, attribute, nth, "", ["format", str(package)], tmp_path)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr)
    data = package / "data"
    leftovers = [p.name for p in data.iterdir() if p.name not in scrambled]
    for name in scrambled:
        assert (data / name).read_bytes() in (scrambled[name], format_reference["canonical"][name])  # type: ignore[index]
    # A temp file may be left by the kill; the next complete run must not keep it.
    proc = clusterdata("format", str(package), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    still = sorted(p.name for p in data.iterdir() if p.name not in scrambled)
    assert still == [], f"temp files left by the killed run {leftovers} survive the next run"


# --- publish --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def publish_reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """dist/ with release 0.1.0, a package with a patch-level change, and a complete 0.1.1."""
    base = tmp_path_factory.mktemp("publish-reference")
    package = copy_layout(base)
    dist = base / "dist"
    proc = clusterdata("publish", str(package), "--out", str(dist), "--date", DATE, cwd=base)
    assert proc.returncode == 0, proc.stderr
    first = sorted(p.name for p in dist.iterdir() if p.is_dir())
    assert len(first) == 1, first
    baseline = base / "baseline-dist"
    shutil.copytree(dist, baseline)
    # A correction of one value: the next publish is a new patch release.
    clusters = package / "data" / "clusters.csv"
    text = clusters.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[1] = lines[1].replace(",false,", ",true,", 1)
    assert lines[1] != text.split("\n")[1], "no cell to correct in clusters.csv"
    clusters.write_text("\n".join(lines), encoding="utf-8")
    started = time.monotonic()
    proc = clusterdata("publish", str(package), "--out", str(dist), "--date", DATE, cwd=base)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    second = sorted(p.name for p in dist.iterdir() if p.is_dir() and p.name not in first)
    assert len(second) == 1, second
    return {
        "package": package,
        "baseline": baseline,
        "old": first[0],
        "new": second[0],
        "complete": tree(dist / second[0]),
        "seconds": seconds,
    }


def _check_publish_state(dist: Path, ref: dict[str, object]) -> list[str]:
    """The old release is intact; the new one is absent or complete; returns temp leftovers."""
    baseline = ref["baseline"]
    assert isinstance(baseline, Path)
    old, new = str(ref["old"]), str(ref["new"])
    assert tree(dist / old) == tree(baseline / old), "the previous release changed"
    leftovers = []
    for entry in dist.iterdir():
        if entry.name in {old, "releases.json", ".publish.lock"}:
            continue
        if entry.name == new:
            complete = ref["complete"]
            assert isinstance(complete, dict)
            now = tree(entry)
            assert set(now) == set(complete), "a partial release folder is visible"
            for rel, digest in complete.items():
                if not rel.endswith(".duckdb"):  # DuckDB files are not byte-reproducible
                    assert now[rel] == digest, f"{rel} differs from a complete build"
            continue
        assert entry.name.startswith("."), f"unexpected entry in dist: {entry.name}"
        leftovers.append(entry.name)
    releases = json.loads((dist / "releases.json").read_text(encoding="utf-8"))
    listed = {r["folder"] for r in releases["releases"]}
    assert old in listed and listed <= {old, new}
    for release in releases["releases"]:
        assert (dist / release["folder"]).is_dir(), "releases.json lists a missing release"
    baseline_entry = next(
        r
        for r in json.loads((baseline / "releases.json").read_text(encoding="utf-8"))["releases"]
        if r["folder"] == old
    )
    assert next(r for r in releases["releases"] if r["folder"] == old) == baseline_entry
    return leftovers


def _reset_dist(dist: Path, baseline: Path) -> None:
    if dist.exists():
        shutil.rmtree(dist)
    shutil.copytree(baseline, dist)


def _recover(dist: Path, ref: dict[str, object], cwd: Path) -> None:
    """A complete run after a kill: it cleans up and ends with both releases recorded."""
    proc = clusterdata("publish", str(ref["package"]), "--out", str(dist), "--date", DATE, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    assert _check_publish_state(dist, ref) == [], "a temp folder survived the next run"
    releases = json.loads((dist / "releases.json").read_text(encoding="utf-8"))
    assert {r["folder"] for r in releases["releases"]} == {ref["old"], ref["new"]}


@needs_bundled
@pytest.mark.slow
def test_publish_killed_at_random_moments_keeps_releases_whole(
    tmp_path: Path, publish_reference: dict[str, object]
) -> None:
    baseline = publish_reference["baseline"]
    assert isinstance(baseline, Path)
    dist = tmp_path / "dist"
    seconds = float(publish_reference["seconds"])  # type: ignore[arg-type]
    rnd = random.Random(int(os.environ.get("KILL_SEED", "0")) or None)
    recovered = 0
    for run in range(RUNS):
        _reset_dist(dist, baseline)
        low = 0.05 if run % 2 else seconds * 0.5
        kill_after(
            ["publish", str(publish_reference["package"]), "--out", str(dist), "--date", DATE],
            rnd.uniform(low, seconds * 1.1),
            tmp_path,
        )
        leftovers = _check_publish_state(dist, publish_reference)
        if _recorded(dist, publish_reference):
            continue  # the kill came after the release was complete: nothing to recover
        if (leftovers and recovered < 2) or (run >= RUNS - 3 and not recovered):
            _recover(dist, publish_reference, tmp_path)
            recovered += 1


def _recorded(dist: Path, ref: dict[str, object]) -> bool:
    releases = json.loads((dist / "releases.json").read_text(encoding="utf-8"))
    return ref["new"] in {r["folder"] for r in releases["releases"]}


@needs_bundled
def test_publish_rerun_after_a_complete_run_publishes_nothing_new(
    tmp_path: Path, publish_reference: dict[str, object]
) -> None:
    """A kill after the release was recorded leaves a complete state; the rerun must not add a
    version (a published version follows from the data, not from how often publish ran)."""
    baseline = publish_reference["baseline"]
    assert isinstance(baseline, Path)
    dist = tmp_path / "dist"
    _reset_dist(dist, baseline)
    _recover(dist, publish_reference, tmp_path)
    before = tree(dist)
    proc = clusterdata(
        "publish",
        str(publish_reference["package"]),
        "--out",
        str(dist),
        "--date",
        DATE,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert tree(dist) == before, proc.stdout


@needs_bundled
@pytest.mark.parametrize(
    ("module", "attribute", "nth", "needle"),
    [
        ("os", "rename", 1, ".publish-"),  # release built, final rename pending
        (
            "clusterdata.release.publish",
            "write_releases",
            1,
            "",
        ),  # release in place, not yet recorded
        ("os", "replace", 1, "releases.json"),  # releases.json temp written, not renamed
    ],
)
def test_publish_killed_at_its_commit_points_recovers_on_the_next_run(
    tmp_path: Path,
    publish_reference: dict[str, object],
    module: str,
    attribute: str,
    nth: int,
    needle: str,
) -> None:
    baseline = publish_reference["baseline"]
    assert isinstance(baseline, Path)
    dist = tmp_path / "dist"
    _reset_dist(dist, baseline)
    proc = kill_at(
        module,
        attribute,
        nth,
        needle,
        ["publish", str(publish_reference["package"]), "--out", str(dist), "--date", DATE],
        tmp_path,
    )
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr[-2000:])
    _check_publish_state(dist, publish_reference)
    _recover(dist, publish_reference, tmp_path)
