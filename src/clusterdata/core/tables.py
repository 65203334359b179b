"""Tables in every format frictionless-py reads, as records of text with a place for each record.

CSV and TSV are read by `lines` (the csv module, physical lines). The other formats a Table
Schema may describe — JSON (an array of arrays or of objects), NDJSON, rows inline in the
descriptor, and spreadsheets — are read here into the same two things every later layer needs:
the records (header first, each cell the text a CSV would hold, None for an absent or null
cell) and a `LineMap`, so that a finding points at the line of the JSON file, the line of the
descriptor holding the inline row, or the spreadsheet row a person scrolls to. Records are
numbered as frictionless-py numbers them (header = 1), which is what makes its error rows and
these places agree.

Cell *meaning* is not decided here: a JSON number becomes its JSON text, a spreadsheet date its
ISO text, and the Table Schema core (`tableschema.cells`) reads that text as it reads a CSV cell.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from clusterdata.core import sheets
from clusterdata.core.findings import Finding, error
from clusterdata.core.lines import LineMap, csv_records, map_lines
from clusterdata.core.package import Resource
from clusterdata.core.sheets import sheet_of as sheet_of  # where a table's sheet is

Record = list[str | None]


@dataclass
class TextTable:
    """A non-CSV table read once: records as text, where each starts, what went wrong."""

    records: list[Record] = field(default_factory=list)
    line_map: LineMap = field(default_factory=LineMap)
    findings: list[Finding] = field(default_factory=list)
    #: The table cannot be read at all (not JSON, not a workbook, no such sheet).
    fatal: bool = False


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
    """Read a JSON, NDJSON, inline or spreadsheet table; problems become located findings."""
    if resource.data is not None:
        table = _inline(resource)
    elif resource.format == "json":
        table = _json_file(resource)
    elif resource.format in {"ndjson", "jsonl"}:
        table = _ndjson(resource)
    elif resource.format in sheets.FORMATS:
        try:
            records, line_map = sheets.read_sheet(resource, cell_text)
        except sheets.Unreadable as exc:
            return TextTable(fatal=True, findings=[_unreadable(resource, str(exc))])
        table = TextTable(records=records, line_map=line_map)
    else:
        note = "this format is not read here"
        return TextTable(fatal=True, findings=[_unreadable(resource, note)])
    if not table.fatal and not table.records:  # frictionless-py cannot read it either
        line = table.line_map.total_lines or 1
        hint = "Write the header (the schema's field names) and the rows, or remove the table."
        note = "it holds no rows, not even a header"
        return TextTable(fatal=True, findings=[_unreadable(resource, note, line, hint)])
    return table


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


def _rows_of(items: list[Any], keys: list[str] | None = None) -> tuple[list[Record], bool]:
    """Records as frictionless's inline reader makes them: arrays are records (the first is
    the header); objects give `keys` (else their first object's keys) as the header, then one
    record each."""
    if not items:
        return [], False
    if isinstance(items[0], dict):
        keys = keys or list(items[0])
        rows: list[Record] = [list(keys)]
        for item in items:
            source = item if isinstance(item, dict) else {}
            rows.append([cell_text(source.get(key)) for key in keys])
        return rows, True
    return [
        [cell_text(v) for v in item] if isinstance(item, list) else [cell_text(item)]
        for item in items
    ], False


def _rows_as_declared(
    resource: Resource, items: list[Any], line: int | None = None
) -> tuple[list[Record], bool] | Finding:
    """The records of `items`, or, where the dialect's `itemType` says arrays and the rows are
    objects (or the other way), the one finding that says so: read otherwise, every cell
    would be misplaced."""
    declared = item_type(resource)
    if declared and items:
        found = "object" if isinstance(items[0], dict) else "array"
        if found != declared:
            note = f'its dialect says "itemType": "{declared}", but its rows are {found}s'
            hint = f'Write every row as an {declared}, or declare "itemType": "{found}".'
            return _unreadable(resource, note, line, hint)
    return _rows_of(items, item_keys(resource))


def _line_map(starts: list[int], keyed: bool, place: str = "", offset: int = 0) -> LineMap:
    """Records' lines from the items' lines; keyed items share their first line with the
    header they imply."""
    line_map = LineMap(place=place, index_offset=offset)
    if keyed and starts:
        line_map.starts.append(starts[0])
    line_map.starts.extend(starts)
    line_map.total_lines = starts[-1] if starts else 0
    return line_map


# --- JSON -------------------------------------------------------------------------------------

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _NotHere(ValueError):
    """The JSON has no array at the path asked for."""


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _value_at(text: str, path: list[str | int]) -> int:
    """Where the value at `path` (object keys and array indexes) starts in the JSON text.

    The last of repeated keys wins, as in `json.loads`."""
    pos = _skip(text, 0)
    for step in path:
        opening = "{" if isinstance(step, str) else "["
        if not text.startswith(opening, pos):
            raise _NotHere(step)
        pos, found, index = _skip(text, pos + 1), -1, 0
        while not text.startswith("}" if opening == "{" else "]", pos):
            if opening == "{":
                key, pos = _DECODER.raw_decode(text, pos)
                pos = _skip(text, pos)
                if not text.startswith(":", pos):
                    raise _NotHere(step)
                pos = _skip(text, pos + 1)
                if key == step:
                    found = pos
            elif index == step:
                found = pos
            _, pos = _DECODER.raw_decode(text, pos)
            pos, index = _skip(text, pos), index + 1
            if text.startswith(",", pos):
                pos = _skip(text, pos + 1)
        if found < 0:
            raise _NotHere(step)
        pos = found
    return pos


def array_items(text: str, path: list[str | int]) -> tuple[list[Any], list[int]]:
    """The items of the JSON array at `path` and the physical line each starts on."""
    pos = _value_at(text, path)
    if not text.startswith("[", pos):
        raise _NotHere("array")
    items: list[Any] = []
    lines: list[int] = []
    line, counted = 1, 0
    pos = _skip(text, pos + 1)
    while not text.startswith("]", pos):
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
        item, pos = _DECODER.raw_decode(text, pos)
        items.append(item)
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
    return items, lines


def _json_file(resource: Resource) -> TextTable:
    try:
        raw = resource.file.read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):  # frictionless-py's reader (ijson) refuses it
            note = "it starts with a byte-order mark, which a JSON file may not"
            hint = "Save the file as UTF-8 without a byte-order mark."
            return TextTable(fatal=True, findings=[_unreadable(resource, note, 1, hint)])
        text = raw.decode(_codec(resource))
        json.loads(text)  # a syntax error is reported at its line
    except UnicodeDecodeError as exc:
        return TextTable(fatal=True, findings=[_unreadable(resource, f"not {exc.encoding}")])
    except json.JSONDecodeError as exc:
        return TextTable(fatal=True, findings=[_bad_json(resource, exc)])
    except RecursionError:
        return TextTable(fatal=True, findings=[_unreadable(resource, "nested too deeply")])
    declared = json_property(resource)
    path: list[str | int] = [declared] if declared is not None else []
    try:
        items, lines = array_items(text, path)
    except (_NotHere, ValueError, RecursionError):
        where = f"under {declared!r}" if path else "at its top level"
        note = f"it holds no array of rows {where}"
        return TextTable(fatal=True, findings=[_unreadable(resource, note)])
    read = _rows_as_declared(resource, items, lines[0] if lines else None)
    if isinstance(read, Finding):
        return TextTable(fatal=True, findings=[read])
    rows, keyed = read
    return TextTable(records=rows, line_map=_line_map(lines, keyed))


def _ndjson(resource: Resource) -> TextTable:
    items: list[Any] = []
    lines: list[int] = []
    try:
        text = resource.file.read_bytes().decode(_codec(resource))
    except UnicodeDecodeError as exc:
        return TextTable(fatal=True, findings=[_unreadable(resource, f"not {exc.encoding}")])
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():  # frictionless-py's reader (jsonlines) refuses it too
            note = f"line {number} is blank; NDJSON holds one JSON value on every line"
            hint = "Delete the blank line (also at the end of the file)."
            return TextTable(fatal=True, findings=[_unreadable(resource, note, number, hint)])
        try:
            items.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            finding = _unreadable(resource, f"line {number} is not JSON ({reason})", number)
            return TextTable(fatal=True, findings=[finding])
        lines.append(number)
    read = _rows_as_declared(resource, items, 1)
    if isinstance(read, Finding):
        return TextTable(fatal=True, findings=[read])
    rows, keyed = read
    return TextTable(records=rows, line_map=_line_map(lines, keyed))


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
        at = text.count("\n", 0, _value_at(text, path)) + 1
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        lines = []
    read = _rows_as_declared(resource, items, lines[0] if lines else None)
    if isinstance(read, Finding):
        return TextTable(fatal=True, findings=[read])
    rows, keyed = read
    # Record r is item r - 1 of an array of arrays, item r - 2 of an array of objects.
    offset = 2 if keyed else 1
    line_map = _line_map(lines, keyed, place=pointer + "/{index}", offset=offset)
    line_map.total_lines = line_map.total_lines or at  # where an empty `data` is
    return TextTable(records=rows, line_map=line_map)


def _codec(resource: Resource) -> str:
    return (
        "utf-8-sig"
        if resource.encoding.replace("_", "-") in {"utf-8", "utf8"}
        else (resource.encoding)
    )


# --- findings ---------------------------------------------------------------------------------


def _unreadable(
    resource: Resource, why: str, line: int | None = None, hint: str | None = None
) -> Finding:
    return error(
        "source-error",
        f"The table {resource.name!r} ({resource.format}) cannot be read: {why}.",
        resource=resource.name,
        path=resource.path,
        line=line,
        hint=hint or "Save the table again from the program that made it, or as CSV UTF-8.",
    )


def _bad_json(resource: Resource, exc: json.JSONDecodeError) -> Finding:
    return error(
        "source-error",
        f"{resource.path} is not valid JSON: {exc.msg}.",
        resource=resource.name,
        path=resource.path,
        line=exc.lineno,
        value=exc.doc[max(0, exc.pos - 20) : exc.pos + 20].replace("\n", " "),
        hint="Check for a missing comma, quote or bracket near this line.",
    )
