"""Golden files pin each reporter's exact output; UPDATE_GOLDEN=1 rewrites them after a review."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fixtures.packages import write_package

from clusterdata.core.findings import Finding, Severity, merge
from clusterdata.report import render
from clusterdata.report.github import annotation
from clusterdata.validation.pipeline import validate

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["hub", "network"]}},
        {"name": "year", "type": "integer"},
    ],
    "primaryKey": ["id"],
}


@pytest.fixture
def report(tmp_path: Path):
    text = 'id,kind,year\nbeyond,hub,2018\nslim,"net\nwork",2012\nslim,hub,twenty\n'
    return validate(
        write_package(tmp_path, {"initiatives": (SCHEMA, text)}, name="golden"),
        use_default_checks=False,
    )


@pytest.mark.parametrize(
    "fmt, suffix", [("text", "txt"), ("json", "json"), ("github", "github.txt"), ("markdown", "md")]
)
def test_reporter_output_matches_golden_file(report, fmt: str, suffix: str):
    out = render(report, fmt, prefix="datapackage")
    golden = GOLDEN / f"report.{suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_json_report_has_valid_findings_and_summary(report):
    data = json.loads(render(report, "json"))
    assert set(data) == {"valid", "findings", "summary"}
    assert data["valid"] is False
    assert data["summary"]["errors"] == len(data["findings"])
    assert set(data["findings"][0]) == {
        "check",
        "severity",
        "resource",
        "path",
        "line",
        "column",
        "value",
        "message",
        "hint",
        "cause",
    }


def test_github_annotation_escapes_newlines_and_commas():
    finding = Finding(
        "x", Severity.ERROR, "two\nlines, here", path="data/a,b.csv", line=3, column="c:d"
    )
    line = annotation(finding, prefix="datapackage")
    assert line.startswith("::error file=datapackage/data/a%2Cb.csv,line=3,title=x in c%3Ad::")
    assert "two%0Alines, here" in line
    assert "\n" not in line


def test_text_report_is_coloured_only_when_asked(report):
    assert "\033[" not in render(report, "text")
    assert "\033[31m" in render(report, "text", color=True)


def test_merge_keeps_one_finding_per_defect_and_sorts_by_path_line_column():
    a = Finding("enum", Severity.ERROR, "first", path="b.csv", line=2, column="k")
    b = Finding("enum", Severity.ERROR, "again", path="b.csv", line=2, column="k")
    c = Finding("type-error", Severity.ERROR, "x", path="a.csv", line=9, column="k")
    assert merge([a, b, c]) == [c, a]
