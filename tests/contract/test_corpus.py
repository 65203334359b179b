"""The bad-input corpus: every case ends in a located finding or a clear usage error, never a
traceback, and the run reads nothing outside the package, writes nothing, and opens no socket.

Each case is `tests/fixtures/corpus/<case-id>/` (see tests/fixtures/corpus/_generate.py for the layout and
`expected.json`). The command runs in a subprocess, as a contributor would run it, so that a
traceback on stderr or a crash of the interpreter is visible. An audit hook
(`sys.addaudithook`, installed through a `sitecustomize` on PYTHONPATH) records every file the
process opens or lists, every socket and every child process, so "nothing outside the package"
is observed rather than inferred from the output.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").is_dir() else sys.executable
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
#: Cases that take more than a few seconds; they still run in CI (numbers: bench/results.md).
SLOW = {"hostile-hundred-mb-file"}
#: Peak memory allowed for validating the ~109 MB file (measured: bench/results.md).
MAX_RSS_KB_100MB = 1024 * 1024

AUDIT_HOOK = """
import atexit, json, os, sys
_log = os.environ.get("CLUSTERDATA_TEST_AUDIT_LOG")
if _log:
    _events = []
    _kinds = ("open", "os.listdir", "os.scandir", "socket.", "subprocess.", "os.system",
              "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "urllib.", "http.",
              "os.remove", "os.rename", "os.rmdir", "os.mkdir", "shutil.", "os.symlink")
    def _hook(event, args):
        if not event.startswith(_kinds):
            return
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            writes = bool(mode and any(c in str(mode) for c in "wax+")) or bool(
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            _events.append(["open", os.path.abspath(str(path)), writes])
        elif event in ("os.listdir", "os.scandir"):
            path = args[0] if args else "."
            if isinstance(path, int) or path is None:
                return
            _events.append([event, os.path.abspath(os.fsdecode(path)), False])
        else:
            _events.append([event, repr(args)[:300], False])
    sys.addaudithook(_hook)
    def _dump():
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        text = json.dumps({"events": _events, "maxrss_kb": peak})
        with open(_log, "w", encoding="utf-8") as handle:
            handle.write(text)
    atexit.register(_dump)
"""


@dataclass
class Workspace:
    """One case laid out for a run: the package, what lies beside it, and the sentinels."""

    root: Path  # everything the run could touch lives under here
    package: Path  # the package folder (a copy of the case)
    target: Path  # what is passed on the command line (the folder, or a zip)
    tmp: Path  # TMPDIR of the run (a zipped package unpacks here)
    secret: str
    sentinels: list[Path]  # files and folders outside the package that must never be read
    expected: dict[str, Any]
    extra_args: list[str] = field(default_factory=list)


@dataclass
class Run:
    code: int
    out: str
    err: str
    events: list[list[Any]]
    seconds: float
    maxrss_kb: int

    def findings(self) -> list[dict[str, Any]]:
        return list(json.loads(self.out)["findings"]) if self.out.strip() else []


# --- builders for the cases that are big or need the file system ---------------------------


def _rows(ws: Workspace) -> list[str]:
    return (ws.package / "data" / "clusters.csv").read_text(encoding="utf-8").splitlines()


def build_ten_mb_field(ws: Workspace) -> None:
    rows = _rows(ws)
    cells = rows[2].split(",")
    cells[1] = "x" * (10 * 1024 * 1024)
    rows[2] = ",".join(cells)
    (ws.package / "data" / "clusters.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def build_thousand_columns(ws: Workspace) -> None:
    rows = _rows(ws)
    extra = [f"extra_{i}" for i in range(1000 - len(rows[0].split(",")))]
    out = [rows[0] + "," + ",".join(extra)]
    out += [row + "," * len(extra) for row in rows[1:]]
    (ws.package / "data" / "clusters.csv").write_text("\n".join(out) + "\n", encoding="utf-8")


def write_large_clusters(folder: Path, target_bytes: int, bad_line_from_end: int = 10) -> int:
    """A clusters-like table of about `target_bytes`, with one bad `founded` cell near the end.

    Returns the physical line of the bad cell. Used by the corpus and by the memory test.
    """
    regions = ["se-ab", "se-o", "se-m", "se-s"]
    header = "id,name,region_id,founded,website,status\n"
    sample = (
        f"cluster-{0:07d},Kluster nummer {0} i Värmland och Dalarna,se-ab,1999,"
        f"https://cluster-{0:07d}.example.se/om-oss,active\n"
    )
    count = max(1, (target_bytes - len(header)) // len(sample.encode("utf-8")))
    bad_index = max(0, count - bad_line_from_end)
    path = folder / "data" / "clusters.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header)
        chunk: list[str] = []
        for i in range(count):
            founded = "19x9" if i == bad_index else str(1950 + i % 70)
            chunk.append(
                f"cluster-{i:07d},Kluster nummer {i} i Värmland och Dalarna,"
                f"{regions[i % 4]},{founded},https://cluster-{i:07d}.example.se/om-oss,"
                f"{'active' if i % 3 else 'inactive'}\n"
            )
            if len(chunk) == 10_000:
                handle.write("".join(chunk))
                chunk.clear()
        handle.write("".join(chunk))
    return bad_index + 2


def build_hundred_mb_file(ws: Workspace) -> None:
    ws.expected["line"] = write_large_clusters(ws.package, 100 * 1024 * 1024)


def build_deep_json_descriptor(ws: Workspace) -> None:
    depth = 10_000
    (ws.package / "datapackage.json").write_text(
        '{"name": "deep", "resources": ' + "[" * depth + "]" * depth + "}", encoding="utf-8"
    )


def build_deep_json_schema(ws: Workspace) -> None:
    """Deep enough for copying or validating the schema to recurse past Python's limit."""
    descriptor = json.loads((ws.package / "datapackage.json").read_text(encoding="utf-8"))
    text = json.dumps(descriptor)
    depth = 600
    marker = '"primaryKey": ["id"], "foreignKeys"'
    assert marker in text
    text = text.replace(
        marker,
        '"primaryKey": ["id"], "x-meta": '
        + '{"a": ' * depth
        + "1"
        + "}" * depth
        + ', "foreignKeys"',
        1,
    )
    (ws.package / "datapackage.json").write_text(text, encoding="utf-8")


def build_huge_descriptor(ws: Workspace) -> None:
    descriptor = json.loads((ws.package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["description"] = "x" * (17 * 1024 * 1024)
    (ws.package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def build_symlink_file_outside(ws: Workspace) -> None:
    link = ws.package / "data" / "clusters.csv"
    link.unlink()
    link.symlink_to(ws.sentinels[0])


def build_symlink_folder_outside(ws: Workspace) -> None:
    shutil.rmtree(ws.package / "data")
    (ws.package / "data").symlink_to(ws.sentinels[1] / "data", target_is_directory=True)


def build_fifo_data_file(ws: Workspace) -> None:
    fifo = ws.package / "data" / "clusters.csv"
    fifo.unlink()
    os.mkfifo(fifo)


def _zip(ws: Workspace, extra: Callable[[zipfile.ZipFile], None]) -> None:
    archive = ws.root / "package.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(ws.package.rglob("*")):
            if file.is_file():
                zf.write(file, f"package/{file.relative_to(ws.package).as_posix()}")
        extra(zf)
    ws.target = archive


def build_zip_slip(ws: Workspace) -> None:
    _zip(ws, lambda zf: zf.writestr("../../slipped-entry.txt", "pwned"))


def build_zip_absolute_entry(ws: Workspace) -> None:
    _zip(ws, lambda zf: zf.writestr(f"{ws.root}/slipped-entry.txt", "pwned"))


def build_zip_symlink_entry(ws: Workspace) -> None:
    def add(zf: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("package/data/link.csv")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, str(ws.sentinels[0]))

    _zip(ws, add)


def build_sql_check_reads_outside(ws: Workspace) -> None:
    """A check file beside the package (where the dataset keeps its checks) that tries to read a
    file outside through a DuckDB replacement scan."""
    checks = ws.root / "schemas" / "checks"
    checks.mkdir(parents=True)
    (checks / "steal.sql").write_text(
        "-- id: steal\n-- severity: error\n-- message: reads a file it must not.\n"
        "-- tables: clusters\n"
        "SELECT 'clusters' AS resource, 1 AS line, 'id' AS \"column\", s.id AS value\n"
        f"FROM clusters AS c, '{ws.sentinels[0]}' AS s\n",
        encoding="utf-8",
    )


BUILDERS: dict[str, Callable[[Workspace], None]] = {
    name.removeprefix("build_"): fn
    for name, fn in globals().items()
    if name.startswith("build_") and callable(fn)
}


# --- running a case -------------------------------------------------------------------------


def prepare(case_id: str, tmp_path: Path) -> Workspace:
    case = CORPUS / case_id
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    root = tmp_path / "work"
    package = root / "package"
    secret = f"TOPSECRET-{uuid.uuid4().hex}"
    outside_file = root / "outside.csv"
    outside_dir = root / "outside-dir"
    shutil.copytree(case, package, ignore=shutil.ignore_patterns("expected.json"))
    # A sentinel whose rows break the schema, so reading it would echo the secret in a finding.
    sentinel_rows = (
        "id,name,region_id,founded,website,status\n"
        f"{secret},{secret},{secret},{secret},{secret},{secret}\n"
    )
    outside_file.write_text(sentinel_rows, encoding="utf-8")
    (outside_dir / "data").mkdir(parents=True)
    (outside_dir / "data" / "clusters.csv").write_text(sentinel_rows, encoding="utf-8")
    (outside_dir / "data" / "regions.csv").write_text(
        f"id,name\n{secret},{secret}\n", encoding="utf-8"
    )
    descriptor = package / "datapackage.json"
    if descriptor.is_file():
        descriptor.write_bytes(
            descriptor.read_bytes().replace(b"@OUTSIDE@", str(outside_file).encode())
        )
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    ws = Workspace(
        root=root,
        package=package,
        target=package,
        tmp=tmp,
        secret=secret,
        sentinels=[outside_file, outside_dir],
        expected=expected,
    )
    if expected.get("build"):
        BUILDERS[expected["build"]](ws)
    return ws


def run_validate(ws: Workspace, tmp_path: Path, *extra: str) -> Run:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    log = tmp_path / "audit.json"
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(hook_dir),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": str(ws.tmp),
        "CLUSTERDATA_TEST_AUDIT_LOG": str(log),
        "LANG": "C.UTF-8",
    }
    started = time.monotonic()
    proc = subprocess.run(
        [PYTHON, "-m", "clusterdata", "validate", str(ws.target), "--format", "json", *extra],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )
    seconds = time.monotonic() - started
    audit = json.loads(log.read_text(encoding="utf-8")) if log.is_file() else {}
    return Run(
        proc.returncode,
        proc.stdout,
        proc.stderr,
        audit.get("events", []),
        seconds,
        int(audit.get("maxrss_kb", 0)),
    )


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under `root`: file bytes by hash, links by target, pipes by kind."""
    entries: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            entries[rel] = "link:" + os.readlink(path)
        elif stat.S_ISREG(mode):
            entries[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            entries[rel] = "dir" if stat.S_ISDIR(mode) else f"mode:{stat.S_IFMT(mode)}"
    return entries


def _under(path: str, folder: Path) -> bool:
    return Path(path) == folder or folder in Path(path).parents


def _params() -> list[Any]:
    return [pytest.param(c, marks=pytest.mark.slow) if c in SLOW else c for c in CASES]


def test_corpus_has_at_least_forty_cases_covering_every_group() -> None:
    groups = {c.split("-")[0] for c in CASES}
    assert len(CASES) >= 40
    assert {"enc", "struct", "desc", "hostile", "data"} <= groups


@pytest.mark.parametrize("case_id", _params())
def test_corpus_case_reports_its_main_finding_and_touches_nothing(
    case_id: str, tmp_path: Path
) -> None:
    ws = prepare(case_id, tmp_path)
    expected = ws.expected
    before = snapshot(ws.root)
    run = run_validate(ws, tmp_path)

    # 1. A clean outcome: the promised exit code, no traceback, no crash report.
    assert "Traceback" not in run.err, run.err
    assert "internal error" not in run.err, run.err
    assert run.code == expected["exit"], (run.code, run.err, run.out[:2000])

    # 2. The main finding is there, located as promised; a usage error names the file.
    if expected["exit"] == 2:
        assert run.out == ""
        assert expected["path"] in run.err, run.err
    else:
        findings = run.findings()
        assert json.loads(run.out)["valid"] is (expected["exit"] == 0)
        if expected["check"] is None:
            assert findings == []
        else:
            located = [(f["check"], f["path"], f["line"]) for f in findings]
            main = (expected["check"], expected["path"], expected["line"])
            assert main in located, located
            for finding in findings:
                assert finding["path"], f"a finding names no file: {finding}"
                assert finding["message"], f"a finding has no message: {finding}"

    # The audit hook really ran: it saw the interpreter import clusterdata.
    assert any(_under(e[1], REPO / "src" / "clusterdata") for e in run.events if e[0] == "open")
    if expected.get("build") == "hundred_mb_file":
        print(f"{case_id}: {run.seconds:.1f} s, peak RSS {run.maxrss_kb / 1024:.0f} MiB")
        assert run.maxrss_kb < MAX_RSS_KB_100MB, f"peak memory {run.maxrss_kb} KiB"

    # 3. Nothing read outside the package: the secret never shows, the sentinels never open.
    assert ws.secret not in run.out and ws.secret not in run.err
    touched = [e for e in run.events if e[0] in {"open", "os.listdir", "os.scandir"}]
    for sentinel in ws.sentinels:
        leaks = [e for e in touched if _under(e[1], sentinel)]
        assert not leaks, f"the run opened a file outside the package: {leaks}"

    # 4. Nothing written: every file under the workspace is byte-identical, no file was opened
    #    for writing outside the private temp folder, and that folder is left empty.
    assert snapshot(ws.root) == before
    writes = [
        e for e in touched if e[2] and not _under(e[1], ws.tmp) and not e[1].startswith("/dev/")
    ]
    assert not writes, f"validation opened files for writing: {writes}"
    assert list(ws.tmp.iterdir()) == [], "a temporary folder was left behind"
    escaped = [*tmp_path.rglob("slipped-entry.txt"), *tmp_path.parent.glob("slipped-entry.txt")]
    assert not escaped, "a zip entry was written outside its folder"

    # 5. No network, no child processes.
    others = [e for e in run.events if e[0] not in {"open", "os.listdir", "os.scandir"}]
    assert not [e for e in others if e[0].startswith(("socket.", "urllib.", "http."))], others
    assert not [
        e
        for e in others
        if e[0].startswith(
            ("subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork")
        )
    ], others


def test_committed_corpus_folders_are_byte_identical_after_validation_in_place() -> None:
    """Validate the committed folders where they lie (not a copy): nothing in them changes."""
    from clusterdata.core.package import UsageError
    from clusterdata.validation.pipeline import validate

    before = snapshot(CORPUS)
    checked = 0
    for case_id in CASES:
        folder = CORPUS / case_id
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        if expected.get("build"):
            continue
        try:
            report = validate(folder, use_default_checks=False)
        except UsageError:
            assert expected["exit"] == 2
        else:
            assert report.valid is (expected["exit"] == 0), case_id
        checked += 1
    assert checked >= 40
    assert snapshot(CORPUS) == before
