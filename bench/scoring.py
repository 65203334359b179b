"""Scores a validator's report against the generator's manifest: misses *and* false alarms.

Why: a benchmark that counts only what a tool found rewards a tool that reports everything. The
generator (tests/fixtures/synthetic.py) writes down every defect it injects (`defects`) and the
valid-but-unusual cells that must not be reported (`accepted`); a tool is judged on both.

Each tool is scored from its own report and nothing else: clusterdata from its JSON findings,
frictionless-py from its own `validate --json` report, whose row numbers are placed on physical
lines here with Python's csv module (not with clusterdata's code, which would make the reference
depend on the thing it measures).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: (file, physical line, check): where a finding is and what it says. Line 0 = no line.
Key = tuple[str, int, str]


@dataclass
class Score:
    """How one report compares with the manifest."""

    expected: int
    found: int
    missed: list[Key] = field(default_factory=list)
    #: Findings on a line where nothing was injected (the must-not-report cells are such lines).
    false_alarms: list[Key] = field(default_factory=list)
    #: How many of the false alarms sit on a must-not-report cell of the manifest.
    on_accepted: int = 0
    #: Further findings on a line that does carry a defect (another check on the same cell), by check.
    extra: Counter[str] = field(default_factory=Counter)


def frictionless_kind(check: str) -> str:
    """The error type frictionless-py gives a defect: one `constraint-error` for every constraint
    (which constraint is only in its English note, so it is not compared)."""
    return "constraint-error" if check.startswith("constraint-") else check


def score(found: set[Key], manifest: dict[str, Any], *, frictionless: bool = False) -> Score:
    """Compare `found` with the manifest's defects and must-not-report cells.

    `frictionless` compares in frictionless-py's vocabulary (`frictionless_kind`)."""
    kind = frictionless_kind if frictionless else (lambda check: check)
    want = {(d["file"], int(d["line"]), kind(d["check"])) for d in manifest["defects"]}
    defect_lines = {(file, line) for file, line, _ in want}
    accepted = {(a["file"], int(a["line"])) for a in manifest.get("accepted", [])}
    result = Score(expected=len(want), found=len(want & found), missed=sorted(want - found))
    for key in sorted(found - want):
        file, line, check = key
        if (file, line) in defect_lines:
            result.extra[check] += 1
        else:
            result.false_alarms.append(key)
            result.on_accepted += (file, line) in accepted
    return result


def clusterdata_found(stdout: str) -> set[Key]:
    """Every finding of `clusterdata validate --format json`, errors and warnings alike."""
    report = json.loads(stdout)
    return {(f["path"] or "", f["line"] or 0, f["check"]) for f in report["findings"]}


def frictionless_found(stdout: str, root: Path) -> set[Key]:
    """Every error of `frictionless validate --json`, at the physical line its row starts on."""
    report = json.loads(stdout)
    found: set[Key] = {("", 0, e["type"]) for e in report.get("errors", [])}
    for task in report.get("tasks", []):
        path = task.get("place") or task.get("name") or ""
        errors = task.get("errors", [])
        rows = {e["rowNumber"] for e in errors if isinstance(e.get("rowNumber"), int)}
        lines = record_lines(root / path, rows) if rows else {}
        for error in errors:
            row = error.get("rowNumber")
            if isinstance(row, int):
                found.add((path, lines.get(row, 0), error["type"]))
            else:  # a file or header error: the header is line 1
                found.add((path, 1 if "#header" in error.get("tags", []) else 0, error["type"]))
    return found


def record_lines(path: Path, rows: set[int]) -> dict[int, int]:
    """Row number (frictionless-py's: the header is row 1) -> the physical line the record starts
    on, for the wanted rows. Counts records as the csv module reads them; the generated files hold
    no blank rows, which frictionless-py would skip."""
    out: dict[int, int] = {}
    last = max(rows, default=0)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        previous_end = 0
        for number, _ in enumerate(reader, start=1):
            if number in rows:
                out[number] = previous_end + 1
            if number >= last:
                break
            previous_end = reader.line_num
    return out
