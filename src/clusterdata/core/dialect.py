"""A CSV's Table Dialect, read once: which records are the header, which are comments, which
are data, and what a cell is. Every reader of a CSV's records (`lines.csv_records`) asks this
module, so a dialect means the same thing to every layer, to `load()`, `diff` and `format`.

The rules are the spec's (https://datapackage.org/standard/table-dialect/; v1 CSV Dialect keys
are the same). Where frictionless-py 5.21 reads a dialect otherwise, the spec is followed and
the case is written here and pinned in `tests/unit/validation/test_dialects.py`:

- `headerRows` + `headerJoin`: the labels are the header rows' cells joined column by column
  ("This property specifies how multiline-header files have to join the resulting header
  rows"). The spec's example joins a first header row `fruit` (one cell) with `id,name` into
  "fruit id" and "fruit name", so a header row with fewer cells than another lends its last
  cell to the columns it lacks (a cell spanning them, as a merged cell would). frictionless-py
  instead gives "fruit id" and "name", and it also drops a cell equal to the one above it
  (`a`/`a` becomes "a", not "a a"); neither is in the spec.
- `commentChar`: "what rows have to be omitted from the data based on the row's first
  characters". The row's characters as written in the file: frictionless-py instead tests the
  first *parsed* cell, so a quoted first cell `"#1"` (or ` #1` read with skipInitialSpace) is
  a comment to it and data here.
- `nullSequence`: "specifies the null sequence"; the spec's example reads the cell `NA` as
  null. frictionless-py ignores the property, so to it the cell is text.
- `doubleQuote: false` without `escapeChar`: "If true, two consecutive quotes are interpreted as
  one", so if false they are not. frictionless-py reads such a file with doubleQuote on.

Where the spec is silent, frictionless-py's reading is kept: rows are records as the csv module
reads them (a quoted line break does not start a row); `headerRows` and `commentRows` count
those rows from 1 in the file, comment rows included; rows before the last header row that are
not header rows are not data; a comment row among the header rows is not part of the header.

The same rules give a sheet's and a JSON table's records (`records`, used by `core.tables`), as
far as the spec lets a property apply to the format. "A property MUST be ignored if it is not
applicable for an arbitrary data format", and the spec lists for each group of formats the
properties that describe it ("Tabular Data Formats"): `header`, `headerRows`, `headerJoin`,
`commentRows` and `commentChar` for spreadsheets, only `header` of these for structured formats
(JSON, NDJSON, rows inline in the descriptor), and `nullSequence` for delimited text only. A
property that does not apply is ignored, with a warning (`not_applicable`). Where frictionless-
py 5.21 reads these otherwise, the spec is followed (pinned in
`tests/contract/test_row_roles_not_csv.py`):

- A sheet's comment is told by the row's first characters: its first cell's text, as a CSV
  would hold it. frictionless-py tests only a first cell that is a string, so a number cell
  `123` with `commentChar: "1"` is data to it and a comment here.
- JSON and inline rows: frictionless-py applies `headerRows`, `commentRows` and `commentChar`
  to them as to CSV rows; the spec does not list them for structured formats, so they are
  ignored here. An array of objects has no header row: `header: false` does not apply to it
  (frictionless-py reads the keys it takes as a header as one more data row).
- With `header: false`, a table whose every row is a comment row is a table of no rows (in any
  format, CSV included); frictionless-py reports it as one it cannot read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

#: Formats of the Table Dialect spec's "Spreadsheet" group.
SPREADSHEETS = frozenset({"xlsx", "xls", "ods"})
#: Formats of its "Structured" group read here (`inline`: rows in the descriptor's `data`).
STRUCTURED = frozenset({"json", "ndjson", "jsonl", "inline"})
#: Properties that give rows other roles than "the header, then data", with their defaults.
ROW_ROLES: dict[str, Any] = {
    "header": True,
    "headerRows": [1],
    "headerJoin": " ",
    "commentRows": [],
    "commentChar": None,
    "nullSequence": None,
}
#: The row-role properties the spec lists for each group of formats that is not delimited text.
_APPLIES = {
    "spreadsheet": frozenset({"header", "headerRows", "headerJoin", "commentRows", "commentChar"}),
    "structured": frozenset({"header"}),
}

#: Line terminators the csv module reads (it always takes all three): any other
#: `lineTerminator` cannot be followed.
READABLE_TERMINATORS = frozenset({"\r\n", "\n", "\r"})


@dataclass(frozen=True)
class CsvDialect:
    """A CSV or TSV resource's dialect with the spec's defaults filled in."""

    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    skip_initial_space: bool = False
    #: Record numbers (1-based, as in the file) of the header rows; empty for `header: false`.
    header_rows: tuple[int, ...] = (1,)
    header_join: str = " "
    comment_char: str | None = None
    comment_rows: frozenset[int] = frozenset()
    null_sequence: str | None = None

    @classmethod
    def of(cls, dialect: dict[str, Any], fmt: str = "csv") -> CsvDialect:
        """The dialect as declared, for a table in format `fmt`: a property that does not apply
        to the format (`not_applicable`) is ignored; a value that breaks the spec (see
        `problems`) takes the default here, and `problems` reports it, so the table is never
        read as declared-but-not."""
        dialect = applicable(dialect, fmt)
        default_delimiter = "\t" if fmt == "tsv" else ","
        header = dialect.get("header", True) is not False
        rows = dialect.get("headerRows")
        comments = dialect.get("commentRows")
        return cls(
            delimiter=_char(dialect.get("delimiter"), default_delimiter),
            quote_char=_char(dialect.get("quoteChar"), '"'),
            double_quote=dialect.get("doubleQuote", True) is not False,
            escape_char=_char(dialect.get("escapeChar"), None),
            skip_initial_space=dialect.get("skipInitialSpace") is True,
            header_rows=(tuple(rows) if _row_numbers(rows, True) and rows else (1,))
            if header
            else (),
            header_join=_text(dialect.get("headerJoin"), " "),
            comment_char=_text(dialect.get("commentChar"), None) or None,
            comment_rows=frozenset(comments)
            if isinstance(comments, list) and _row_numbers(comments)
            else frozenset(),
            null_sequence=_text(dialect.get("nullSequence"), None),
        )

    @property
    def has_header(self) -> bool:
        return bool(self.header_rows)

    @property
    def last_header_row(self) -> int:
        return self.header_rows[-1] if self.header_rows else 0

    @property
    def simple_records(self) -> bool:
        """Every record is the header (record 1) or data, and every cell is its text: the file's
        record numbers are frictionless-py's row numbers and its reading is the spec's."""
        return (
            self.header_rows in {(1,), ()}
            and self.comment_char is None
            and not self.comment_rows
            and self.null_sequence is None
            and (self.double_quote or self.escape_char is not None)
        )

    def csv_options(self, strict: bool = False) -> dict[str, Any]:
        """The csv module's reader options for this dialect."""
        return {
            "delimiter": self.delimiter,
            "quotechar": self.quote_char,
            "doublequote": self.double_quote,
            "skipinitialspace": self.skip_initial_space,
            "escapechar": self.escape_char,
            "strict": strict,
        }

    def kind(self, number: int, first_line: str) -> str:
        """What record `number` (1-based) is: "header", "comment", "skipped" or "data".
        `first_line` is the record's first physical line as written."""
        comment = number in self.comment_rows or (
            self.comment_char is not None and first_line.startswith(self.comment_char)
        )
        if number <= self.last_header_row:
            return "header" if number in self.header_rows and not comment else "skipped"
        return "comment" if comment else "data"

    def labels(self, rows: list[list[Any]], text: Callable[[Any], Any] = str) -> list[Any]:
        """The header's labels from its rows (see the module docstring for the spec's rule);
        `text` gives a cell's label (a sheet's cells are values, a CSV's their text)."""
        rows = [row for row in rows if row]
        if len(rows) <= 1:
            return [text(cell) for cell in rows[0]] if rows else []
        width = max(len(row) for row in rows)
        joined = [[text(cell) or "" for cell in row] for row in rows]
        return [
            self.header_join.join(row[i] if i < len(row) else row[-1] for row in joined)
            for i in range(width)
        ]

    def records(
        self,
        rows: Iterable[tuple[list[Any], str]],
        names: list[str],
        text: Callable[[Any], Any] = str,
    ) -> Iterator[tuple[int, list[Any]]]:
        """The records of a table's rows, in any format: the header's labels first (the field
        names `names` for `header: false`), then each data row, each with its row number (from
        1, as in the file; for the header the number of its first row read, 0 when there is
        none). `rows` are each row's cells and its first characters as written (`kind`)."""
        if not self.has_header:
            yield 0, list(names)
        header_rows: list[list[Any]] = []
        header_number = number = 0
        for number, (cells, first) in enumerate(rows, start=1):
            kind = self.kind(number, first)
            if kind == "header":
                header_rows.append(cells)
                header_number = header_number or number
            if number == self.last_header_row:
                yield header_number, self.labels(header_rows, text)
            if kind == "data":
                nulls = self.null_sequence is not None
                yield number, [self.cell(c) for c in cells] if nulls else cells
        if 0 < number < self.last_header_row:  # the table ends within its header
            yield header_number, self.labels(header_rows, text)

    def cell(self, text: str) -> str | None:
        """A data cell's value: None for the null sequence ("specifies the null sequence")."""
        return None if self.null_sequence is not None and text == self.null_sequence else text


def group(fmt: str) -> str:
    """The spec's group of formats `fmt` is in: "delimited", "spreadsheet" or "structured"."""
    if fmt in SPREADSHEETS:
        return "spreadsheet"
    return "structured" if fmt in STRUCTURED else "delimited"


def not_applicable(dialect: dict[str, Any], fmt: str) -> list[str]:
    """The row-role properties `dialect` sets, other than to their defaults, that the spec does
    not list for the group `fmt` is in: ignored, as the spec says (see the module docstring)."""
    kind = group(fmt)
    if kind == "delimited":
        return []
    return [
        key
        for key, default in ROW_ROLES.items()
        if key not in _APPLIES[kind] and dialect.get(key, default) not in (default, None)
    ]


def applicable(dialect: dict[str, Any], fmt: str) -> dict[str, Any]:
    """`dialect` without the row-role properties that do not apply to format `fmt`."""
    ignored = [k for k in ROW_ROLES if group(fmt) != "delimited" and k not in _APPLIES[group(fmt)]]
    return {k: v for k, v in dialect.items() if k not in ignored}


def problems(dialect: dict[str, Any]) -> list[str]:
    """What of a CSV dialect this tool cannot follow as the spec says, in words naming the
    property and its value; empty when every property can be followed."""
    found = []
    for key, default in (("delimiter", ","), ("quoteChar", '"'), ("escapeChar", None)):
        value = dialect.get(key, default)
        if value is not None and (not isinstance(value, str) or len(value) != 1):
            found.append(f"{key} {json.dumps(value)} (one character is read)")
    rows = dialect.get("headerRows")
    if rows is not None and not _row_numbers(rows, ordered=True):
        found.append(f"headerRows {json.dumps(rows)} (row numbers from 1, in increasing order)")
    comments = dialect.get("commentRows")
    if comments is not None and not _row_numbers(comments):
        found.append(f"commentRows {json.dumps(comments)} (row numbers from 1)")
    if dialect.get("headerRows") == []:
        found.append("headerRows [] (use header: false for a file without a header)")
    for key in ("headerJoin", "commentChar", "nullSequence"):
        value = dialect.get(key)
        if value is not None and not isinstance(value, str):
            found.append(f"{key} {json.dumps(value)} (a string)")
    if dialect.get("commentChar") == "":
        found.append('commentChar "" (would make every row a comment)')
    for key in ("header", "doubleQuote", "skipInitialSpace"):
        value = dialect.get(key)
        if value is not None and not isinstance(value, bool):
            found.append(f"{key} {json.dumps(value)} (true or false)")
    terminator = dialect.get("lineTerminator")
    if terminator is not None and terminator not in READABLE_TERMINATORS:
        found.append(f"lineTerminator {json.dumps(terminator)} (only CR, LF and CRLF end rows)")
    return found


def _char(value: Any, default: str | None) -> Any:
    return value if isinstance(value, str) and len(value) == 1 else default


def _text(value: Any, default: str | None) -> Any:
    return value if isinstance(value, str) else default


def _row_numbers(value: Any, ordered: bool = False) -> bool:
    """A list of row numbers from 1 (`commentRows`), strictly increasing when `ordered`
    (`headerRows`: the header's rows are joined in the file's order)."""
    if not isinstance(value, list):
        return False
    if not all(type(n) is int and n >= 1 for n in value):
        return False
    return not ordered or all(a < b for a, b in pairwise(value))
