"""Validation benchmark: clusterdata vs frictionless-py vs a bare DuckDB floor, per package size.

Why: "fast" and "finds everything" are claims; this measures both on the same machine in the same
run. For each size the three tools run as subprocesses, interleaved (a, b, c, a, b, c, …) so
that a busy machine slows them alike; each run's wall time and peak memory (`/usr/bin/time`, or
`resource.getrusage(RUSAGE_CHILDREN)`) are recorded, and each report is scored against the
generator's manifest (bench/scoring.py): injected defects missed, and false alarms (findings where
nothing was injected, the generator's must-not-report cells among them). A run that crashes (exit
code other than 0/1, or a report that cannot be read) is listed, left out of the medians, and
fails the benchmark, as does a missed target. Start-up is measured on the bundled package.
Results go to bench/results.md (a run of fewer than 3 repeats writes bench/out/results.md
instead, so a quick check never replaces the measured results). Not part of the test suite.

Usage: python bench/run.py [--sizes 10000,100000,1000000] [--repeat 3] [--skip-frictionless-above N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
GENERATOR = REPO / "tests" / "fixtures" / "synthetic.py"
sys.path.insert(0, str(REPO / "tests"))

from fixtures.synthetic import generate  # noqa: E402
from scoring import Score, clusterdata_found, frictionless_found, score  # noqa: E402
from writeup import write_results  # noqa: E402

#: frictionless's --limit-errors, raised so that it reports every error (default 1,000).
UNLIMITED = 10**9
#: Fewer interleaved repeats than this are a quick check, not a measurement.
MIN_REPEAT = 3

FLOOR = r"""
import sys, duckdb
root = sys.argv[1]
con = duckdb.connect()
def load(name, casts):
    con.execute(f"CREATE TABLE {name}_raw AS SELECT * FROM read_csv('{root}/data/{name}.csv', "
                "all_varchar = true, header = true, store_rejects = true)")
    con.execute(f"CREATE TABLE {name} AS SELECT {casts} FROM {name}_raw")
load("regions", "id, name")
load("clusters", "id, name, region_id, TRY_CAST(founded AS BIGINT) AS founded, "
     "TRY_CAST(members AS BIGINT) AS members, kind, url, description")
load("memberships", "TRY_CAST(id AS BIGINT) AS id, cluster_id, TRY_CAST(start_date AS DATE) AS s, "
     "TRY_CAST(end_date AS DATE) AS e, TRY_CAST(amount AS DOUBLE) AS amount")
n = con.execute(
    "SELECT (SELECT count(*) FROM clusters c ANTI JOIN regions r ON c.region_id = r.id)"
    " + (SELECT count(*) FROM memberships m ANTI JOIN clusters c ON m.cluster_id = c.id)"
    " + (SELECT count(*) FROM (SELECT id FROM clusters GROUP BY id HAVING count(*) > 1))"
).fetchall()[0][0]
print(n)
"""


LAYERS = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from clusterdata.validation.rules.run import check_frames
from clusterdata.validation.integrity.run import run_integrity
from clusterdata.core.package import open_package
from clusterdata.validation.structure.run import check_structure
out = {"imports": time.perf_counter() - t0}
package = open_package(sys.argv[1])
t = time.perf_counter(); structure = check_structure(package)
out["1 structure"] = time.perf_counter() - t
t = time.perf_counter(); check_frames(package, structure)
out["2 frames and domain"] = time.perf_counter() - t
t = time.perf_counter(); run_integrity(package, structure, [])
out["3 integrity"] = time.perf_counter() - t
structure.close()
out["in DuckDB"] = sorted(structure.checked_in_duckdb)
out["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def layers(rows: int) -> dict[str, Any]:
    """Seconds per layer of `validate`, in one process, on the package of `rows` rows; on failure
    {"error": the reason}, shown in the results instead of the table."""
    package = OUT / f"n{rows}" / "datapackage.json"
    proc = subprocess.run(
        [sys.executable, "-c", LAYERS, str(package)], capture_output=True, text=True, check=False
    )
    # DuckDB may draw its progress bar on stdout in a plain script: the JSON is the last line.
    last = next((x for x in reversed(proc.stdout.splitlines()) if x.startswith("{")), "")
    try:
        return dict(json.loads(last))
    except json.JSONDecodeError:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {proc.returncode}: {tail}"}


@dataclass
class Run:
    """One run of one tool: its cost, and its score when it reported findings."""

    tool: str
    wall: float
    peak_mb: float
    code: int
    score: Score | None = None
    #: Why the run does not count (crash, unreadable report); None when it completed.
    failure: str | None = None


def measure(command: list[str]) -> tuple[float, float, int, str, str]:
    """Wall seconds, peak RSS (MB), exit code, stdout and stderr of one subprocess."""
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    with (
        tempfile.NamedTemporaryFile("r", suffix=".time") as note,
        tempfile.TemporaryFile("w+") as out,
    ):
        full = [timer, "-f", "%M", "-o", note.name, *command] if timer else command
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        proc = subprocess.run(full, stdout=out, stderr=subprocess.PIPE, check=False)
        wall = time.perf_counter() - start
        out.seek(0)
        stdout = out.read()
        if timer:
            lines = [x for x in Path(note.name).read_text().split() if x.strip().isdigit()]
            peak = int(lines[-1]) / 1024 if lines else float("nan")
        else:  # the maximum over all children so far: exact only while it keeps growing
            peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return wall, peak, proc.returncode, stdout, proc.stderr.decode(errors="replace")


def crash(code: int, stderr: str, allowed: tuple[int, ...]) -> str | None:
    """Why a run crashed, or None: an exit code outside `allowed` (a signal shows as negative or
    as 128 + n through /usr/bin/time) is a crash, whatever it printed."""
    if code in allowed:
        return None
    tail = (stderr.strip().splitlines() or ["no message"])[-1][:200]
    return f"exit {code}: {tail}"


def package_for(rows: int) -> Path:
    """The generated package of `rows` rows, generated again when the generator changed."""
    package = OUT / f"n{rows}"
    digest = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()
    stamp = package / ".generator-sha256"
    if not stamp.is_file() or stamp.read_text().strip() != digest:
        print(f"generating {package} …", flush=True)
        shutil.rmtree(package, ignore_errors=True)
        generate(rows, package)
        stamp.write_text(digest + "\n")
    return package


def bench_size(rows: int, repeat: int, skip_frictionless_above: int) -> list[Run]:
    package = package_for(rows)
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    descriptor = str(package / "datapackage.json")
    tools: dict[str, list[str]] = {
        "clusterdata": [str(BIN / "clusterdata"), "validate", descriptor, "--format", "json"],
        "frictionless": [
            str(BIN / "frictionless"),
            "validate",
            "--json",
            "--limit-errors",
            str(UNLIMITED),
            descriptor,
        ],
        "duckdb floor": [sys.executable, "-c", FLOOR, str(package)],
    }
    if rows > skip_frictionless_above:
        tools.pop("frictionless")
    runs: list[Run] = []
    for _ in range(repeat):
        for tool, command in tools.items():
            print(f"  {rows:>9,} rows  {tool} …", end="", flush=True)
            wall, peak, code, stdout, stderr = measure(command)
            # A validator that finishes exits 0 or 1 (a wrong verdict shows in its score).
            allowed = (0,) if tool == "duckdb floor" else (0, 1)
            run = Run(tool, wall, peak, code, failure=crash(code, stderr, allowed))
            if run.failure is None and tool != "duckdb floor":
                try:
                    if tool == "clusterdata":
                        run.score = score(clusterdata_found(stdout), manifest)
                    else:
                        found = frictionless_found(stdout, package)
                        run.score = score(found, manifest, frictionless=True)
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    run.failure = f"unreadable report ({type(exc).__name__}: {exc})"
            status = f" FAILED ({run.failure})" if run.failure else ""
            print(f" {wall:.2f} s, {peak:.0f} MB{status}", flush=True)
            runs.append(run)
    return runs


#: Reference imports for the start-up table: what the dependencies alone cost to import.
IMPORTS = {
    "python -c 'import clusterdata'": "import clusterdata",
    "python -c 'import duckdb, frictionless'": "import duckdb, frictionless",
    "python -c 'import pandas, pandera.pandas'": "import pandas, pandera.pandas",
    "python -c 'pass'": "pass",
}


def startup(repeat: int) -> tuple[dict[str, float], list[str]]:
    """Bundled package: clusterdata validate vs frictionless validate (interleaved), and what
    importing the dependencies costs on its own. Returns the medians and the crashed runs."""
    descriptor = REPO / "datapackage" / "datapackage.json"
    commands = {
        "clusterdata validate": [
            str(BIN / "clusterdata"),
            "validate",
            str(descriptor),
            "--format",
            "json",
        ],
        "frictionless validate": [str(BIN / "frictionless"), "validate", "--json", str(descriptor)],
        **{name: [sys.executable, "-c", code] for name, code in IMPORTS.items()},
    }
    if not descriptor.exists():
        return {}, []
    out: dict[str, list[float]] = {name: [] for name in commands}
    failures: list[str] = []
    for _ in range(max(5, repeat)):
        for name, command in commands.items():
            wall, _, code, _, stderr = measure(command)
            failure = crash(code, stderr, (0, 1) if "validate" in name else (0,))
            if failure:
                failures.append(f"`{name}`: {failure}")
            else:
                out[name].append(wall)
    return {k: statistics.median(v) for k, v in out.items() if v}, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="main-table row counts, comma-separated"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=MIN_REPEAT,
        help="interleaved runs per tool and size, of which the median counts (one run on a "
        "shared 2-core machine spreads by about 20%%); fewer than 3 is a quick check, written "
        "to bench/out/results.md",
    )
    parser.add_argument(
        "--skip-frictionless-above",
        type=int,
        default=10**9,
        help="do not run frictionless on larger packages (it takes minutes)",
    )
    parser.add_argument("--output", type=Path, default=None, help="where to write the results")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    output = args.output or (
        HERE / "results.md" if args.repeat >= MIN_REPEAT else OUT / "results.md"
    )
    load_before = os.getloadavg()
    results: dict[int, list[Run]] = {}
    for rows in (int(s) for s in args.sizes.split(",") if s.strip()):
        results[rows] = bench_size(rows, args.repeat, args.skip_frictionless_above)
    print("start-up …", flush=True)
    starts, start_failures = startup(args.repeat)
    largest = max(results, default=0)
    per_layer = layers(largest) if largest else {}
    output.parent.mkdir(parents=True, exist_ok=True)
    problems = write_results(
        output,
        results,
        starts,
        start_failures,
        per_layer,
        repeat=args.repeat,
        load_before=load_before,
        design_from=HERE / "results.md",
    )
    print(f"wrote {output}")
    for problem in problems:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
