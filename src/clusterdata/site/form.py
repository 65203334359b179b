"""The site's "add a cluster" / "föreslå ett kluster" page: a form with no server.

The page is generated from the clusters Table Schema of the release. The browser checks what it
can (required cells, patterns, enums, foreign keys against the ids in the release, ids already
taken); every message it shows is computed here, at build time, by the same hint function the
command line uses (validation/hints.py), and shipped in the page as JSON: the JavaScript only
picks a message, it never words one. When the row passes, the page offers a link that opens the
GitHub issue form (.github/ISSUE_TEMPLATE/add-cluster.yml) filled in with the row, and shows the
issue body GitHub will make of it; the issue-to-pr workflow then runs the full validation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from clusterdata.core.package import Resource
from clusterdata.site.pages import PageWriter, register_page
from clusterdata.site.release import Release
from clusterdata.tableschema.model import Field

PAGE = "add-cluster.html"
TEMPLATE = "add-cluster.html"

UI: dict[str, dict[str, str]] = {
    "en": {
        "nav": "Add a cluster",
        "title": "Add a cluster",
        "intro": "Suggest a cluster for the dataset. The form checks your row here in the "
        "browser with the same rules and messages as `clusterdata validate`; then it opens a "
        "GitHub issue with the row filled in. Maintainers and the automatic checks turn the "
        "issue into a pull request. Every row needs a source that is already in the dataset "
        "(sources table); to add a source too, use the spreadsheet template (CONTRIBUTING.md).",
        "check": "Check the row",
        "ok": "The row passes the checks that can run in the browser. Open the issue to send it:",
        "open": "Open the pre-filled GitHub issue",
        "body": "The issue will contain:",
        "errors": "Fix the marked fields:",
        "required": "required",
        "one_of": "one of",
    },
    "sv": {
        "nav": "Föreslå ett kluster",
        "title": "Föreslå ett kluster",
        "intro": "Föreslå ett kluster till datamängden. Formuläret kontrollerar raden här i "
        "webbläsaren med samma regler och meddelanden som `clusterdata validate`; sedan öppnar "
        "det ett GitHub-ärende med raden ifylld. Förvaltare och de automatiska kontrollerna gör "
        "ärendet till en pull request. Varje rad behöver en källa som redan finns i datamängden "
        "(tabellen sources); vill du lägga till en källa också, använd kalkylarksmallen "
        "(CONTRIBUTING.md).",
        "check": "Kontrollera raden",
        "ok": "Raden klarar de kontroller som kan göras i webbläsaren. Öppna ärendet för att "
        "skicka den:",
        "open": "Öppna det ifyllda GitHub-ärendet",
        "body": "Ärendet kommer att innehålla:",
        "errors": "Rätta de markerade fälten:",
        "required": "obligatoriskt",
        "one_of": "ett av",
    },
}


def _foreign_keys(resource: Resource) -> dict[str, tuple[str, str]]:
    """Single-field foreign keys: field → (table, column) it references."""
    refs = {}
    for fk in resource.table_schema.foreign_keys:
        fields, targets = fk.fields, fk.reference.fields
        if len(fields) == 1 and len(targets) == 1:
            refs[fields[0]] = (fk.reference.target(resource.name), targets[0])
    return refs


def _message(check: str, name: str, field: Field, resource: Resource) -> dict[str, str]:
    """The CLI's check id and hint for `check` on this field (hints.py decides the words)."""
    from clusterdata.validation.hints import hint_for

    data = {"fieldNames": [name]} if check == "foreign-key" else None
    return {"check": check, "hint": hint_for(check, field, resource, data)}


def form_spec(resource: Resource, values: Callable[[str, str], list[str]]) -> dict[str, Any]:
    """What the page's script needs: per field its rules, the ids it may reference, and the
    message for each rule. `values(table, column)` gives a column of the release's data."""
    from clusterdata.authoring.issueform import LABEL, TEMPLATE_NAME, TITLE_PREFIX, new_issue_url

    refs = _foreign_keys(resource)
    fields = []
    primary_key = resource.table_schema.primary_key
    for field in resource.table_schema.fields:
        name = field.name
        constraints = field.constraints
        rules: dict[str, Any] = {}
        messages: dict[str, dict[str, str]] = {}
        if constraints.required:
            rules["required"] = True
            messages["required"] = _message("constraint-required", name, field, resource)
        if constraints.pattern:
            rules["pattern"] = constraints.pattern
            messages["pattern"] = _message("constraint-pattern", name, field, resource)
        enum = constraints.enum
        if field.type == "boolean" and not enum:
            rules["enum"] = ["true", "false"]
            messages["enum"] = _message("type-error", name, field, resource)
        elif enum is not None:
            rules["enum"] = [str(v) for v in enum]
            messages["enum"] = _message("constraint-enum", name, field, resource)
        if name in refs:
            rules["ids"] = values(*refs[name])
            messages["ids"] = _message("foreign-key", name, field, resource)
        if constraints.unique or primary_key == (name,):
            rules["taken"] = values(resource.name, name)
            messages["taken"] = _message(
                "primary-key" if primary_key == (name,) else "unique-error",
                name,
                field,
                resource,
            )
        fields.append({"name": name, "rules": rules, "messages": messages})
    return {
        "table": resource.name,
        "fields": fields,
        "issue": {
            "url": new_issue_url(),
            "template": TEMPLATE_NAME,
            "label": LABEL,
            "titlePrefix": TITLE_PREFIX,
            "titleField": "name",
        },
    }


def _column_values(release: Release) -> Callable[[str, str], list[str]]:
    from clusterdata.authoring.csvtable import column_values
    from clusterdata.core.package import open_package

    package = open_package(release.folder)
    return lambda table, column: column_values(package, table, column)


def write_form_page(write: Callable[..., None], release: Release, lang: str) -> None:
    """Render the form page of one language with the site's `write` (no page without a
    clusters table in the release)."""
    from clusterdata.authoring.issueform import FORM_TABLE
    from clusterdata.core.package import open_package
    from clusterdata.site.release import localized

    resource = open_package(release.folder).resource(FORM_TABLE)
    if resource is None:
        return
    spec = form_spec(resource, _column_values(release))
    ui = UI[lang]
    inputs = []
    for field, rules in zip(resource.table_schema.fields, spec["fields"], strict=True):
        inputs.append(
            {
                "name": rules["name"],
                "description": localized(field.descriptor, "description", lang),
                "required": bool(rules["rules"].get("required")),
                "choices": rules["rules"].get("enum") or [],
                "ids": rules["rules"].get("ids") or [],
                "long": rules["name"] in {"description", "note", "provenance_note"},
            }
        )
    # `</` would end the script element early; JSON allows `<\/`.
    payload = json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
    write(PAGE, TEMPLATE, form_ui=ui, inputs=inputs, spec_json=payload)


@register_page
def form_page(writer: PageWriter) -> None:
    """The "add a cluster" page, one per language (site/pages.py hook)."""
    write_form_page(writer.write, writer.common["release"], writer.lang)
