"""The issue route: a GitHub issue form generated from the Table Schema, and its body read back
as a row.

GitHub renders a submitted issue form as one `### <label>` section per field, with the value
below it and `_No response_` for an empty field. The labels are the field names, so the body
reads back without guessing. The form asks for one cluster; the web form on the site
(`clusterdata site`, page add-cluster.html) fills the same fields through the URL, and the
issue-to-pr workflow turns the issue into a pull request with `clusterdata import --issue`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from clusterdata.authoring.newrows import NewRow, Origin
from clusterdata.core.findings import Finding, error
from clusterdata.core.package import Resource
from clusterdata.tableschema.model import Field, Schema

#: The table the web form and the issue form add a row to.
FORM_TABLE = "clusters"
TEMPLATE_NAME = "add-cluster.yml"
TEMPLATE_PATH = Path(".github") / "ISSUE_TEMPLATE" / TEMPLATE_NAME
LABEL = "add-cluster"
TITLE_PREFIX = "Nytt kluster / New cluster: "
NO_RESPONSE = "_No response_"
#: Fields whose text may be long: a textarea in the issue form.
_LONG = {"description", "note", "provenance_note"}
_HEADING = re.compile(r"^###[ \t]+(.+?)[ \t]*$", re.MULTILINE)


def repository_url() -> str:
    """The repository the form's issue URL opens, from the one public-home constant
    (`release/home.py`), so a move of the repository is one edit."""
    from clusterdata.release.home import REPOSITORY

    return REPOSITORY


def new_issue_url(fields: dict[str, str] | None = None, title: str = "") -> str:
    """The URL that opens the issue form with the given fields filled in."""
    query = {"template": TEMPLATE_NAME, "labels": LABEL}
    if title:
        query["title"] = TITLE_PREFIX + title
    query.update(fields or {})
    return f"{repository_url()}/issues/new?{urlencode(query)}"


def _description(field: Field) -> str:
    parts = []
    descriptor = field.descriptor
    if descriptor.get("x-description-sv"):
        parts.append(f"Svenska: {descriptor['x-description-sv']}")
    if descriptor.get("description"):
        parts.append(f"English: {descriptor['description']}")
    enum = field.constraints.enum
    if enum is not None:
        parts.append("Ett av / one of: " + ", ".join(f"`{v}`" for v in enum))
    elif field.type == "boolean":
        parts.append("`true` eller/or `false`")
    return "\n\n".join(parts)


def issue_template(resource: Resource) -> str:
    """The issue-form YAML for adding one row to `resource`, derived from its schema."""
    return issue_form(resource.name, resource.table_schema)


def issue_form(table: str, schema: Schema) -> str:
    """The issue-form YAML for adding one row to the table named `table` with `schema`
    (`clusterdata generate` writes it beside the other files derived from schemas/)."""
    import yaml

    body: list[dict[str, Any]] = [
        {
            "type": "markdown",
            "attributes": {
                "value": "Föreslå ett kluster: fyll i ett fält per kolumn. En granskare och "
                "automatiska kontroller går igenom förslaget, och det blir en pull request.\n\n"
                "Suggest a cluster: fill in one field per column. Automatic checks and a "
                "reviewer go through it, and it becomes a pull request.\n\n"
                "This form is generated from schemas/tables/"
                f"{table}.schema.json by `clusterdata template --issue-form`; "
                "do not edit it by hand."
            },
        }
    ]
    for field in schema.fields:
        name = field.name
        item: dict[str, Any] = {
            "type": "textarea" if name in _LONG else "input",
            "id": name,
            "attributes": {"label": name, "description": _description(field)},
        }
        if field.constraints.required:
            item["validations"] = {"required": True}
        body.append(item)
    form = {
        "name": "Föreslå ett kluster / Add a cluster",
        "description": f"En ny rad i tabellen {table} / A new row in the {table} table",
        "title": TITLE_PREFIX,
        "labels": [LABEL],
        "body": body,
    }
    header = (
        "# Generated from the Table Schema by `clusterdata template --issue-form`; "
        "do not edit by hand.\n"
    )
    return header + yaml.safe_dump(form, allow_unicode=True, sort_keys=False, width=100)


def template_stale(root: Path, resource: Resource) -> bool:
    try:
        return (root / TEMPLATE_PATH).read_text(encoding="utf-8") != issue_template(resource)
    except OSError:
        return True


def write_issue_template(root: Path, resource: Resource) -> Path:
    from clusterdata.core.atomic import write_text_atomic

    target = root / TEMPLATE_PATH
    write_text_atomic(target, issue_template(resource))
    return target


def parse_issue_body(
    body: str, resource: Resource, source: str = "issue"
) -> tuple[NewRow | None, list[Finding]]:
    """The row an issue-form body describes, or located findings when it is not one."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    headings = list(_HEADING.finditer(text))
    known = set(resource.field_names)
    cells: dict[str, str] = {}
    findings: list[Finding] = []
    for index, match in enumerate(headings):
        label = match.group(1).strip()
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        value = text[match.end() : end].strip()
        if value == NO_RESPONSE:
            value = ""
        if label not in known:
            findings.append(
                error(
                    "unknown-field",
                    f"The issue has a section {label!r}, which is not a column of {resource.name}.",
                    path=source,
                    column=label,
                    hint=f"Open the issue with the {TEMPLATE_NAME} form and keep its headings.",
                )
            )
            continue
        cells[label] = value
    if not cells and not findings:
        findings.append(
            error(
                "not-an-issue-form",
                "The issue body has no form sections (### field name).",
                path=source,
                hint=f"Open the issue with the {TEMPLATE_NAME} form, or the site's "
                "'add a cluster' page.",
            )
        )
    if not cells:
        return None, findings
    return NewRow(resource.name, cells, Origin(source, None, lambda name: name)), findings
