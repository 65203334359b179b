"""Writes the benchmark's results file from one run and judges the targets on that run.

Why a module of its own: every sentence of bench/results.md must follow from the numbers of the
run that wrote it: "median of 3 runs" only when three runs completed, a crashed run named rather
than averaged in, the false alarms counted and shown. The hand-written "Design measurements"
section (numbers behind design choices in src/) is carried over from the existing file.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from run import Run

#: The size the speed and memory targets are set for.
TARGET_ROWS = 1_000_000
DESIGN_HEADING = "## Design measurements"


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{name} {version(name)}"
        for name in ("clusterdata", "frictionless", "duckdb", "pandas", "pandera", "numpy")
    )
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "versions": versions,
    }


def times(n: int) -> str:
    return "a single run (no median)" if n == 1 else f"the median of {n} runs"


def completed(runs: list[Run], tool: str) -> list[Run]:
    return [r for r in runs if r.tool == tool and r.failure is None]


def medians(runs: list[Run]) -> dict[str, float]:
    """Median wall time per tool over its completed runs (crashed runs never count)."""
    tools = dict.fromkeys(r.tool for r in runs)
    return {
        tool: statistics.median(r.wall for r in completed(runs, tool))
        for tool in tools
        if completed(runs, tool)
    }


def worst(runs: list[Run]) -> tuple[str, str, str]:
    """Found, false alarms and extra findings of the worst completed run of one tool."""
    scored = [r.score for r in runs if r.score is not None]
    if not scored:
        return "", "", ""
    low = min(scored, key=lambda s: s.found)
    high = max(scored, key=lambda s: len(s.false_alarms))
    extra = Counter[str]()
    for s in scored:
        for check, count in s.extra.items():
            extra[check] = max(extra[check], count)
    extras = ", ".join(f"{n} {check}" for check, n in sorted(extra.items())) or "0"
    return f"{low.found}/{low.expected}", str(len(high.false_alarms)), extras


def size_table(results: dict[int, list[Run]]) -> list[str]:
    lines = [
        "| rows (main table) | tool | runs completed | wall s | rows/s | peak MB | found"
        " | false alarms | extra | vs frictionless | vs DuckDB floor |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for rows, runs in sorted(results.items()):
        total_rows = rows + rows // 2
        wall = medians(runs)
        for tool in dict.fromkeys(r.tool for r in runs):
            mine = [r for r in runs if r.tool == tool]
            done = completed(runs, tool)
            if tool not in wall:
                lines.append(f"| {rows:,} | {tool} | 0/{len(mine)} | | | | | | | | |")
                continue
            peak = max(r.peak_mb for r in done)
            found, alarms, extra = worst(done)
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
                f"| {rows:,} | {tool} | {len(done)}/{len(mine)} | {wall[tool]:.2f}"
                f" | {total_rows / wall[tool]:,.0f} | {peak:.0f} | {found} | {alarms} | {extra}"
                f" | {vs_fl} | {vs_floor} |"
            )
    return lines


def examples(results: dict[int, list[Run]]) -> list[str]:
    """A few misses and false alarms of each tool, so that a failure can be looked at."""
    out: list[str] = []
    for rows, runs in sorted(results.items()):
        seen: set[tuple[str, str]] = set()
        for run in runs:
            if run.score is None:
                continue
            for what, keys in (
                ("missed", run.score.missed),
                ("false alarms", run.score.false_alarms),
            ):
                if keys and (run.tool, what) not in seen:
                    seen.add((run.tool, what))
                    shown = "; ".join(f"{f} line {line} {check}" for f, line, check in keys[:5])
                    out.append(f"- {rows:,} rows, {run.tool}, {what} ({len(keys)}), e.g. {shown}")
    return out


def targets(results: dict[int, list[Run]], starts: dict[str, float]) -> list[tuple[str, str, bool]]:
    """The targets, judged on this run's numbers: (target, result, met)."""
    rows: list[tuple[str, str, bool]] = []
    mine = [r for runs in results.values() for r in runs if r.tool == "clusterdata"]
    scored = [r.score for r in mine if r.score is not None]
    if scored:
        low = min(scored, key=lambda s: s.found)
        rows.append(
            (
                "every size, every run: every injected defect found and located",
                f"{low.found}/{low.expected} at worst",
                all(s.found == s.expected for s in scored),
            )
        )
        alarms = max(len(s.false_alarms) for s in scored)
        rows.append(("every size, every run: 0 false alarms", f"{alarms} at worst", alarms == 0))
    every = [r for runs in results.values() for r in runs]
    crashed = [r for r in every if r.failure is not None]
    rows.append(("every run completed", f"{len(every) - len(crashed)}/{len(every)}", not crashed))
    big = results.get(TARGET_ROWS, [])
    wall = medians(big)
    if "clusterdata" in wall and "frictionless" in wall:
        ratio = wall["frictionless"] / wall["clusterdata"]
        rows.append(
            (
                f"{TARGET_ROWS:,} rows: ≥ 20× faster than frictionless (limit raised)",
                f"{ratio:.1f}× ({wall['clusterdata']:.2f} s vs {wall['frictionless']:.1f} s)",
                ratio >= 20,
            )
        )
    if "clusterdata" in wall and "duckdb floor" in wall:
        ratio = wall["clusterdata"] / wall["duckdb floor"]
        rows.append(
            (
                f"{TARGET_ROWS:,} rows: within 2.5× of the DuckDB floor",
                f"{ratio:.2f}× ({wall['clusterdata']:.2f} s vs {wall['duckdb floor']:.2f} s)",
                ratio <= 2.5,
            )
        )
    done = completed(big, "clusterdata")
    if done:
        peak = max(r.peak_mb for r in done)
        rows.append((f"{TARGET_ROWS:,} rows: peak memory < 1.5 GB", f"{peak:.0f} MB", peak < 1536))
    if "clusterdata validate" in starts and "frictionless validate" in starts:
        ratio = starts["clusterdata validate"] / starts["frictionless validate"]
        rows.append(
            (
                "bundled package: ≤ 1.5× `frictionless validate`",
                f"{ratio:.2f}× ({starts['clusterdata validate']:.2f} s vs "
                f"{starts['frictionless validate']:.2f} s)",
                ratio <= 1.5,
            )
        )
    return rows


def design_section(path: Path) -> list[str]:
    """The hand-written "Design measurements" section of the existing results, kept as it is."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    start = text.find(DESIGN_HEADING)
    return ["", *text[start:].rstrip("\n").splitlines()] if start >= 0 else []


def write_results(
    path: Path,
    results: dict[int, list[Run]],
    starts: dict[str, float],
    start_failures: list[str],
    per_layer: dict[str, Any],
    *,
    repeat: int,
    load_before: tuple[float, float, float],
    design_from: Path,
) -> list[str]:
    """Write the results file; returns what failed (crashed runs, missed targets), empty if none."""
    info = machine()
    judged = targets(results, starts)
    problems = [f"target not met: {name} ({result})" for name, result, met in judged if not met]
    problems += [
        f"{rows:,} rows, {r.tool}: {r.failure}"
        for rows, runs in sorted(results.items())
        for r in runs
        if r.failure is not None
    ]
    problems += [f"start-up, {failure}" for failure in start_failures]
    load_after = os.getloadavg()
    lines = [
        "# Validation benchmark",
        "",
        f"Run {info['date']} on {info['nproc']} cores ({info['cpu']}), Python {info['python']};"
        f" {info['versions']}.",
        "",
        "**How it was measured.** `make bench` (bench/run.py) generates one package per size with"
        " tests/fixtures/synthetic.py (seed 8), each with 20 defects of each of 15 kinds (300 in all, a quoted"
        " line break before half of them) and 20 valid but unusual integer cells (`' 12'`, `'+5'`,"
        " `'07 '`) that must not be reported. Each tool ran"
        f" {'once' if repeat == 1 else f'{repeat} times'} per size, interleaved (clusterdata,"
        " frictionless, DuckDB floor, clusterdata, …) so that a busy machine slows all three alike."
        f" *wall s* is {times(repeat)} of each tool that completed; *peak MB* is the largest"
        " resident set of any one run. A run that crashed (exit code other than 0 or 1, or a report"
        " that cannot be read) is listed below and counted in no median; it fails the benchmark.",
        "",
        f"**Machine load.** {info['nproc']} cores; load average {load_before[0]:.2f} when the"
        f" benchmark started and {load_after[0]:.2f} when it ended. The benchmark's own runs count"
        " in it, and so does any other work on the machine (on this shared machine, other"
        " branches' builds and test suites may run at the same time). Absolute times carry that"
        " noise (one run spreads by about 20%); the ratios compare tools run side by side.",
        "",
        "**How reports are scored** (bench/scoring.py), each tool from its own report: clusterdata"
        " from `validate --format json`; frictionless-py from `frictionless validate --json"
        " --limit-errors 1000000000`, its row numbers placed on physical lines with Python's csv"
        " module. *found* = injected defects reported at their file, physical line and check"
        " (frictionless-py says `constraint-error` for every constraint, so any constraint"
        " counts for it); *false alarms* = findings on a line where nothing was injected, the"
        " must-not-report cells included; *extra* = further findings on a line that carries a"
        " defect, by check (such as a domain check reporting a cell that layer 1 already"
        " reported). The worst completed run of each tool is shown.",
        "",
        *size_table(results),
    ]
    shown = examples(results)
    if shown:
        lines += ["", "Misses and false alarms, e.g.:", "", *shown]
    failed = [p for p in problems if not p.startswith("target")]
    if failed:
        lines += ["", "## Runs that did not complete", "", *[f"- {p}" for p in failed]]
    if starts:
        lines += [
            "",
            f"## Start-up (bundled package, {times(max(5, repeat))}, interleaved)",
            "",
            "| command | wall s |",
            "| --- | ---: |",
            *[f"| `{name}` | {value:.2f} |" for name, value in starts.items()],
        ]
    largest = max(results, default=0)
    if "error" in per_layer:
        lines += ["", f"Per-layer timing at {largest:,} rows failed: {per_layer['error']}."]
    elif per_layer:
        lines += [
            "",
            f"## Where the time goes at {largest:,} rows (one process, a single run)",
            "",
            "| part | seconds |",
            "| --- | ---: |",
            *[
                f"| {name} | {value:.2f} |"
                for name, value in per_layer.items()
                if isinstance(value, float) and name != "peak MB"
            ],
            "",
            f"Tables checked in DuckDB: {', '.join(per_layer.get('in DuckDB', []))}; "
            f"peak {per_layer.get('peak MB', 0):.0f} MB.",
        ]
    lines += ["", "## Targets, judged on this run", ""]
    if TARGET_ROWS not in results:
        lines += [
            f"The speed and memory targets are set for {TARGET_ROWS:,} rows, which this run did"
            " not measure.",
            "",
        ]
    lines += ["| target | result | met? |", "| --- | --- | --- |"]
    lines += [
        f"| {name} | {result} | {'yes' if met else '**no**'} |" for name, result, met in judged
    ]
    verdict = "all targets met" if not problems else f"**failed**: {'; '.join(problems)}"
    lines += ["", f"Verdict of this run: {verdict}."]
    lines += design_section(design_from)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return problems
