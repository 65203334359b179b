"""`clusterdata template`: an Excel workbook in which a person who never used git adds rows.

The workbook is derived from the package, so it stays true when a schema changes: one sheet per
table, row 1 the column names exactly as in the CSV file, rows 2 and 3 the Swedish and English
descriptions from the Table Schema, rows from 4 on for the contributor's new rows. Columns that
hold text are formatted as text, so Excel keeps the leading zero of a code such as 01 and does
not turn 2018-09 into a date. Enums become drop-down lists that refuse other values; foreign keys
become drop-down lists of the ids in the current data that only warn, because the contributor
may add the referenced row on another sheet of the same workbook. A "dictionary" sheet repeats
the data dictionary, and a hidden "lists" sheet holds the drop-down values.

`clusterdata import` (spreadsheet_import.py) reads the same layout back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clusterdata.authoring.csvtable import column_values
from clusterdata.core.package import DataPackage, Resource
from clusterdata.tableschema.model import Field

#: Where things are on a table sheet (1-based, as Excel numbers rows).
NAME_ROW, SV_ROW, EN_ROW = 1, 2, 3
FIRST_DATA_ROW = 4
#: Rows pre-formatted as text below the header, so typed codes keep their leading zeros.
FORMATTED_ROWS = 500
DICTIONARY_SHEET = "dictionary"
LISTS_SHEET = "lists"
#: Excel's limit on a sheet title.
MAX_TITLE = 31
TEXT_FORMAT = "@"


def sheet_title(resource: Resource) -> str:
    """The sheet a table is edited on; Excel allows at most 31 characters and no `[]:*?/\\`."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in resource.name)
    return cleaned[:MAX_TITLE]


def editable_resources(package: DataPackage) -> list[Resource]:
    """Every CSV table of the package, in descriptor order (a contributor may add to any)."""
    return [r for r in package.resources if r.format in ("csv", "tsv", "")]


@dataclass(frozen=True)
class DropDown:
    """The values a column's drop-down offers, and whether other values are refused."""

    values: list[str]
    strict: bool


def drop_downs(package: DataPackage, resource: Resource) -> dict[str, DropDown]:
    """Per field: the enum (strict), else the ids a single-field foreign key may take."""
    result: dict[str, DropDown] = {}
    for fk in resource.table_schema.foreign_keys:
        fields, targets = fk.fields, fk.reference.fields
        if len(fields) != 1 or len(targets) != 1:
            continue
        ids = column_values(package, fk.reference.target(resource.name), targets[0])
        if ids:
            result[fields[0]] = DropDown(ids, strict=False)
    for field in resource.table_schema.fields:
        enum = field.constraints.enum
        if enum:
            result[field.name] = DropDown([str(v) for v in enum], strict=True)
        elif field.type == "boolean":
            result[field.name] = DropDown(["true", "false"], strict=True)
    return result


def _describe(field: Field, lang: str) -> str:
    key = "description" if lang == "en" else f"x-description-{lang}"
    return str(field.descriptor.get(key) or "")


def build_workbook(package: DataPackage) -> bytes:
    """The template workbook's bytes (xlsx)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.worksheets[0])
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_column = 0
    bold = Font(bold=True)
    muted = Font(italic=True, color="555555")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for resource in editable_resources(package):
        sheet = book.create_sheet(sheet_title(resource))
        choices = drop_downs(package, resource)
        for number, field in enumerate(resource.table_schema.fields, start=1):
            name = field.name
            letter = get_column_letter(number)
            sheet.cell(NAME_ROW, number, name).font = bold
            sheet.cell(NAME_ROW, number).fill = header_fill
            for row, lang in ((SV_ROW, "sv"), (EN_ROW, "en")):
                cell = sheet.cell(row, number, f"{lang}: {_describe(field, lang)}".strip())
                cell.font, cell.alignment = muted, wrap
            sheet.column_dimensions[letter].width = max(14, min(40, len(name) + 4))
            if field.type == "string":
                for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + FORMATTED_ROWS):
                    sheet.cell(row, number).number_format = TEXT_FORMAT
            choice = choices.get(name)
            if choice is None:
                continue
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(1, list_column, f"{resource.name}.{name}")
            for offset, value in enumerate(choice.values, start=2):
                lists.cell(offset, list_column, value).number_format = TEXT_FORMAT
            last = len(choice.values) + 1
            check = DataValidation(
                type="list",
                formula1=f"={LISTS_SHEET}!${list_letter}$2:${list_letter}${last}",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop" if choice.strict else "warning",
                errorTitle=name,
                error=(
                    "Välj ett av värdena i listan. / Choose one of the values in the list."
                    if choice.strict
                    else "Värdet finns inte i nuvarande data; lägg till raden på dess blad. / "
                    "Not in the current data; add that row on its sheet."
                ),
            )
            check.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + FORMATTED_ROWS - 1}")
            sheet.add_data_validation(check)
        sheet.row_dimensions[SV_ROW].height = 60
        sheet.row_dimensions[EN_ROW].height = 60
        sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 1)
    _dictionary_sheet(book.create_sheet(DICTIONARY_SHEET), package, bold, wrap)
    book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames) - 1)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _dictionary_sheet(sheet: Any, package: DataPackage, bold: Any, wrap: Any) -> None:
    """The data dictionary, one line per column, for reading beside the table sheets."""
    from clusterdata.authoring.generate import _constraints  # the data dictionary's wording

    headings = ["table", "field", "type", "constraints", "beskrivning (sv)", "description (en)"]
    for number, heading in enumerate(headings, start=1):
        sheet.cell(1, number, heading).font = bold
    row = 2
    for resource in editable_resources(package):
        refs = {
            fk.fields[0]: f"{fk.reference.resource}.{fk.reference.fields[0]}"
            for fk in resource.table_schema.foreign_keys
            if len(fk.fields) == 1 and len(fk.reference.fields) == 1
        }
        for field in resource.table_schema.fields:
            name = field.name
            values = [
                resource.name,
                name,
                field.type,
                "; ".join(
                    part
                    for part in (
                        _constraints(field.descriptor).replace("`", ""),
                        f"references {refs[name]}" if name in refs else "",
                    )
                    if part
                ),
                _describe(field, "sv"),
                _describe(field, "en"),
            ]
            for number, value in enumerate(values, start=1):
                cell = sheet.cell(row, number, value)
                cell.number_format = TEXT_FORMAT
                cell.alignment = wrap
            row += 1
    for letter, width in zip("ABCDEF", (22, 22, 10, 40, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def write_template(package: DataPackage, out: Path) -> None:
    """Write the template atomically: a half-written workbook would not open."""
    from clusterdata.core.atomic import write_bytes_atomic

    write_bytes_atomic(out, build_workbook(package))
