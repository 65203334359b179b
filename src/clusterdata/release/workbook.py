"""An Excel workbook of a release: one sheet per table, typed cells, and a data-dictionary sheet.

The cells come from the same typed tables as the Parquet and DuckDB exports
(`release.exports.load`), so a number is a number cell, a date a date cell, and a code stays
text: every text field is written as a text cell with Excel's text format ("@"), so "01" keeps
its zero and a value starting with "=" is never a formula (openpyxl would otherwise store it as
one — a spreadsheet-injection risk).

The file goes inside the reproducible zip, so its bytes depend only on the data and the release
date: the document properties carry the release date, and the archive is rewritten with fixed
entry times (openpyxl stamps each entry with the clock).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clusterdata.release.exports import ExportError, zip_date

if TYPE_CHECKING:
    from clusterdata.core.package import Resource
    from clusterdata.release.exports import Loaded

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DICTIONARY_SHEET = "data-dictionary"
DICTIONARY_HEADER = (
    "table",
    "sheet",
    "field",
    "type",
    "required",
    "unique",
    "allowed values",
    "format in words",
    "pattern",
    "references",
    "description",
    "beskrivning",
)
_NUMERIC = ("integer", "number", "year")
_EXCEL_SHEET_NAME = 31


def sheet_names(names: list[str]) -> dict[str, str]:
    """Table name → sheet name: at most 31 characters, none of Excel's forbidden ones, unique."""
    out: dict[str, str] = {}
    taken = {DICTIONARY_SHEET}
    for name in names:
        base = "".join("_" if c in "[]:*?/\\" else c for c in name)[:_EXCEL_SHEET_NAME] or "table"
        candidate, n = base, 2
        while candidate.lower() in {t.lower() for t in taken}:
            suffix = f"~{n}"
            candidate, n = base[: _EXCEL_SHEET_NAME - len(suffix)] + suffix, n + 1
        taken.add(candidate)
        out[name] = candidate
    return out


def resource_entry(name: str, path: str) -> dict[str, Any]:
    """The workbook as a file resource of the release descriptor (bytes and hash added by the
    caller), listed like the Parquet exports."""
    return {
        "name": name,
        "type": "file",
        "path": path,
        "format": "xlsx",
        "mediatype": MEDIA_TYPE,
        "title": "Every table and the data dictionary as an Excel workbook",
        "x-release": "export",
    }


def write_workbook(loaded: Loaded, target: Path, date: dt.date) -> None:
    """Write every table of `loaded` and its data dictionary to `target` (atomically)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from clusterdata.loading.database import quote_ident

    book = Workbook()
    book.remove(book.active)
    stamp = dt.datetime.combine(date, dt.time())
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "clusterdata publish"
    bold = Font(bold=True)
    names = sheet_names([r.name for r in loaded.resources])
    for resource in loaded.resources:
        sheet = book.create_sheet(names[resource.name])
        fields = {f.name: f for f in resource.table_schema.fields}
        relation = loaded.connection.sql(f"SELECT * FROM {quote_ident(resource.name)}")
        columns = list(relation.columns)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = bold
        kinds = [fields[c].type if c in fields else "string" for c in columns]
        for number, row in enumerate(relation.fetchall(), start=2):
            for index, (value, kind) in enumerate(zip(row, kinds, strict=True), start=1):
                _put(sheet.cell(row=number, column=index), value, kind, resource.name, columns)
        sheet.freeze_panes = "A2"
        if columns:
            sheet.auto_filter.ref = sheet.dimensions
    _dictionary(book.create_sheet(DICTIONARY_SHEET), loaded, names, bold)
    buffer = io.BytesIO()
    book.save(buffer)
    _write_fixed(buffer.getvalue(), target, date)


def _put(cell: Any, value: Any, kind: str, table: str, columns: list[str]) -> None:
    if value is None:
        return
    if kind in _NUMERIC or kind == "boolean":
        cell.value = value
        return
    if kind == "date" and isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
        return
    if kind == "datetime" and isinstance(value, dt.datetime):
        # Excel has no time zones: store UTC wall time, as the column's header says.
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        cell.value = value
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return
    text = value if isinstance(value, str) else str(value)
    try:
        cell.value = text
    except ValueError as exc:  # openpyxl refuses control characters XML cannot hold
        raise ExportError(
            f"{table}, column {columns[cell.column - 1]!r}, row {cell.row - 1}: "
            f"a character Excel cannot store ({exc}); remove it from the CSV."
        ) from exc
    cell.data_type = "s"  # text, even when it starts with "=": never a formula
    cell.number_format = "@"


def _dictionary(sheet: Any, loaded: Loaded, names: dict[str, str], bold: Any) -> None:
    from clusterdata.tableschema.pattern_words import describe

    sheet.append(DICTIONARY_HEADER)
    for cell in sheet[1]:
        cell.font = bold
    for resource in loaded.resources:
        refs = _references(resource)
        for field in resource.table_schema.fields:
            constraints = field.constraints
            pattern = constraints.pattern
            row = [
                resource.name,
                names[resource.name],
                field.name,
                field.type,
                "yes" if constraints.required else "",
                "yes" if constraints.unique else "",
                ", ".join(str(v) for v in constraints.enum or ()),
                describe(pattern, "en") if pattern else "",
                pattern or "",
                refs.get(field.name, ""),
                str(field.descriptor.get("description") or ""),
                str(field.descriptor.get("x-description-sv") or ""),
            ]
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"
                cell.number_format = "@"
    sheet.freeze_panes = "A2"


def _references(resource: Resource) -> dict[str, str]:
    refs: dict[str, str] = {}
    for fk in resource.table_schema.foreign_keys:
        target = fk.reference.target(resource.name)
        for name, to in zip(fk.fields, fk.reference.fields, strict=False):
            refs[name] = f"{target}.{to}"
    return refs


def _write_fixed(data: bytes, target: Path, date: dt.date) -> None:
    """Rewrite the xlsx archive with the release date on every entry, in the original order,
    and as the document's modification time (openpyxl writes the clock time there on save)."""
    import re

    stamp = zip_date(date)
    when = f"{date.isoformat()}T00:00:00Z".encode()
    tmp = target.with_name(f".{target.name}.tmp")
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            content = source.read(entry)
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + when + rb"\g<2>",
                    content,
                )
            out.writestr(info, content, compresslevel=9)
    os.replace(tmp, target)
