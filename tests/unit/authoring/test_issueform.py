"""The issue route: the issue form is generated from the schema (and not stale), and an issue
body made with it becomes a row, checked and written as CSV rows are (the issue-to-pr step)."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml
from fixtures.packages import REPO

from clusterdata.authoring.issueform import (
    TEMPLATE_PATH,
    issue_template,
    new_issue_url,
    parse_issue_body,
    template_stale,
)
from clusterdata.core.package import open_package

SAMPLE = REPO / "tests" / "fixtures" / "issues" / "add-cluster.md"


def clusters(package: Path):
    resource = open_package(package).resource("clusters")
    assert resource is not None
    return resource


def test_issue_form_template_is_not_stale():
    resource = clusters(REPO / "datapackage")
    assert not template_stale(REPO, resource), (
        f"run `clusterdata template --issue-form` to regenerate {TEMPLATE_PATH}"
    )


def test_issue_form_is_derived_from_the_schema(package_copy: Path):
    resource = clusters(package_copy)
    form = yaml.safe_load(issue_template(resource))
    inputs = [item for item in form["body"] if item["type"] != "markdown"]
    assert [i["id"] for i in inputs] == resource.field_names
    assert [i["attributes"]["label"] for i in inputs] == resource.field_names
    required = {i["id"] for i in inputs if i.get("validations", {}).get("required")}
    assert required == {"id", "name", "flagged", "source_id", "provenance"}
    provenance = next(i for i in inputs if i["id"] == "provenance")
    assert "`stated`, `derived`, `inferred`" in provenance["attributes"]["description"]
    assert "Svenska: Klustrets namn" in inputs[1]["attributes"]["description"]


def test_editing_the_schema_makes_the_issue_form_stale(tmp_path: Path):
    shutil.copytree(REPO / ".github", tmp_path / ".github")
    resource = clusters(REPO / "datapackage")
    assert not template_stale(tmp_path, resource)
    changed = replace(
        resource, schema={**resource.schema, "fields": resource.schema["fields"][:-1]}
    )
    assert template_stale(tmp_path, changed)


def test_issue_body_is_read_back_as_the_row():
    row, findings = parse_issue_body(SAMPLE.read_text("utf-8"), clusters(REPO / "datapackage"))
    assert findings == [] and row is not None
    assert row.cells["name"] == "Robotdalen Exempel Väst"
    assert row.cells["website"] == ""  # "_No response_" is an empty cell
    assert row.cells["description"] == "Ett exempelkluster för robotik, skrivet för testet."


def test_a_body_without_form_sections_is_a_located_error():
    row, findings = parse_issue_body("Hej! Lägg till Robotdalen.", clusters(REPO / "datapackage"))
    assert row is None
    assert [f.check for f in findings] == ["not-an-issue-form"]
    row, findings = parse_issue_body("### color\n\nblue\n", clusters(REPO / "datapackage"))
    assert [(f.check, f.column) for f in findings] == [("unknown-field", "color")]


def test_issue_to_pr_step_adds_the_sample_issue_row_in_canonical_form(package_copy: Path, cli):
    result = cli("import", "--issue", SAMPLE, package_copy)
    assert result.code == 0, result.out
    with (package_copy / "data" / "clusters.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["id"]: r for r in csv.DictReader(handle)}
    assert rows["robotdalen-exempel"]["region_id"] == "karlstads-kommun"
    assert cli("format", package_copy, "--check").code == 0


def test_issue_with_an_unknown_region_is_reported_by_field_and_not_written(
    package_copy: Path, tmp_path: Path, cli
):
    body = SAMPLE.read_text("utf-8").replace("karlstads-kommun", "okand-kommun")
    issue = tmp_path / "issue.md"
    issue.write_text(body, encoding="utf-8")
    before = (package_copy / "data" / "clusters.csv").read_bytes()
    result = cli("import", "--issue", issue, package_copy)
    assert result.code == 1
    assert "issue, column region_id: error [foreign-key]" in result.out
    assert (package_copy / "data" / "clusters.csv").read_bytes() == before


def test_new_issue_url_opens_the_form_with_fields_filled():
    url = new_issue_url({"id": "robotdalen", "name": "Stål & Verkstad"}, title="Stål & Verkstad")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://github.com/clusterdata/clusterdata/issues/new"
    )
    query = parse_qs(parts.query)
    assert query["template"] == ["add-cluster.yml"]
    assert query["name"] == ["Stål & Verkstad"]
    assert query["title"] == ["Nytt kluster / New cluster: Stål & Verkstad"]
