"""Table Schema's lexical rules: which texts are values of each type, written once.

Every consumer (both layer-1 engines, layer 2, `load()`, `connect()`, `diff`) decides what a cell
means through these patterns, in Python (`cells`) or rendered as SQL for DuckDB (`sql`). Each
pattern is written in the syntax Python's `re` and DuckDB's RE2 read alike (no look-around), so
the two renderings cannot drift; `tests/unit/tableschema/test_sql_rendering.py` holds them equal
on generated cells.

The rules and the spec sentences they follow (https://specs.frictionlessdata.io/table-schema/,
datapackage.org v2 "Table Schema"):

* integer — "Integer values are indicated in the standard way for any valid integer": an
  optional sign and ASCII decimal digits. No exponent, no fraction, no digit-group underscores,
  no other script's digits (``"1e3"``, ``"1.0"``, ``"1_000"`` and ``"١٢"`` are not integers).
* blanks around a number — number "follows that of decimal in XMLSchema", and XML Schema's
  ``whiteSpace`` facet is ``collapse`` for decimal and for integer, which is derived from it:
  leading and trailing spaces, tabs, CRs and LFs are dropped before the form is checked
  (``" 12"`` is 12). Only those four characters: a no-break space is not XML whitespace.
  frictionless-py agrees on the blanks and accepts more (Python's ``int()``/``Decimal()`` take
  ``"1_000"``, ``"١٢"``, ``"Infinity"``, ``"\u00a012"``); layer 1 follows the spec there
  (`validation/structure/spec_cells.py`).
* number — "The lexical formatting follows that of decimal in XMLSchema ... An optional leading
  sign is allowed ... The following special string values are permitted (case need not be
  respected): NaN, INF, -INF ... A number MAY also have a trailing exponent: this MUST consist of
  an E followed by an optional + or - sign followed by one or more decimal digits". So ``"nan"``
  and ``"-Inf"`` are numbers; ``"+INF"`` is not.
* date — "The lexical representation MUST be in the form YYYY-MM-DD" (and a real calendar day;
  year 0000 does not exist in XML Schema's proleptic calendar as Python reads it).
* time — "hh:mm:ss", optionally with fractional seconds.
* datetime — "in the form defined by XML Schema containing required date and time parts,
  followed by optional milliseconds and timezone parts": the offset is ``Z`` or ``±hh:mm``
  *with* its colon (XML Schema's timezone production), never ``+0100``.
* year — "YYYY"; yearmonth — "YYYY-MM".
* duration — "a duration of time ... the lexical representation for duration in XML Schema":
  ``PnYnMnDTnHnMnS`` with XML Schema's optional leading minus (``-P1D``); Python only, DuckDB
  keeps durations as text.
"""

from __future__ import annotations

import re

#: A four-digit year other than 0000 (DuckDB reads 0000 as 1 BC; Python has no year 0).
_YEAR_NOT_ZERO = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_TIME_OF_DAY = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"

#: XML Schema's whitespace characters, dropped around integers and numbers (whiteSpace collapse).
BLANKS = " \t\r\n"
INTEGER = r"[+-]?[0-9]+"
NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:nan|inf|-inf)"
#: The calendar check (no 30 February) is the cast's, in Python and in SQL.
DATE = f"{_YEAR_NOT_ZERO}-{_MONTH}-{_DAY}"
TIME = _TIME_OF_DAY
DATETIME = f"{DATE}T{_TIME_OF_DAY}{_OFFSET}?"
#: A datetime that names its offset (converted to UTC when read).
DATETIME_WITH_OFFSET = f"{DATE}T{_TIME_OF_DAY}{_OFFSET}"
YEAR = r"[0-9]{4}"
YEARMONTH = r"([0-9]{4})-(0[1-9]|1[0-2])"
DURATION = (
    r"-?P(?!$)(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+W)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"
)
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
URI = r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+"
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#: frictionless-py's reading of ``bareNumber: false``: leading text up to the first digit or
#: minus sign, and trailing non-digits, are dropped ("€ 12", "12 %").
BARE_STRIP = r"((^[^-\d]*)|(\D*$))"

#: Table Schema's defaults for `trueValues`, `falseValues` and `missingValues`.
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
DEFAULT_MISSING = ("",)

COMPILED = {
    name: re.compile(source)
    for name, source in {
        "integer": INTEGER,
        "number": NUMBER,
        "date": DATE,
        "time": TIME,
        "datetime": DATETIME,
        "year": YEAR,
        "yearmonth": YEARMONTH,
        "duration": DURATION,
        "email": EMAIL,
        "uri": URI,
        "uuid": UUID,
    }.items()
}
BARE_STRIP_RE = re.compile(BARE_STRIP)


def full(kind: str, text: str) -> bool:
    """Whether the whole of `text` is the lexical form `kind` (a key of `COMPILED`)."""
    return COMPILED[kind].fullmatch(text) is not None
