"""Tables in every format frictionless-py reads, as records of text with a place for each record.

CSV and TSV are read by `lines` (the csv module, physical lines). The other formats a Table
Schema may describe — JSON (an array of arrays or of objects), NDJSON, rows inline in the
descriptor, and spreadsheets — are read here into the same two things every later layer needs:
the records (header first, each cell the text a CSV would hold, None for an absent or null
cell) and a `LineMap`, so that a finding points at the line of the JSON file, the line of the
descriptor holding the inline row, or the spreadsheet row a person scrolls to. The dialect's
row roles (`header`, `headerRows`, `headerJoin`, `commentRows`, `commentChar`, as far as they
apply to the format) are followed by the rules CSV records follow (`core.dialect`).

Within `read_once` (one validation, one `load()`), each table is read once and every layer
gets that reading: a workbook or a JSON file is parsed once, not once per layer.

Cell *meaning* is not decided here: a JSON number becomes its JSON text, a spreadsheet date its
ISO text, and the Table Schema core (`tableschema.cells`) reads that text as it reads a CSV cell.
"""

from __future__ import annotations

import datetime
import json
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from clusterdata.core import sheets
from clusterdata.core.dialect import CsvDialect, not_applicable
from clusterdata.core.findings import Finding
from clusterdata.core.jsonplaces import NotHere, array_items, value_at
from clusterdata.core.lines import LineMap, csv_records, map_lines
from clusterdata.core.package import Resource
from clusterdata.core.sheets import sheet_of as sheet_of  # where a table's sheet is
from clusterdata.core.tablefindings import bad_json, ignored, unreadable

Record = list[str | None]


@dataclass
class TextTable:
    """A non-CSV table read once: records as text, where each starts, what went wrong."""

    records: list[Record] = field(default_factory=list)
    line_map: LineMap = field(default_factory=LineMap)
    findings: list[Finding] = field(default_factory=list)
    #: The table cannot be read at all (not JSON, not a workbook, no such sheet).
    fatal: bool = False
    #: The records with their values as read (numbers, dates …), for a sheet or where the
    #: dialect's row roles make records of other rows than "the first row, then the rest":
    #: what frictionless-py is handed to check, numbered as the records are. None: it reads
    #: the file itself.
    values: list[list[Any]] | None = None


@dataclass
class _Rows:
    """A table's rows as read, before their roles: their values, and where each row is (its
    line, or its sheet row); `keyed`: rows of objects, the first row the keys they give."""

    values: list[list[Any]]
    starts: list[int]
    keyed: bool = False
    place: str = ""


#: The tables read in the current `read_once` block, by the identity of their resource.
_READ: ContextVar[dict[int, tuple[Resource, TextTable]] | None] = ContextVar(
    "tables_read", default=None
)


@contextmanager
def read_once() -> Iterator[None]:
    """Within this block, each table that is not CSV is read once, whichever layer asks first:
    for one validation or one `load()`. The readings go when the block ends (nothing outlives
    the run; a later run reads the files again, as they are then). Nested blocks share one."""
    if _READ.get() is not None:
        yield
        return
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


@contextmanager
def records(resource: Resource, encoding: str) -> Iterator[Iterator[Record]]:
    """Every record of the table, header first, whatever its format: the one reader layers 2
    and 3 and the loaders use, so their record numbers are layer 1's."""
    if resource.is_csv:  # header, comment and null cells as the dialect says (`lines.Records`)
        with csv_records(resource, encoding) as reader:
            yield iter(reader)
        return
    yield iter(read_table(resource).records)


def read_rows(resource: Resource) -> tuple[list[str], list[Record]]:
    """The table's labels and data records as validation reads them, any format and dialect:
    for the commands that take a whole table as text (stats, the site, DCAT)."""
    with records(resource, _codec(resource)) as reader:
        first = next(reader, None)
        labels = ["" if label is None else str(label) for label in first or []]
        return labels, list(reader)


def map_records(resource: Resource, encoding: str) -> tuple[LineMap, list[Finding]]:
    """Where each record starts, for any format (`lines.map_lines` for CSV)."""
    if resource.is_csv:
        return map_lines(resource, encoding)
    table = read_table(resource)
    return table.line_map, table.findings


def read_table(resource: Resource) -> TextTable:
    """Read a JSON, NDJSON, inline or spreadsheet table; problems become located findings.
    Read once per resource within `read_once`."""
    cache = _READ.get()
    if cache is None:
        return _read_table(resource)
    hit = cache.get(id(resource))
    if hit is None or hit[0] is not resource:
        hit = cache[id(resource)] = (resource, _read_table(resource))
    return hit[1]


def _read_table(resource: Resource) -> TextTable:
    read: _Rows | TextTable
    if resource.data is not None:
        read = _inline(resource)
    elif resource.format == "json":
        read = _json_file(resource)
    elif resource.format in {"ndjson", "jsonl"}:
        read = _ndjson(resource)
    elif resource.format in sheets.FORMATS:
        try:
            title, values = sheets.read_sheet(resource)
        except sheets.Unreadable as exc:
            return TextTable(fatal=True, findings=[unreadable(resource, str(exc))])
        starts = list(range(1, len(values) + 1))
        read = _Rows(values, starts, place=f"row {{row}} of sheet {title!r}")
    else:
        note = "this format is not read here"
        return TextTable(fatal=True, findings=[unreadable(resource, note)])
    table = read if isinstance(read, TextTable) else _with_roles(resource, read)
    if not table.fatal and not table.records:  # frictionless-py cannot read it either
        line = table.line_map.total_lines or 1
        hint = "Write the header (the schema's field names) and the rows, or remove the table."
        note = "it holds no rows, not even a header"
        return TextTable(fatal=True, findings=[unreadable(resource, note, line, hint)])
    return table


def _with_roles(resource: Resource, rows: _Rows) -> TextTable:
    """The records of `rows` as the dialect's row roles make them (`CsvDialect.records`, the
    rules CSV records follow), each cell as the text a CSV would hold, each at its place."""
    dialect = CsvDialect.of(resource.dialect, resource.format)
    not_taken = not_applicable(resource.dialect, resource.format)
    if rows.keyed and not dialect.has_header:  # objects have no header row to leave out
        not_taken.append("header")
        dialect = CsvDialect()
    table = TextTable(findings=[ignored(resource, key) for key in not_taken])
    if not rows.values:  # no row at all, whatever the dialect: no records (`_read_table`)
        return table
    plain = dialect.header_rows == (1,) and dialect.simple_records
    if not plain or resource.format in sheets.FORMATS:
        # A sheet is handed over always: its reader makes the calls frictionless-py's parser
        # makes, and reading the workbook once more would take as long as this reading did.
        table.values = []
    offset = 2 if rows.keyed or not dialect.has_header else 1  # record r is item r - offset
    line_map = table.line_map = LineMap(place=rows.place, index_offset=offset)
    if plain:  # every row is a record, the first the header: no row to tell apart
        numbered: Iterator[tuple[int, list[Any]]] = enumerate(rows.values, start=1)
        line_map.starts.extend(rows.starts)
    else:
        firsts = ((row, cell_text(row[0]) or "" if row else "") for row in rows.values)
        numbered = dialect.records(firsts, resource.field_names, _label)
    sheet = resource.format in sheets.FORMATS  # a date cell's text depends on its field's type
    types: dict[str | None, str] = {f.name: f.type for f in resource.table_schema.fields}
    kinds: list[str | None] = []
    for number, cells in numbered:
        if not plain:
            line_map.starts.append(rows.starts[number - 1] if number else rows.starts[0])
        if not table.records:  # the header's labels
            labels = cells if not plain else [_label(cell) for cell in cells]
            kinds = [types.get(label) for label in labels]
            table.records.append(list(labels))
            if table.values is not None:
                table.values.append(list(labels))
            continue
        if sheet:
            width = len(kinds)
            text = [cell_text(v, kinds[i] if i < width else None) for i, v in enumerate(cells)]
        else:
            text = [cell_text(v) for v in cells]
        table.records.append(text)
        if table.values is not None:
            table.values.append(cells)
    line_map.total_lines = rows.starts[-1] if rows.starts else 0
    if not plain:  # frictionless-py's own row numbers (every row), for its report on the file
        line_map.row_starts = array("q", rows.starts)
    return table


def _label(value: Any) -> str | None:
    return cell_text(value)


def json_property(resource: Resource) -> str | None:
    """The key of a JSON object the rows are under (`dialect.property`, v1 and v2), if any."""
    declared = resource.dialect.get("property")
    nested = resource.dialect.get("json")
    if declared is None and isinstance(nested, dict):
        declared = nested.get("property")
    return declared if isinstance(declared, str) else None


def item_keys(resource: Resource) -> list[str] | None:
    """The keys read from object rows, in order: v2's `itemKeys` ("specifies the way of
    extracting rows from data arrays with `itemType` is `object`", Table Dialect) or
    frictionless's `json.keys`; None to take the first object's keys."""
    declared = resource.dialect.get("itemKeys")
    nested = resource.dialect.get("json")
    if declared is None and isinstance(nested, dict):
        declared = nested.get("keys")
    if isinstance(declared, list) and declared and all(isinstance(k, str) for k in declared):
        return list(declared)
    return None


def item_type(resource: Resource) -> str | None:
    """v2's `itemType`: whether the rows are arrays or objects, where the dialect says so."""
    declared = resource.dialect.get("itemType")
    return declared if declared in {"array", "object"} else None


# --- cells ------------------------------------------------------------------------------------


def cell_text(value: Any, ftype: str | None = None) -> str | None:
    """A JSON or spreadsheet value as the text a CSV cell would hold for it (`ftype`: the
    type of its field, where a spreadsheet's value needs it)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if ftype == "date" and value.tzinfo is None and value.time() == datetime.time(0):
            return value.date().isoformat()  # a spreadsheet stores a date as its midnight
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _rows_of(items: list[Any], starts: list[int], keys: list[str] | None = None) -> _Rows:
    """Rows as frictionless's inline reader makes them: arrays are rows; objects give `keys`
    (else their first object's keys) as a first row, then one row each."""
    if items and isinstance(items[0], dict):
        keys = keys or list(items[0])
        values: list[list[Any]] = [list(keys)]
        for item in items:
            source = item if isinstance(item, dict) else {}
            values.append([source.get(key) for key in keys])
        return _Rows(values, starts[:1] + starts, keyed=True)
    return _Rows([item if isinstance(item, list) else [item] for item in items], starts)


def _rows_as_declared(
    resource: Resource, items: list[Any], starts: list[int], line: int | None = None
) -> _Rows | Finding:
    """The rows of `items`, or, where the dialect's `itemType` says arrays and the rows are
    objects (or the other way), the one finding that says so: read otherwise, every cell
    would be misplaced."""
    declared = item_type(resource)
    if declared and items:
        found = "object" if isinstance(items[0], dict) else "array"
        if found != declared:
            note = f'its dialect says "itemType": "{declared}", but its rows are {found}s'
            hint = f'Write every row as an {declared}, or declare "itemType": "{found}".'
            return unreadable(resource, note, line, hint)
    return _rows_of(items, starts, item_keys(resource))


# --- JSON -------------------------------------------------------------------------------------


def _json_file(resource: Resource) -> _Rows | TextTable:
    try:
        raw = resource.file.read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):  # frictionless-py's reader (ijson) refuses it
            note = "it starts with a byte-order mark, which a JSON file may not"
            hint = "Save the file as UTF-8 without a byte-order mark."
            return TextTable(fatal=True, findings=[unreadable(resource, note, 1, hint)])
        text = raw.decode(_codec(resource))
        json.loads(text)  # a syntax error is reported at its line
    except UnicodeDecodeError as exc:
        return TextTable(fatal=True, findings=[unreadable(resource, f"not {exc.encoding}")])
    except json.JSONDecodeError as exc:
        return TextTable(fatal=True, findings=[bad_json(resource, exc)])
    except RecursionError:
        return TextTable(fatal=True, findings=[unreadable(resource, "nested too deeply")])
    declared = json_property(resource)
    path: list[str | int] = [declared] if declared is not None else []
    try:
        items, lines = array_items(text, path)
    except (NotHere, ValueError, RecursionError):
        where = f"under {declared!r}" if path else "at its top level"
        note = f"it holds no array of rows {where}"
        return TextTable(fatal=True, findings=[unreadable(resource, note)])
    read = _rows_as_declared(resource, items, lines, lines[0] if lines else None)
    return TextTable(fatal=True, findings=[read]) if isinstance(read, Finding) else read


def _ndjson(resource: Resource) -> _Rows | TextTable:
    items: list[Any] = []
    lines: list[int] = []
    try:
        text = resource.file.read_bytes().decode(_codec(resource))
    except UnicodeDecodeError as exc:
        return TextTable(fatal=True, findings=[unreadable(resource, f"not {exc.encoding}")])
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():  # frictionless-py's reader (jsonlines) refuses it too
            note = f"line {number} is blank; NDJSON holds one JSON value on every line"
            hint = "Delete the blank line (also at the end of the file)."
            return TextTable(fatal=True, findings=[unreadable(resource, note, number, hint)])
        try:
            items.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            finding = unreadable(resource, f"line {number} is not JSON ({reason})", number)
            return TextTable(fatal=True, findings=[finding])
        lines.append(number)
    read = _rows_as_declared(resource, items, lines, 1)
    return TextTable(fatal=True, findings=[read]) if isinstance(read, Finding) else read


def _inline(resource: Resource) -> TextTable:
    """Rows in the descriptor: placed at their line of datapackage.json and their JSON
    pointer (`/resources/<i>/data/<n>`)."""
    pointer = resource.data_pointer or ""
    path: list[str | int] = [int(p) if p.isdigit() else p for p in pointer.strip("/").split("/")]
    items = resource.data if isinstance(resource.data, list) else []
    at = 0
    try:
        text = resource.file.read_bytes().decode("utf-8-sig")
        _, lines = array_items(text, path)
        at = text.count("\n", 0, value_at(text, path)) + 1
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        lines = []
    located = len(lines) == len(items)
    lines = lines if located else [0] * len(items)
    read = _rows_as_declared(resource, items, lines, lines[0] if located and lines else None)
    if isinstance(read, Finding):
        return TextTable(fatal=True, findings=[read])
    read.place = pointer + "/{index}"
    table = _with_roles(resource, read)
    if not located:  # the JSON pointer still names each row
        del table.line_map.starts[:]
    table.line_map.total_lines = table.line_map.total_lines or at  # where an empty `data` is
    return table


def _codec(resource: Resource) -> str:
    return (
        "utf-8-sig"
        if resource.encoding.replace("_", "-") in {"utf-8", "utf8"}
        else (resource.encoding)
    )
