"""`clusterdata import FILE.xlsx`: read a filled template back as text cells, one meaning each.

Excel stores what a person typed as numbers, dates, booleans or text; the CSV files hold text.
Each cell becomes the text a CSV cell would hold: a date as ISO 8601 (2018-09-05), a whole
number without ".0", true/false in lower case, text as typed (a code in a text-formatted cell
keeps its leading zero). A formula is kept as its text (=...), so validation reports it as a
formula-injection risk instead of silently importing a computed value. What is valid is then
decided by the project's validation only (newrows.py), never here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from clusterdata.authoring.newrows import NewRow, Origin
from clusterdata.authoring.spreadsheet import (
    DICTIONARY_SHEET,
    FIRST_DATA_ROW,
    LISTS_SHEET,
    NAME_ROW,
    editable_resources,
    sheet_title,
)
from clusterdata.core.findings import Finding, error
from clusterdata.core.package import DataPackage


def cell_text(value: Any) -> str:
    """The CSV text of a cell value as openpyxl returns it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _column_label(letters: dict[str, str]) -> Any:
    return lambda name: f"{letters[name]} ({name})" if name in letters else name


def read_workbook(path: Path, package: DataPackage) -> tuple[list[NewRow], list[Finding]]:
    """The non-empty rows of every table sheet, and the problems with the workbook's layout."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    shown = path.name
    try:
        book = load_workbook(path, data_only=False)  # not read_only: its row numbers rely on
        # the file's own dimension record, which some spreadsheet programs write wrongly
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        return [], [
            error(
                "workbook-error",
                f"The file cannot be read as an Excel workbook ({type(exc).__name__}).",
                path=shown,
                hint="Save the file as Excel Workbook (.xlsx), made from `clusterdata template`.",
            )
        ]
    tables = {sheet_title(r): r for r in editable_resources(package)}
    rows: list[NewRow] = []
    findings: list[Finding] = []
    try:
        for sheet in book.worksheets:
            if sheet.title in (DICTIONARY_SHEET, LISTS_SHEET):
                continue
            resource = tables.get(sheet.title)
            source = f"{shown} › {sheet.title}"
            if resource is None:
                findings.append(
                    error(
                        "unknown-sheet",
                        f"The sheet {sheet.title!r} is not a table of the package.",
                        path=source,
                        hint="Add rows only on the table sheets of the template; "
                        "do not rename sheets.",
                    )
                )
                continue
            values = list(sheet.iter_rows(values_only=True))
            header = [cell_text(v).strip() for v in (values[NAME_ROW - 1] if values else ())]
            known = set(resource.field_names)
            letters: dict[str, str] = {}
            for number, name in enumerate(header, start=1):
                if not name:
                    continue
                letter = get_column_letter(number)
                if name not in known or name in letters:
                    findings.append(
                        error(
                            "unknown-column",
                            f"Column {letter} is headed {name!r}, which is "
                            + ("repeated." if name in letters else "not a field of this table."),
                            path=source,
                            line=NAME_ROW,
                            column=letter,
                            hint="Keep row 1 as the template wrote it: "
                            + ", ".join(resource.field_names)
                            + ".",
                        )
                    )
                    continue
                letters[name] = letter
            origin_column = _column_label(letters)
            for number, record in enumerate(values[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
                cells = {
                    name: cell_text(record[int(_index(letters[name])) - 1])
                    for name in letters
                    if _index(letters[name]) <= len(record)
                }
                stray = [
                    get_column_letter(i)
                    for i, v in enumerate(record, start=1)
                    if v not in (None, "") and (i > len(header) or not header[i - 1])
                ]
                if stray:
                    findings.append(
                        error(
                            "unknown-column",
                            "This row has values in a column without a heading.",
                            path=source,
                            line=number,
                            column=stray[0],
                            hint="Write values only under the table's columns.",
                        )
                    )
                if not any(c.strip() for c in cells.values()):
                    continue
                rows.append(NewRow(resource.name, cells, Origin(source, number, origin_column)))
    finally:
        book.close()
    return rows, findings


def _index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return int(column_index_from_string(letter))
