"""schemas/ is the single source: the descriptor's inline schemas and the dictionary follow it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fixtures.packages import REPO

from clusterdata.authoring.generate import generate, load_table_schemas


def test_descriptor_schemas_and_data_dictionary_are_not_stale():
    stale = generate(REPO, check=True)
    assert stale == [], f"run `clusterdata generate`: stale {stale}"


def test_every_table_schema_is_a_resource_and_every_resource_has_a_schema_file():
    schemas = load_table_schemas(REPO / "schemas")
    descriptor = json.loads((REPO / "datapackage" / "datapackage.json").read_text("utf-8"))
    assert set(schemas) == {r["name"] for r in descriptor["resources"]}


def test_editing_a_schema_makes_the_descriptor_stale_until_generated(tmp_path: Path):
    for folder in ("schemas", "datapackage", "docs", ".github"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    schema_file = sorted((tmp_path / "schemas" / "tables").glob("*.schema.json"))[0]
    schema = json.loads(schema_file.read_text("utf-8"))
    schema["fields"][0]["description"] = "Changed on purpose."
    schema_file.write_text(json.dumps(schema), encoding="utf-8")
    stale = generate(tmp_path, check=True)
    assert {p.name for p in stale} == {"datapackage.json", "data-dictionary.md"}
    generate(tmp_path)
    assert generate(tmp_path, check=True) == []
    assert "Changed on purpose." in (tmp_path / "docs" / "data-dictionary.md").read_text("utf-8")


def test_generate_check_command_exits_1_when_stale(tmp_path: Path, cli):
    for folder in ("schemas", "datapackage", "docs"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "docs" / "data-dictionary.md").write_text("hand edit\n", encoding="utf-8")
    result = cli("generate", "--root", tmp_path, "--check")
    assert result.code == 1
    assert "docs/data-dictionary.md" in result.out
    assert cli("generate", "--root", tmp_path).code == 0
    assert cli("generate", "--root", tmp_path, "--check").code == 0


def test_editing_the_clusters_schema_makes_the_issue_form_stale_until_generated(tmp_path: Path):
    """The "add a cluster" issue form lists the clusters table's columns and their
    descriptions: `generate` keeps it with the other files derived from schemas/."""
    for folder in ("schemas", "datapackage", "docs", ".github"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    schema_file = tmp_path / "schemas" / "tables" / "clusters.schema.json"
    schema = json.loads(schema_file.read_text("utf-8"))
    schema["fields"][0]["description"] = "Changed on purpose."
    schema_file.write_text(json.dumps(schema), encoding="utf-8")
    stale = generate(tmp_path, check=True)
    assert {p.name for p in stale} == {"datapackage.json", "data-dictionary.md", "add-cluster.yml"}
    generate(tmp_path)
    assert generate(tmp_path, check=True) == []
    form = (tmp_path / ".github" / "ISSUE_TEMPLATE" / "add-cluster.yml").read_text("utf-8")
    assert "Changed on purpose." in form
