"""A table's data dictionary in a visitor's language: types, constraints and references in
words (a pattern is described, never shown as a regular expression)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from clusterdata.site.release import localized
from clusterdata.site.ui import UI, code_label, type_name
from clusterdata.tableschema.pattern_words import describe


def _references(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, str]:
    refs: dict[str, str] = {}
    for fk in schema.get("foreignKeys") or []:
        if not isinstance(fk, dict):
            continue
        fields = fk.get("fields")
        ref = fk.get("reference") if isinstance(fk.get("reference"), dict) else {}
        target = (ref or {}).get("resource") or spec.get("name")
        target_fields = (ref or {}).get("fields")
        names = [fields] if isinstance(fields, str) else fields or []
        targets = [target_fields] if isinstance(target_fields, str) else target_fields or []
        for name, to in zip(names, targets, strict=False):
            refs[str(name)] = f"{target}.{to}"
    return refs


def constraint_notes(constraints: dict[str, Any], lang: str) -> list[str]:
    """Each constraint of a field as a short phrase in `lang`."""
    ui = UI[lang]
    notes = []
    if constraints.get("required"):
        notes.append(ui["required"])
    if constraints.get("unique"):
        notes.append(ui["unique"])
    if isinstance(constraints.get("enum"), list):
        # Codes are data (shown as code); their label is in the page's language.
        shown = [
            Markup("<code>{}</code>").format(c)
            if code_label(c, lang) in (c, c.replace("_", " "))
            else Markup("<code>{}</code> ({})").format(c, code_label(c, lang))
            for c in (str(code) for code in constraints["enum"])
        ]
        notes.append(Markup("{}: ").format(ui["one_of"]) + Markup(", ").join(shown))
    if constraints.get("pattern"):
        notes.append(describe(str(constraints["pattern"]), lang))
    for bound, key in (
        ("minimum", "at_least"),
        ("maximum", "at_most"),
        ("minLength", "min_chars"),
        ("maxLength", "max_chars"),
    ):
        if bound in constraints:
            notes.append(ui[key].format(n=constraints[bound]))
    return notes


def field_rows(spec: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """One row per field: name, type, constraints and description in `lang`."""
    schema = spec.get("schema") if isinstance(spec.get("schema"), dict) else {}
    schema = schema or {}
    refs = _references(spec, schema)
    out = []
    for f in schema.get("fields") or []:
        if not isinstance(f, dict):
            continue
        raw = f.get("constraints")
        notes = constraint_notes(raw if isinstance(raw, dict) else {}, lang)
        name = str(f.get("name"))
        if name in refs:
            notes.append(f"{UI[lang]['references']} {refs[name]}")
        kind = type_name(str(f.get("type") or "string"), lang)
        if f.get("format") and f.get("format") != "default":
            kind += f" ({f['format']})"
        out.append(
            {
                "name": name,
                "type": kind,
                "constraints": notes,
                "description": localized(f, "description", lang),
                "fallback": lang != "en" and not f.get(f"x-description-{lang}"),
            }
        )
    return out
