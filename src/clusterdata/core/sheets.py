"""Spreadsheet tables (.xlsx, .xls, .ods) as records of text, each record at its sheet row.

Each reader yields what frictionless-py's own parser for that format yields — the same library,
the same calls, the same typing of a cell (a whole float becomes an integer, a date cell a
date) — because layer 1 on the frictionless engine is frictionless-py itself, and layers 2
and 3, `load()` and `diff` must see the cells it saw. `core.tables` then follows the dialect's
row roles and writes each value as the text a CSV cell would hold (`cell_text`), and the Table
Schema core reads that text as it reads CSV. A finding's place is "row r of sheet 'Data'": the
row number a person scrolls to in Excel or LibreOffice Calc.
"""

from __future__ import annotations

import datetime
import io
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clusterdata.core.resource import Resource

#: A sheet's title and its rows of values.
Sheet = tuple[str, list[list[Any]]]


class Unreadable(Exception):
    """The file is not a workbook of its format, or has no such sheet: the reason, for a person."""


def sheet_of(resource: Resource) -> str | int:
    """The sheet a spreadsheet table is on: v2's `sheetName` or `sheetNumber` ("specifies a
    sheet number of a table in the spreadsheet file", default 1, Table Dialect), frictionless's
    flat `sheet` or its `excel`/`ods` control; else the first sheet."""
    dialect = resource.dialect
    candidates = [dialect.get("sheetName"), dialect.get("sheetNumber"), dialect.get("sheet")]
    candidates += [
        c.get("sheet") for c in (dialect.get("excel"), dialect.get("ods")) if isinstance(c, dict)
    ]
    for declared in candidates:
        if isinstance(declared, str | int) and not isinstance(declared, bool):
            return declared
    return 1


def read_sheet(resource: Resource) -> Sheet:
    """The sheet's title and its rows of values, as frictionless-py's parser for the format
    reads them; raises `Unreadable`. `core.tables` gives them their row roles and their text."""
    return _READERS[resource.format](resource, sheet_of(resource))


def _pick(names: list[str], wanted: str | int) -> int:
    """The index of the sheet asked for by name or by 1-based number."""
    if isinstance(wanted, str):
        if wanted in names:
            return names.index(wanted)
    elif 1 <= wanted <= len(names):
        return wanted - 1
    raise Unreadable(f"it has no sheet {wanted!r} (its sheets: {', '.join(map(repr, names))})")


def _xlsx(resource: Resource, wanted: str | int) -> Sheet:
    """openpyxl, values not formulas, as frictionless's XlsxParser reads a local file."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(resource.file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise Unreadable(f"it is not an Excel workbook ({type(exc).__name__})") from exc
    try:
        sheet = book.worksheets[_pick(book.sheetnames, wanted)]
        return sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _xls(resource: Resource, wanted: str | int) -> Sheet:
    """xlrd, as frictionless's XlsParser calls it: booleans are booleans, a whole number an
    integer, a date cell a datetime in the workbook's date mode."""
    import xlrd

    data = resource.file.read_bytes()
    log = io.StringIO()  # xlrd writes its complaints to a log file: not to the user's terminal
    try:
        try:
            book = xlrd.open_workbook(
                file_contents=data,
                encoding_override=resource.encoding,
                formatting_info=True,
                logfile=log,
            )
        except NotImplementedError:
            book = xlrd.open_workbook(
                file_contents=data,
                encoding_override=resource.encoding,
                formatting_info=False,
                logfile=log,
            )
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct.error …
        raise Unreadable(f"it is not an Excel 97-2003 workbook ({type(exc).__name__})") from exc
    sheet = book.sheet_by_index(_pick(book.sheet_names(), wanted))

    def value(row: int, column: int) -> Any:
        cell = sheet.cell(row, column)
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype == xlrd.XL_CELL_NUMBER and cell.value == cell.value // 1:
            return int(cell.value)
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
            except (ValueError, OverflowError):  # frictionless-py would fail the table: say so
                raise Unreadable(f"row {row + 1} holds a date Excel cannot represent") from None
        return cell.value

    rows = [[value(r, c) for c in range(len(sheet.row_values(r)))] for r in range(sheet.nrows)]
    return sheet.name, rows


def _ods(resource: Resource, wanted: str | int) -> Sheet:
    """ezodf, as frictionless's OdsParser reads it: a whole number is an integer, a date cell a
    date (or a datetime when it has a time), every other cell its value."""
    import ezodf

    try:
        book = ezodf.opendoc(io.BytesIO(resource.file.read_bytes()))
        names = [sheet.name for sheet in book.sheets]
    except Exception as exc:  # ezodf raises IOError, KeyError, lxml errors … on a bad file
        raise Unreadable(f"it is not an OpenDocument spreadsheet ({type(exc).__name__})") from exc
    sheet = book.sheets[_pick(names, wanted)]
    return sheet.name, [[_ods_value(cell) for cell in row] for row in sheet.rows()]


def _ods_value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, float) and value == value // 1:
        return int(value)
    if cell.value_type == "date" and isinstance(value, str):
        try:
            if len(value) == 10:
                return datetime.datetime.strptime(value, "%Y-%m-%d").date()
            return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S")
        except ValueError:  # frictionless-py fails the table on such a date: say where
            raise Unreadable(f"a date cell holds {value!r}, which is not a plain date") from None
    return value


_READERS: dict[str, Callable[[Resource, str | int], Sheet]] = {
    "xlsx": _xlsx,
    "xls": _xls,
    "ods": _ods,
}
#: The spreadsheet formats read here.
FORMATS: Iterable[str] = tuple(_READERS)
