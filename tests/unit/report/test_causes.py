"""Causes first: grouping, ordering and the "did you mean" suggestions, in every reporter.

The golden files `report.causes.*` pin a report with a root-cause group (two dangling references
to the same missing id), a near-miss reference with its suggestion, a notice, and a changed file
that comes first; UPDATE_GOLDEN=1 rewrites them after a review.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from fixtures.packages import write_package

from clusterdata.core.findings import Severity, notice, summarise
from clusterdata.report import render
from clusterdata.validation.causes import explain, groups_of
from clusterdata.validation.pipeline import Report, validate

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
REGIONS = {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}
CLUSTERS = {
    "fields": [{"name": "id", "type": "string"}, {"name": "region_id", "type": "string"}],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["region_id"], "reference": {"resource": "regions", "fields": ["id"]}}
    ],
}
NAMES = {
    "fields": [{"name": "cluster_id", "type": "string"}, {"name": "name", "type": "string"}],
    "foreignKeys": [
        {"fields": ["cluster_id"], "reference": {"resource": "clusters", "fields": ["id"]}}
    ],
}


def _report(tmp_path: Path, changed: frozenset[str]) -> Report:
    descriptor = write_package(
        tmp_path,
        {
            "names": (
                NAMES,
                "cluster_id,name\ncompare,Compare\npaper-provinse,Paper\npaper-provinse,The Paper\n",
            ),
            "clusters": (
                CLUSTERS,
                "id,region_id\ncompare,norrbotten\npaper-province,varmlands-lan\n",
            ),
            "regions": (REGIONS, "id\nnorrbottens-lan\nvarmlands-lan\nvasterbottens-lan\n"),
        },
        name="causes",
    )
    report = validate(descriptor, use_default_checks=False)
    layout = notice(
        "not-canonical",
        "The layout differs from canonical form: missing final newline.",
        resource="regions",
        path="regions.csv",
        line=4,
    )
    findings = explain([*report.findings, layout], report.package, changed)
    summary = summarise(findings, report.summary.rows_per_table, report.summary.checks_run)
    return Report(report.package, findings, summary, changed=changed)


@pytest.fixture
def report(tmp_path: Path) -> Report:
    return _report(tmp_path, frozenset({"clusters.csv"}))


@pytest.mark.parametrize(
    "fmt, suffix", [("text", "txt"), ("json", "json"), ("github", "github.txt"), ("markdown", "md")]
)
def test_grouped_report_matches_golden_file(report: Report, fmt: str, suffix: str):
    out = render(report, fmt, prefix="datapackage")
    golden = GOLDEN / f"report.causes.{suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_references_to_one_missing_id_form_one_group_led_by_the_first(report: Report):
    groups = [[(f.path, f.line, f.check) for f in g] for g in groups_of(report.findings)]
    assert [("names.csv", 3, "foreign-key"), ("names.csv", 4, "foreign-key")] in groups


def test_the_changed_file_comes_first(report: Report):
    assert report.findings[0].path == "clusters.csv"
    assert report.findings[0].check == "foreign-key"


def test_a_near_miss_reference_gets_did_you_mean(report: Report):
    first = report.findings[0]
    assert first.value == "norrbotten"
    assert first.hint is not None and first.hint.startswith("Did you mean 'norrbottens-lan'?")
    names = [f for f in report.findings if f.path == "names.csv"]
    assert all((f.hint or "").startswith("Did you mean 'paper-province'?") for f in names)


def test_a_notice_is_counted_apart_and_does_not_fail(tmp_path: Path):
    report = _report(tmp_path, frozenset())
    assert (report.summary.errors, report.summary.warnings, report.summary.notices) == (3, 0, 1)
    only_notice = dataclasses.replace(
        report, findings=[f for f in report.findings if f.severity is Severity.NOTICE]
    )
    assert only_notice.valid
    data = json.loads(render(only_notice, "json"))
    assert data["valid"] is True and data["findings"][0]["severity"] == "notice"
    assert render(only_notice, "github").startswith("::notice file=regions.csv,line=4,")


def test_without_changed_files_the_order_is_by_file(tmp_path: Path):
    report = _report(tmp_path, frozenset())
    assert [f.path for f in report.findings] == sorted(f.path or "" for f in report.findings)


def test_github_spends_one_annotation_per_group_and_logs_the_rest(report: Report):
    out = render(report, "github")
    annotated = [line for line in out.splitlines() if line.startswith("::")]
    # Only the changed file's finding is annotated; the other files' findings are logged.
    assert len(annotated) == 1 and "file=clusters.csv,line=2" in annotated[0]
    assert "names.csv:4: error [foreign-key]" in out
