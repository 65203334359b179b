"""Validation benchmark: clusterdata vs frictionless-py vs a bare DuckDB floor, per package size.

Why: "fast" and "finds everything" are claims; this measures both on the same machine in the same
run. For each size the three tools run as subprocesses, interleaved (a, b, c, a, b, c, …) so
that a busy machine slows them alike; each run's wall time and peak memory (`/usr/bin/time`, or
`resource.getrusage(RUSAGE_CHILDREN)`) are recorded, and each report is compared with the
generator's manifest by (file, physical line, check). Start-up is measured on the bundled
package. Results go to bench/results.md. Not part of the test suite.

Usage: python bench/run.py [--sizes 10000,100000,1000000] [--repeat 3] [--skip-frictionless-above N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "src"))

from fixtures.synthetic import generate  # noqa: E402

#: frictionless's --limit-errors, raised so that it reports every error (default 1,000).
UNLIMITED = 10**9

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
    """Seconds per layer of `validate`, in one process, on the package of `rows` rows."""
    package = OUT / f"n{rows}" / "datapackage.json"
    proc = subprocess.run(
        [sys.executable, "-c", LAYERS, str(package)], capture_output=True, text=True, check=False
    )
    try:
        return dict(json.loads(proc.stdout))
    except json.JSONDecodeError:
        return {}


@dataclass
class Run:
    tool: str
    wall: float
    peak_mb: float
    code: int
    found: int | None = None
    expected: int | None = None
    extra: int | None = None
    missed: list[Any] = field(default_factory=list)


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MB), exit code, stdout of one subprocess."""
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    with (
        tempfile.NamedTemporaryFile("r", suffix=".time") as note,
        tempfile.TemporaryFile("w+") as out,
    ):
        full = [timer, "-f", "%M", "-o", note.name, *command] if timer else command
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        proc = subprocess.run(full, stdout=out, stderr=subprocess.PIPE, env=env, check=False)
        wall = time.perf_counter() - start
        out.seek(0)
        stdout = out.read()
        if timer:
            lines = [x for x in Path(note.name).read_text().split() if x.strip().isdigit()]
            peak = int(lines[-1]) / 1024 if lines else float("nan")
        else:  # the maximum over all children so far: exact only while it keeps growing
            peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    if proc.returncode not in (0, 1):
        sys.stderr.write(f"{command[0]} exited {proc.returncode}: {proc.stderr.decode()[-800:]}\n")
    return wall, peak, proc.returncode, stdout


def located(package: Path) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The package's resources and line maps, to place frictionless's row numbers on lines."""
    from clusterdata.core.lines import map_lines
    from clusterdata.core.package import open_package

    opened = open_package(package)
    maps = {r.path: map_lines(r, "utf-8")[0] for r in opened.resources}
    return opened, {r.path: r for r in opened.resources}, maps


def compare(found: set[tuple[str, int, str]], manifest: dict[str, Any], run: Run) -> None:
    want = {(d["file"], d["line"], d["check"]) for d in manifest["defects"]}
    run.expected = len(want)
    run.found = len(want & found)
    run.missed = sorted(want - found)[:5]
    run.extra = len(found - want)


def clusterdata_found(stdout: str) -> set[tuple[str, int, str]]:
    report = json.loads(stdout)
    return {(f["path"], f["line"], f["check"]) for f in report["findings"]}


def frictionless_found(
    stdout: str, context: tuple[Any, dict[str, Any], dict[str, Any]]
) -> set[tuple[str, int, str]]:
    from clusterdata.core.tableerrors import TableError
    from clusterdata.validation.structure.errors import to_finding

    _, by_path, maps = context
    report = json.loads(stdout)
    found = set()
    for task in report.get("tasks", []):
        path = task.get("resource", {}).get("path") or task.get("place")
        res = by_path.get(path)
        if res is None:
            continue
        for error in task.get("errors", []):
            finding = to_finding(res, TableError.from_frictionless(error), maps[path])
            found.add((finding.path, finding.line, finding.check))
    return found


def bench_size(rows: int, repeat: int, skip_frictionless_above: int) -> list[Run]:
    package = OUT / f"n{rows}"
    if not (package / "manifest.json").exists():
        print(f"generating {package} …", flush=True)
        generate(rows, package)
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    context = located(package)
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
            wall, peak, code, stdout = measure(command)
            run = Run(tool, wall, peak, code)
            try:
                if tool == "clusterdata":
                    compare(clusterdata_found(stdout), manifest, run)
                elif tool == "frictionless":
                    compare(frictionless_found(stdout, context), manifest, run)
            except (json.JSONDecodeError, KeyError) as exc:
                print(f" unreadable report ({exc})", end="")
            print(f" {wall:.2f} s, {peak:.0f} MB", flush=True)
            runs.append(run)
    return runs


#: Reference imports for the start-up table: what the dependencies alone cost to import.
IMPORTS = {
    "python -c 'import clusterdata'": "import clusterdata",
    "python -c 'import duckdb, frictionless'": "import duckdb, frictionless",
    "python -c 'import pandas, pandera.pandas'": "import pandas, pandera.pandas",
    "python -c 'pass'": "pass",
}


def startup(repeat: int) -> dict[str, float]:
    """Bundled package: clusterdata validate vs frictionless validate (interleaved), and what
    importing the dependencies costs on its own."""
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
        return {}
    out: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(max(5, repeat)):
        for name, command in commands.items():
            out[name].append(measure(command)[0])
    return {k: statistics.median(v) for k, v in out.items()}


def targets(results: dict[int, list[Run]], starts: dict[str, float]) -> list[str]:
    """Issue 8's targets, judged on this run's numbers."""
    rows: list[tuple[str, str, bool]] = []
    if results:
        largest = max(results)
        runs = results[largest]
        wall = {
            tool: statistics.median(r.wall for r in runs if r.tool == tool)
            for tool in {r.tool for r in runs}
        }
        mine = [r for r in runs if r.tool == "clusterdata"]
        if mine and mine[-1].found is not None:
            last = mine[-1]
            rows.append(
                (
                    f"{largest:,} rows: every injected defect found and located",
                    f"{last.found}/{last.expected}",
                    last.found == last.expected,
                )
            )
        if "clusterdata" in wall and "frictionless" in wall:
            ratio = wall["frictionless"] / wall["clusterdata"]
            rows.append(
                (
                    f"{largest:,} rows: ≥ 20× faster than frictionless (limit raised)",
                    f"{ratio:.1f}× ({wall['clusterdata']:.2f} s vs {wall['frictionless']:.1f} s)",
                    ratio >= 20,
                )
            )
        if "clusterdata" in wall and "duckdb floor" in wall:
            ratio = wall["clusterdata"] / wall["duckdb floor"]
            rows.append(
                (
                    f"{largest:,} rows: within 2.5× of the DuckDB floor",
                    f"{ratio:.2f}× ({wall['clusterdata']:.2f} s vs {wall['duckdb floor']:.2f} s)",
                    ratio <= 2.5,
                )
            )
        if mine:
            peak = max(r.peak_mb for r in mine)
            rows.append((f"{largest:,} rows: peak memory < 1.5 GB", f"{peak:.0f} MB", peak < 1536))
    if starts:
        ratio = starts["clusterdata validate"] / starts["frictionless validate"]
        rows.append(
            (
                "bundled package: ≤ 1.5× `frictionless validate`",
                f"{ratio:.2f}× ({starts['clusterdata validate']:.2f} s vs "
                f"{starts['frictionless validate']:.2f} s)",
                ratio <= 1.5,
            )
        )
    if not rows:
        return []
    lines = ["", "## Targets (issue 8), this run", "", "| target | result | met? |"]
    lines.append("| --- | --- | --- |")
    lines += [f"| {name} | {result} | {'yes' if met else 'no'} |" for name, result, met in rows]
    return lines


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    versions = ", ".join(
        f"{name} {version(name)}"
        for name in ("clusterdata", "frictionless", "duckdb", "pandas", "pandera", "numpy")
    )
    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "versions": versions,
    }


def write_results(
    results: dict[int, list[Run]],
    starts: dict[str, float],
    path: Path,
    per_layer: dict[str, Any] | None = None,
    largest: int = 0,
) -> None:
    info = machine()
    lines = [
        "# Validation benchmark",
        "",
        f"Run {info['date']} on {info['nproc']} cores ({info['cpu']}), Python {info['python']};"
        f" {info['versions']}.",
        "Generated by `make bench` (bench/run.py); packages from tests/fixtures/synthetic.py (seed 8, 20 defects"
        " of each kind, a quoted line break before half of them). Median wall time of the runs;"
        " peak memory is the largest resident set of one run. *Found* = injected defects"
        " reported at their file, physical line and check; *extra* = other (file, line, check)"
        " reported (e.g. a primary-key error on a row whose key cell is a type error).",
        "",
        "| rows (main table) | tool | wall s | rows/s | peak MB | found | extra | vs frictionless"
        " | vs DuckDB floor |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for rows, runs in sorted(results.items()):
        total_rows = rows + rows // 2
        wall: dict[str, float] = {}
        for tool in dict.fromkeys(r.tool for r in runs):
            wall[tool] = statistics.median(r.wall for r in runs if r.tool == tool)
        for tool in wall:
            mine = [r for r in runs if r.tool == tool]
            peak = max(r.peak_mb for r in mine)
            last = mine[-1]
            found = "" if last.found is None else f"{last.found}/{last.expected}"
            extra = "" if last.extra is None else str(last.extra)
            vs_fl = (
                f"{wall['frictionless'] / wall[tool]:.1f}× faster"
                if "frictionless" in wall and tool == "clusterdata"
                else ""
            )
            vs_floor = (
                f"{wall[tool] / wall['duckdb floor']:.2f}×"
                if "duckdb floor" in wall and tool != "duckdb floor"
                else ""
            )
            lines.append(
                f"| {rows:,} | {tool} | {wall[tool]:.2f} | {total_rows / wall[tool]:,.0f}"
                f" | {peak:.0f} | {found} | {extra} | {vs_fl} | {vs_floor} |"
            )
        for run in runs:
            if run.missed:
                lines.append(f"| | {run.tool} missed e.g. | {run.missed} | | | | | | |")
    if starts:
        lines += [
            "",
            "## Start-up (bundled package, median of 5, interleaved)",
            "",
            "| command | wall s |",
            "| --- | ---: |",
        ]
        lines += [f"| `{name}` | {value:.2f} |" for name, value in starts.items()]
        ratio = starts["clusterdata validate"] / starts["frictionless validate"]
        lines += ["", f"`clusterdata validate` / `frictionless validate` = {ratio:.2f}"]
    if per_layer:
        lines += [
            "",
            f"## Where the time goes at {largest:,} rows (one process, in-process)",
            "",
            "| part | seconds |",
            "| --- | ---: |",
        ]
        lines += [
            f"| {name} | {value:.2f} |"
            for name, value in per_layer.items()
            if isinstance(value, float) and name != "peak MB"
        ]
        lines += [
            "",
            f"Tables checked in DuckDB: {', '.join(per_layer.get('in DuckDB', []))}; "
            f"peak {per_layer.get('peak MB', 0):.0f} MB.",
        ]
    lines += targets(results, starts)
    load = os.getloadavg()
    lines += ["", f"Load average when written: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="main-table row counts, comma-separated"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="interleaved runs per tool and size, of which the median counts (one run on a "
        "shared 2-core machine spreads by about 20%%)",
    )
    parser.add_argument(
        "--skip-frictionless-above",
        type=int,
        default=10**9,
        help="do not run frictionless on larger packages (it takes minutes)",
    )
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    results: dict[int, list[Run]] = {}
    for rows in (int(s) for s in args.sizes.split(",") if s.strip()):
        results[rows] = bench_size(rows, args.repeat, args.skip_frictionless_above)
    print("start-up …", flush=True)
    starts = startup(args.repeat)
    largest = max(results, default=0)
    per_layer = layers(largest) if largest else {}
    write_results(results, starts, args.output, per_layer, largest)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
