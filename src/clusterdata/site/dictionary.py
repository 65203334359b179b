"""A table's data dictionary in a visitor's language: types, constraints and references in
words (a pattern is described, never shown as a regular expression)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from clusterdata.site.release import localized
from clusterdata.site.ui import UI, code_label, type_name
from clusterdata.tableschema.model import Constraints, Schema
from clusterdata.tableschema.pattern_words import describe


def _references(own: str, schema: Schema) -> dict[str, str]:
    refs: dict[str, str] = {}
    for fk in schema.foreign_keys:
        for name, to in zip(fk.fields, fk.reference.fields, strict=False):
            refs[name] = f"{fk.reference.target(own)}.{to}"
    return refs


def constraint_notes(constraints: Constraints, lang: str) -> list[str]:
    """Each constraint of a field as a short phrase in `lang`."""
    ui = UI[lang]
    notes = []
    if constraints.required:
        notes.append(ui["required"])
    if constraints.unique:
        notes.append(ui["unique"])
    if constraints.enum is not None:
        # Codes are data (shown as code); their label is in the page's language.
        shown = [
            Markup("<code>{}</code>").format(c)
            if code_label(c, lang) in (c, c.replace("_", " "))
            else Markup("<code>{}</code> ({})").format(c, code_label(c, lang))
            for c in (str(code) for code in constraints.enum)
        ]
        notes.append(Markup("{}: ").format(ui["one_of"]) + Markup(", ").join(shown))
    if constraints.pattern:
        notes.append(describe(constraints.pattern, lang))
    for value, key in (
        (constraints.minimum, "at_least"),
        (constraints.maximum, "at_most"),
        (constraints.min_length, "min_chars"),
        (constraints.max_length, "max_chars"),
    ):
        if value is not None:
            notes.append(ui[key].format(n=value))
    return notes


def field_rows(spec: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """One row per field: name, type, constraints and description in `lang`."""
    schema = Schema.from_descriptor(spec.get("schema"))
    refs = _references(str(spec.get("name")), schema)
    out = []
    for field in schema.fields:
        notes = constraint_notes(field.constraints, lang)
        name = field.name
        if name in refs:
            notes.append(f"{UI[lang]['references']} {refs[name]}")
        kind = type_name(field.type, lang)
        if field.format != "default":
            kind += f" ({field.format})"
        out.append(
            {
                "name": name,
                "type": kind,
                "constraints": notes,
                "description": localized(field.descriptor, "description", lang),
                "fallback": lang != "en" and not field.descriptor.get(f"x-description-{lang}"),
            }
        )
    return out
