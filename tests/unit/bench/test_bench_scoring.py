"""The benchmark judges honestly: false alarms count, crashed runs fail it, frictionless-py is
scored from its own report, and one run is never called a median."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from fixtures.packages import REPO

sys.path.insert(0, str(REPO / "bench"))

from run import Run, crash
from scoring import Score, clusterdata_found, frictionless_found, record_lines, score
from writeup import write_results

MANIFEST = {
    "defects": [
        {"file": "data/t.csv", "line": 3, "column": "n", "check": "type-error"},
        {"file": "data/t.csv", "line": 6, "column": "n", "check": "constraint-minimum"},
    ],
    "accepted": [{"file": "data/t.csv", "line": 5, "column": "n", "value": " 12"}],
}


def test_finding_on_a_must_not_report_cell_is_a_false_alarm():
    found = {
        ("data/t.csv", 3, "type-error"),
        ("data/t.csv", 6, "constraint-minimum"),
        ("data/t.csv", 5, "type-error"),
    }
    result = score(found, MANIFEST)
    assert (result.found, result.expected) == (2, 2)
    assert result.false_alarms == [("data/t.csv", 5, "type-error")]
    assert result.on_accepted == 1


def test_finding_on_a_clean_line_is_a_false_alarm_too():
    found = {("data/t.csv", 3, "type-error"), ("data/t.csv", 6, "constraint-minimum")}
    result = score(found | {("data/t.csv", 9, "url")}, MANIFEST)
    assert result.false_alarms == [("data/t.csv", 9, "url")]
    assert result.on_accepted == 0


def test_clean_report_has_no_false_alarm_and_second_check_on_a_defect_line_is_extra():
    found = {
        ("data/t.csv", 3, "type-error"),
        ("data/t.csv", 3, "url"),
        ("data/t.csv", 6, "constraint-minimum"),
    }
    result = score(found, MANIFEST)
    assert result.false_alarms == []
    assert dict(result.extra) == {"url": 1}


def test_missed_defect_is_listed():
    result = score({("data/t.csv", 3, "type-error")}, MANIFEST)
    assert result.found == 1
    assert result.missed == [("data/t.csv", 6, "constraint-minimum")]


def test_frictionless_constraint_error_counts_for_any_constraint_defect():
    found = {("data/t.csv", 3, "type-error"), ("data/t.csv", 6, "constraint-error")}
    assert score(found, MANIFEST, frictionless=True).found == 2
    assert score(found, MANIFEST).found == 1


def test_frictionless_rows_are_placed_on_physical_lines_after_quoted_line_breaks(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "t.csv").write_text('id,n\na,"two\nlines"\nb,x\nc,"1\n2\n3"\nd,y\n', encoding="utf-8")
    # header = row 1 on line 1; a: row 2, lines 2-3; b: row 3, line 4; c: row 4, 5-7; d: row 5, 8
    assert record_lines(data / "t.csv", {2, 3, 4, 5}) == {2: 2, 3: 4, 4: 5, 5: 8}
    report = {
        "errors": [],
        "tasks": [
            {
                "place": "data/t.csv",
                "errors": [
                    {"type": "type-error", "rowNumber": 3, "tags": ["#row"]},
                    {"type": "constraint-error", "rowNumber": 5, "tags": ["#row"]},
                    {"type": "duplicate-label", "tags": ["#header"]},
                ],
            }
        ],
    }
    assert frictionless_found(json.dumps(report), tmp_path) == {
        ("data/t.csv", 4, "type-error"),
        ("data/t.csv", 8, "constraint-error"),
        ("data/t.csv", 1, "duplicate-label"),
    }


def test_clusterdata_report_is_read_with_warnings_and_lineless_findings():
    report = {
        "findings": [
            {"path": "data/t.csv", "line": 3, "check": "type-error", "severity": "error"},
            {"path": "data/t.csv", "line": None, "check": "schema-error", "severity": "warning"},
        ]
    }
    assert clusterdata_found(json.dumps(report)) == {
        ("data/t.csv", 3, "type-error"),
        ("data/t.csv", 0, "schema-error"),
    }


@pytest.mark.parametrize(("code", "crashed"), [(0, False), (1, False), (2, True), (-9, True)])
def test_exit_code_outside_zero_and_one_is_a_crash(code: int, crashed: bool):
    assert (crash(code, "Traceback …\nKeyError: 'x'\n", (0, 1)) is not None) == crashed


def perfect() -> Score:
    return Score(expected=2, found=2)


def write(tmp_path: Path, runs: list[Run], repeat: int) -> tuple[list[str], str]:
    out = tmp_path / "results.md"
    problems = write_results(
        out,
        {10_000: runs},
        {},
        [],
        {},
        repeat=repeat,
        load_before=(1.0, 1.0, 1.0),
        design_from=tmp_path / "none.md",
    )
    return problems, out.read_text(encoding="utf-8")


def test_crashed_run_is_left_out_of_the_median_and_fails_the_benchmark(tmp_path: Path):
    runs = [
        Run("clusterdata", 1.0, 100, 1, perfect()),
        Run("clusterdata", 0.1, 50, 2, failure="exit 2: KeyError"),
        Run("clusterdata", 3.0, 100, 1, perfect()),
    ]
    problems, text = write(tmp_path, runs, repeat=3)
    assert any("exit 2: KeyError" in p for p in problems)
    # median of the completed runs 1.0 and 3.0, not of all three (which would be 1.0)
    assert "| 10,000 | clusterdata | 2/3 | 2.00 |" in text
    assert "## Runs that did not complete" in text
    assert "**failed**" in text


def test_false_alarm_fails_the_benchmark(tmp_path: Path):
    alarmed = Score(expected=2, found=2, false_alarms=[("data/t.csv", 5, "type-error")])
    problems, text = write(tmp_path, [Run("clusterdata", 1.0, 100, 1, alarmed)], repeat=3)
    assert problems == ["target not met: every size, every run: 0 false alarms (1 at worst)"]
    assert "| every size, every run: 0 false alarms | 1 at worst | **no** |" in text


def test_clean_runs_pass_and_are_called_a_median(tmp_path: Path):
    runs = [Run("clusterdata", w, 100, 1, perfect()) for w in (1.0, 2.0, 3.0)]
    problems, text = write(tmp_path, runs, repeat=3)
    assert problems == []
    assert "the median of 3 runs" in text
    assert "all targets met" in text


def test_single_run_is_not_called_a_median(tmp_path: Path):
    _, text = write(tmp_path, [Run("clusterdata", 1.0, 100, 1, perfect())], repeat=1)
    assert "a single run (no median)" in text
    assert "median of" not in text


def test_design_measurements_section_survives_a_rerun(tmp_path: Path):
    old = tmp_path / "old.md"
    old.write_text("# old\n\n## Design measurements\n\n- a number and its reason\n", "utf-8")
    out = tmp_path / "results.md"
    runs = [Run("clusterdata", 1.0, 100, 1, perfect())]
    write_results(out, {10: runs}, {}, [], {}, repeat=3, load_before=(0, 0, 0), design_from=old)
    assert out.read_text("utf-8").endswith("## Design measurements\n\n- a number and its reason\n")
