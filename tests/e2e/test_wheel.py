"""The wheel carries the data: built (sdist, then the wheel from the sdist) and installed into a
fresh virtual environment outside the repository, `load()`, `connect()` and `clusterdata
validate` work offline on the release it ships.

The fresh environment reuses this environment's installed dependencies through a folder of
links that leaves clusterdata itself out, so the test needs no download beyond the build
backend; `clusterdata.__file__` proves the import comes from the installed wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
from fixtures.packages import REPO

NEWEST = json.loads((REPO / "dist" / "releases.json").read_text("utf-8"))["releases"][0]
#: Every request goes here and fails at once: the test proves nothing needs the network.
DEAD = "http://127.0.0.1:9"


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]


def _tracked_copy(target: Path) -> Path:
    """The files git tracks, copied: the build writes egg-info and build/ into its source."""
    listed = _run(["git", "ls-files", "-z"], cwd=REPO, timeout=60)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        file = REPO / name
        if file.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target / name)
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wheelhouse")
    source = _tracked_copy(tmp_path_factory.mktemp("source") / "clusterdata")
    done = _run([sys.executable, "-m", "build", "--outdir", str(out), str(source)], timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [wheel] = out.glob("*.whl")
    [sdist] = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="module")
def consumer(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("consumer")
    deps = root / "deps"
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.name.startswith(("clusterdata", "__editable__")) or entry.suffix == ".pth":
            continue
        (deps / entry.name).symlink_to(entry)
    venv = root / "venv"
    done = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], timeout=120)
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(f"{deps}\n", "utf-8")
    done = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(built["wheel"]),
        ],
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    work = root / "elsewhere"
    work.mkdir()
    return {"venv": venv, "python": python, "work": work, "root": root}


def _offline_env(consumer: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CLUSTERDATA_"))}
    env.update(
        CLUSTERDATA_BASE_URL=DEAD,
        CLUSTERDATA_CACHE=str(consumer["root"] / "cache"),
        http_proxy=DEAD,
        https_proxy=DEAD,
        HTTP_PROXY=DEAD,
        HTTPS_PROXY=DEAD,
        NO_PROXY="",
        no_proxy="",
    )
    return env


def test_the_sdist_carries_the_newest_release_and_the_wheel_ships_it_as_package_data(
    built: dict[str, Path],
) -> None:
    with tarfile.open(built["sdist"]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {"dist/releases.json", f"dist/{NEWEST['folder']}/datapackage.json", "setup.py"} <= names
    with zipfile.ZipFile(built["wheel"]) as wheel:
        shipped = [n for n in wheel.namelist() if n.startswith("clusterdata/shipped/")]
    assert "clusterdata/shipped/datapackage.json" in shipped
    assert any(n.startswith("clusterdata/shipped/data/") and n.endswith(".csv") for n in shipped)
    assert not [n for n in shipped if n.endswith((".zip", ".duckdb"))]


@pytest.mark.slow
def test_the_installed_wheel_loads_connects_and_validates_its_data_offline(
    consumer: dict[str, Path],
) -> None:
    script = """
import json, clusterdata
tables = clusterdata.load()
con = clusterdata.connect()
shown = sorted(r[0] for r in con.execute("SHOW TABLES").fetchall())
print(json.dumps({
    "file": clusterdata.__file__,
    "rows": {name: len(frame) for name, frame in tables.items()},
    "duckdb": shown,
    "clusters": con.execute("SELECT count(*) FROM clusters").fetchone()[0],
}))
"""
    env = _offline_env(consumer)
    done = _run([str(consumer["python"]), "-c", script], cwd=consumer["work"], env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert Path(result["file"]).is_relative_to(consumer["venv"])
    descriptor = json.loads(
        (REPO / "dist" / NEWEST["folder"] / "datapackage.json").read_text("utf-8")
    )
    tables = {
        r["name"]
        for r in descriptor["resources"]
        if r.get("type") == "table" and not r.get("x-release")
    }
    assert set(result["rows"]) == tables and set(result["duckdb"]) == tables
    assert result["clusters"] == result["rows"]["clusters"] > 0

    cli = consumer["venv"] / "bin" / "clusterdata"
    validated = _run(
        [str(cli), "validate", "--format", "json"], cwd=consumer["work"], env=env, timeout=300
    )
    assert validated.returncode == 0, validated.stdout[-2000:] + validated.stderr[-2000:]
    report = json.loads(validated.stdout)
    here = _run(
        [
            sys.executable,
            "-m",
            "clusterdata",
            "validate",
            str(REPO / "dist" / NEWEST["folder"]),
            "--format",
            "json",
        ],
        timeout=300,
    )
    expected = json.loads(here.stdout)
    assert report["valid"] is True
    # The same release with the same SQL checks: the same rows, checks and warnings.
    assert report["summary"] == expected["summary"]
    assert report["summary"]["by_check"], "the release's SQL checks ran"
