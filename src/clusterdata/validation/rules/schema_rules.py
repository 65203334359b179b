"""Derive a pandera schema from a Frictionless Table Schema: the schema in `schemas/` stays the
only place a type or constraint is declared.

Why not `pandera.io.pandas_io.from_frictionless_schema`: it turns dates into strings (so
"2020-02-30" passes), ignores `format`, `missingValues`, `bareNumber`, `trueValues` and foreign
keys, and coerces (`coerce=True`), which on pandas reports a column with one bad cell as *one*
failure without a row. Here every cell stays text and each column gets

1. one check "does this cell parse as the field's type" (Table Schema's lexical rules, stricter
   than frictionless-py where the standard is: ``" 12"``, ``"1.5"`` and ``"1e3"`` are not integers,
   ``"2020-1-1"`` is not a date), and
2. one check per constraint, evaluated on the parsed values of the cells that did parse,

so each bad cell is its own failure case with its row. Check ids are the ones layer 1 uses for
the same defect (`type-error`, `constraint-minimum`, `unique-error`, `primary-key`, …), so a defect
both layers see is reported once. Foreign keys are left to frictionless and DuckDB: a
`Check.isin(<parent ids>)` costs gigabytes at scale.

Every check carries a `Rule` (finding id, severity, message, hint) in its column's (or the
schema's) `metadata["rules"]`, keyed by the pandera check name, so failure cases map back to
findings without a lookup table kept by hand.

Each check is written once, on plain Python columns (`CheckSpec.fails`: a column's cells, text or
None, → a flag per cell), and pandera's check is made from it. That gives the checks two runners
with one meaning: pandera on the pandas engine, and `TableRules.evaluate` on the few rows the
DuckDB engine could not certify in SQL, where importing pandas and pandera would cost more
than checking a million rows. A property test holds the two runners' failures equal.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from clusterdata.core.findings import Severity
from clusterdata.core.lazy import lazy_module
from clusterdata.tableschema.patterns import (
    TIMEOUT_CHECK,
    TIMEOUT_HINT,
    Outcome,
    PatternError,
    TablePattern,
    timeout_message,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa
else:  # costly imports, paid only when a frame is really built (see `lazy`)
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
    pa = lazy_module("pandera.pandas")

#: Table Schema's default for `missingValues`.
DEFAULT_MISSING = ("",)
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
#: Check ids that layer 1 (frictionless) also emits; the same id lets `merge` collapse them.
SHARED_WITH_LAYER_1 = frozenset(
    {
        "type-error",
        "constraint-required",
        "unique-error",
        "constraint-pattern",
        "constraint-enum",
        "constraint-minimum",
        "constraint-maximum",
        "constraint-exclusive-minimum",
        "constraint-exclusive-maximum",
        "constraint-min-length",
        "constraint-max-length",
        "primary-key",
    }
)


@dataclass(frozen=True)
class Failure:
    """One failing cell as a message function sees it."""

    column: str | None
    value: str | None
    row: Callable[[str], str | None]  # raw text of another field in the same row


@dataclass(frozen=True)
class Rule:
    """What a failing pandera check means for a person: the finding it becomes."""

    check: str
    message: Callable[[Failure], str]
    severity: Severity = Severity.ERROR
    #: None for checks shared with layer 1: the caller derives the hint from the schema, the
    #: same way layer 1 does, so both layers give the same advice.
    hint: str | None = None
    #: For frame-level checks: the field the finding names (pandera reports every column).
    column: str | None = None
    #: A composite check (several checks of one column run as one pandera check, as pandera's
    #: fixed cost per check dominates on small tables): a failing cell becomes the findings of
    #: the parts, (name, rule, predicate on the cell's text), whose predicate holds.
    parts: tuple[tuple[str, Rule, Callable[[str], bool]], ...] = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> Rule:
        """Immutable: pandera deep-copies every column (and its metadata) when it builds a
        schema, which for the bundled package's ~1,000 rules was a visible share of validating
        it."""
        return self


#: One column as the checks read it: a cell's text, or None where it is missing (a missing
#: value of the schema, or absent from a short row).
Cells = Sequence[str | None]


@dataclass(frozen=True)
class CheckSpec:
    """One check, not built into pandera yet: building one imports pandera (and pandas),
    which a validation whose rows all passed in DuckDB never needs; `to_pandera` builds them.

    `passes` is pandera's form (a Series or DataFrame in, a boolean Series out). The Table Schema
    checks also carry `fails`, the same decision on plain Python columns (a column check: its
    `Cells` → a flag per cell; a frame check: {field: Cells} → a flag per row), from which their
    `passes` is made: one definition, run by pandera on the pandas engine and by
    `TableRules.evaluate` on the DuckDB engine's suspect rows, without pandas.
    """

    name: str
    passes: Callable[[Any], Any]
    fails: Callable[[Any], list[bool]] | None = None

    def build(self) -> pa.Check:
        return pa.Check(self.passes, name=self.name, ignore_na=False)


RuledCheck = tuple[CheckSpec, Rule]


def ruled_check(
    name: str, rule: Rule, fails: Callable[[pd.Series], pd.Series | np.ndarray]
) -> RuledCheck:
    """A pandera-only check from a function returning True where a cell *fails* (easier to
    read); the domain checks of the pandas engine are built here."""

    def passes(series: pd.Series) -> pd.Series:
        bad = np.asarray(fails(series), dtype=bool)
        return pd.Series(~bad, index=series.index)

    return CheckSpec(name, passes), rule


def frame_check(
    name: str, rule: Rule, fails: Callable[[pd.DataFrame], pd.Series | np.ndarray]
) -> RuledCheck:
    def passes(frame: pd.DataFrame) -> pd.Series:
        bad = np.asarray(fails(frame), dtype=bool)
        return pd.Series(~bad, index=frame.index)

    return CheckSpec(name, passes), rule


def cells_check(
    name: str, rule: Rule, parser: ColumnParser, fails: Callable[[Cells], list[bool]]
) -> RuledCheck:
    """A column check defined on plain cells (`CheckSpec.fails`); pandera's form reads the
    series' cells through the column's parser, which converts each series once."""

    def passes(series: pd.Series) -> pd.Series:
        bad = fails(parser.cells(series))
        return pd.Series([not b for b in bad], index=series.index, dtype=bool)

    return CheckSpec(name, passes, fails), rule


def rows_check(
    name: str,
    rule: Rule,
    parsers: dict[str, ColumnParser],
    fails: Callable[[dict[str, Cells]], list[bool]],
) -> RuledCheck:
    """A frame check defined on plain columns ({field: cells}, every field of `parsers`)."""

    def passes(frame: pd.DataFrame) -> pd.Series:
        if any(name not in frame.columns for name in parsers):
            return pd.Series(True, index=frame.index, dtype=bool)
        bad = fails({name: parser.cells(frame[name]) for name, parser in parsers.items()})
        return pd.Series([not b for b in bad], index=frame.index, dtype=bool)

    return CheckSpec(name, passes, fails), rule


def missing_values(schema: dict[str, Any]) -> list[str]:
    """The schema's `missingValues` (default `[""]`); non-strings are ignored."""
    values = schema.get("missingValues", list(DEFAULT_MISSING))
    if not isinstance(values, list):
        return list(DEFAULT_MISSING)
    return [v for v in values if isinstance(v, str)]


def text_frame(columns: dict[str, Sequence[str | None]], schema: dict[str, Any]) -> pd.DataFrame:
    """The frame the converted schema validates: every cell text, the schema's missing values
    (and cells absent from short rows, given as None) as NA. Nothing is converted."""
    missing = sorted(set(missing_values(schema)))
    length = len(next(iter(columns.values()))) if columns else 0
    out: dict[str, pd.Series] = {}
    for name, cells in columns.items():
        series = pd.Series(cells, dtype="str")
        if missing:
            series = series.mask(series.isin(missing))
        out[name] = series
    return pd.DataFrame(out, index=pd.RangeIndex(length))


def fields_of(schema: dict[str, Any]) -> list[dict[str, Any]]:
    fields = schema.get("fields")
    if not isinstance(fields, list):
        return []
    return [f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)]


def key_fields(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


# --- parsing one cell ------------------------------------------------------------------------

_BAD = object()
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|INF|-INF")
_BARE_STRIP = re.compile(r"((^[^-\d]*)|(\D*$))")  # frictionless's rule for bareNumber: false
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?")
_YEAR = re.compile(r"[0-9]{4}")
_YEARMONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_DURATION = re.compile(
    r"P(?!$)(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+W)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: Types whose cells this module parses; others (geopoint, geojson, any) are left to layer 1.
CHECKED_TYPES = {
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
    "time",
    "year",
    "yearmonth",
    "duration",
    "object",
    "array",
}


def _full(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.fullmatch(text) is not None


def _strptime_format(fmt: str) -> str:
    return fmt[4:] if fmt.startswith("fmt:") else fmt


def _to_utc_naive(moment: datetime) -> datetime:
    """Aware and naive datetimes cannot be compared; naive ones are taken as UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def cell_parser(field: dict[str, Any]) -> Callable[[str], Any] | None:
    """A function text → parsed value (or `_BAD`), or None when any text is acceptable."""
    ftype = str(field.get("type") or "string")
    fmt = str(field.get("format") or "default")
    if ftype == "string":
        if fmt == "email":
            return lambda t: t if _full(_EMAIL, t) else _BAD
        if fmt == "uri":
            return lambda t: t if _full(_URI, t) else _BAD
        if fmt == "uuid":
            return lambda t: t.lower() if _full(_UUID, t) else _BAD
        if fmt == "binary":
            return _parse_binary
        return None
    if ftype == "integer":
        bare = field.get("bareNumber", True) is not False

        def parse_integer(text: str) -> Any:
            if not bare:
                text = _BARE_STRIP.sub("", text)
            return int(text) if _full(_INTEGER, text) else _BAD

        return parse_integer
    if ftype == "number":
        return _number_parser(field)
    if ftype == "boolean":
        true = _str_list(field.get("trueValues"), DEFAULT_TRUE)
        false = _str_list(field.get("falseValues"), DEFAULT_FALSE)
        return lambda t: True if t in true else (False if t in false else _BAD)
    if ftype == "date":
        return _date_parser(fmt)
    if ftype == "datetime":
        return _datetime_parser(fmt)
    if ftype == "time":
        return _time_parser(fmt)
    if ftype == "year":
        return lambda t: int(t) if _full(_YEAR, t) else _BAD
    if ftype == "yearmonth":

        def parse_yearmonth(text: str) -> Any:
            match = _YEARMONTH.fullmatch(text)
            return (int(match.group(1)), int(match.group(2))) if match else _BAD

        return parse_yearmonth
    if ftype == "duration":
        return lambda t: t if _full(_DURATION, t) else _BAD
    if ftype in {"object", "array"}:
        wanted = dict if ftype == "object" else list

        def parse_json(text: str) -> Any:
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                return _BAD
            return text if isinstance(value, wanted) else _BAD

        return parse_json
    return None


def _str_list(value: Any, default: Sequence[str]) -> frozenset[str]:
    if isinstance(value, list):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset(default)


def _parse_binary(text: str) -> Any:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return _BAD
    return text


def _number_parser(field: dict[str, Any]) -> Callable[[str], Any]:
    bare = field.get("bareNumber", True) is not False
    group = str(field["groupChar"]) if isinstance(field.get("groupChar"), str) else ""
    decimal = str(field["decimalChar"]) if isinstance(field.get("decimalChar"), str) else "."

    def parse_number(text: str) -> Any:
        if not bare:
            text = _BARE_STRIP.sub("", text)
        if group:
            text = text.replace(group, "")
        if decimal != ".":
            if "." in text:
                return _BAD
            text = text.replace(decimal, ".")
        return float(text) if _full(_NUMBER, text) else _BAD

    return parse_number


def _date_parser(fmt: str) -> Callable[[str], Any]:
    def parse_date(text: str) -> Any:
        try:
            if fmt == "default":
                return date.fromisoformat(text) if _full(_DATE, text) else _BAD
            if fmt == "any":
                return pd.Timestamp(text).date()
            return datetime.strptime(text, _strptime_format(fmt)).date()
        except (ValueError, TypeError, OverflowError):
            return _BAD

    return parse_date


def _datetime_parser(fmt: str) -> Callable[[str], Any]:
    def parse_datetime(text: str) -> Any:
        try:
            if fmt == "default":
                if not _full(_DATETIME, text):
                    return _BAD
                return _to_utc_naive(datetime.fromisoformat(text))
            if fmt == "any":
                return _to_utc_naive(pd.Timestamp(text).to_pydatetime())
            return _to_utc_naive(datetime.strptime(text, _strptime_format(fmt)))
        except (ValueError, TypeError, OverflowError):
            return _BAD

    return parse_datetime


def _time_parser(fmt: str) -> Callable[[str], Any]:
    def parse_time(text: str) -> Any:
        try:
            if fmt == "default":
                return time.fromisoformat(text) if _full(_TIME, text) else _BAD
            if fmt == "any":
                return pd.Timestamp(text).time()
            return datetime.strptime(text, _strptime_format(fmt)).time()
        except (ValueError, TypeError, OverflowError):
            return _BAD

    return parse_time


# --- parsing a column, once per distinct value -------------------------------------------------


@dataclass
class Parsed:
    present: list[bool]  # the cell is not a missing value
    ok: list[bool]  # present and parses as the type
    values: list[Any]  # the parsed value where ok, else None


_UNSEEN = object()


class ColumnParser:
    """Parses a column once per distinct value, and remembers the last column it parsed so the
    type check and every constraint check share one parse (pandera hands each check its own
    Series of the same column; `cells` converts it once)."""

    def __init__(self, field: dict[str, Any]) -> None:
        self.field = field
        self.parse = cell_parser(field)
        self._series: pd.Series | None = None
        self._cells: list[str | None] = []
        self._source: Cells | None = None
        self._parsed: Parsed | None = None

    def cells(self, series: pd.Series) -> list[str | None]:
        """The series' cells as text, None where missing (NA)."""
        if self._series is not None and (self._series is series or self._series.equals(series)):
            return self._cells
        cells = [None if v is None else str(v) for v in series.to_numpy(object, na_value=None)]
        self._series, self._cells = series, cells
        return cells

    def __call__(self, cells: Cells) -> Parsed:
        if self._parsed is not None and self._source is cells:
            return self._parsed
        present = [cell is not None for cell in cells]
        if self.parse is None:  # any text is valid: no per-value work
            self._source, self._parsed = cells, Parsed(present, present, list(cells))
            return self._parsed
        parse = self.parse
        memo: dict[str, Any] = {}
        values: list[Any] = []
        for cell in cells:
            if cell is None:
                values.append(_BAD)
                continue
            value = memo.get(cell, _UNSEEN)
            if value is _UNSEEN:
                value = memo[cell] = parse(cell)
            values.append(value)
        ok = [value is not _BAD for value in values]
        values = [None if value is _BAD else value for value in values]
        self._source, self._parsed = cells, Parsed(present, ok, values)
        return self._parsed

    def scalar(self, value: Any) -> Any:
        """A constraint value from the schema, parsed like a cell (JSON numbers stay numbers)."""
        ftype = str(self.field.get("type") or "string")
        if isinstance(value, bool):
            return value if ftype == "boolean" else _BAD
        if isinstance(value, int | float) and ftype in {"integer", "number", "year"}:
            return value
        if not isinstance(value, str):
            return _BAD
        return value if self.parse is None else self.parse(value)


def _same_key(value: Any) -> Any:
    """A value as keys compare it: every NaN alike (as pandas' `duplicated` counts them)."""
    if isinstance(value, float) and math.isnan(value):
        return _NAN_KEY
    return value


_NAN_KEY = ("NaN",)


def _repeats(keys: list[Any]) -> list[bool]:
    """Whether each key equals an earlier one (the first of a kind is not a repeat)."""
    seen: set[Any] = set()
    out: list[bool] = []
    for key in keys:
        out.append(key in seen)
        seen.add(key)
    return out


# --- the converter --------------------------------------------------------------------------


def _quote(value: str | None) -> str:
    return "an empty cell" if value is None else repr(value)


def _holds(op: Callable[[Any, Any], bool], value: Any, bound: Any) -> bool:
    """Whether `op(value, bound)` holds; NaN and incomparable values never fail a bound."""
    if isinstance(value, float) and math.isnan(value):
        return False
    try:
        return bool(op(value, bound))
    except TypeError:
        return False


def _type_label(field: dict[str, Any]) -> str:
    ftype = str(field.get("type") or "string")
    fmt = field.get("format")
    return f"{ftype} ({fmt})" if fmt and fmt != "default" else ftype


def _message(tail: str) -> Callable[[Failure], str]:
    def message(f: Failure) -> str:
        return f"{_quote(f.value)} in column {f.column!r} {tail}"

    return message


def _bound_check(
    parser: ColumnParser,
    check_id: str,
    op: Callable[[Any, Any], bool],
    bound: Any,
    words: str,
    shown: Any,
) -> RuledCheck:
    def fails(cells: Cells) -> list[bool]:
        parsed = parser(cells)
        return [o and _holds(op, v, bound) for o, v in zip(parsed.ok, parsed.values, strict=True)]

    return cells_check(
        check_id, Rule(check_id, _message(f"is {words} the allowed {shown}.")), parser, fails
    )


def _pattern_check(parser: ColumnParser, source: str) -> list[RuledCheck]:
    """`constraint-pattern`, evaluated under the pattern's time budget (`patterns`): a value
    whose match runs out of time is a `pattern-timeout` instead, and later values of the column
    are not checked. A pattern that does not compile is layer 1's `schema-error`."""
    try:
        pattern = TablePattern(source)
    except PatternError:
        return []
    outcomes: dict[str, Outcome] = {}

    def pattern_fails(cells: Cells) -> list[bool]:
        parsed = parser(cells)
        out: list[bool] = []
        reported: set[str] = set()
        for cell, ok in zip(cells, parsed.ok, strict=True):
            if cell is None:
                out.append(False)
                continue
            outcome = outcomes.get(cell)
            if outcome is None:  # values are matched in order of first appearance
                outcome = outcomes[cell] = pattern.check(cell)
            if not ok:
                out.append(False)
            elif outcome is Outcome.TIMEOUT:  # reported once: at its first cell
                out.append(cell not in reported)
                reported.add(cell)
            else:
                out.append(outcome is Outcome.MISMATCH)
        return out

    mismatch = Rule("constraint-pattern", _message(f"does not match the pattern {source}."))
    timeout = Rule(TIMEOUT_CHECK, lambda f: timeout_message(f.column), hint=TIMEOUT_HINT)
    rule = Rule(
        "constraint-pattern",
        mismatch.message,
        parts=(
            ("constraint-pattern", mismatch, lambda t: outcomes.get(t) is Outcome.MISMATCH),
            (TIMEOUT_CHECK, timeout, lambda t: outcomes.get(t) is Outcome.TIMEOUT),
        ),
    )
    return [cells_check("constraint-pattern", rule, parser, pattern_fails)]


def column_checks(field: dict[str, Any], parser: ColumnParser) -> list[RuledCheck]:
    """The type check and one check per constraint of one field."""
    constraints = field.get("constraints") if isinstance(field.get("constraints"), dict) else {}
    assert isinstance(constraints, dict)
    ftype = str(field.get("type") or "string")
    checks: list[RuledCheck] = []
    label = _type_label(field)

    if parser.parse is not None and ftype in CHECKED_TYPES:

        def type_fails(cells: Cells) -> list[bool]:
            parsed = parser(cells)
            return [p and not o for p, o in zip(parsed.present, parsed.ok, strict=True)]

        checks.append(
            cells_check(
                "type-error",
                Rule(
                    "type-error",
                    lambda f: f"{_quote(f.value)} is not a valid {label} for column {f.column!r}.",
                ),
                parser,
                type_fails,
            )
        )

    if constraints.get("required") is True:
        checks.append(
            cells_check(
                "constraint-required",
                Rule(
                    "constraint-required",
                    lambda f: f"Column {f.column!r} must not be empty.",
                ),
                parser,
                lambda cells: [not p for p in parser(cells).present],
            )
        )

    if constraints.get("unique") is True:

        def duplicated(cells: Cells) -> list[bool]:
            parsed = parser(cells)
            keys = [_same_key(v) for o, v in zip(parsed.ok, parsed.values, strict=True) if o]
            repeats = iter(_repeats(keys))
            return [o and next(repeats) for o in parsed.ok]

        checks.append(
            cells_check(
                "unique-error",
                Rule(
                    "unique-error",
                    lambda f: (
                        f"{_quote(f.value)} in column {f.column!r} must be unique: it repeats an "
                        "earlier row."
                    ),
                ),
                parser,
                duplicated,
            )
        )

    bounds: list[tuple[str, str, Callable[[Any, Any], bool], str]] = [
        ("minimum", "constraint-minimum", lambda v, b: v < b, "less than"),
        ("maximum", "constraint-maximum", lambda v, b: v > b, "more than"),
        ("exclusiveMinimum", "constraint-exclusive-minimum", lambda v, b: v <= b, "at most"),
        ("exclusiveMaximum", "constraint-exclusive-maximum", lambda v, b: v >= b, "at least"),
    ]
    for key, check_id, op, words in bounds:
        if key not in constraints or ftype not in {
            "integer",
            "number",
            "date",
            "datetime",
            "time",
            "year",
            "yearmonth",
        }:
            continue
        bound = parser.scalar(constraints[key])
        if bound is _BAD:
            continue
        checks.append(_bound_check(parser, check_id, op, bound, words, constraints[key]))

    if ftype == "string":
        for key, check_id, words in (
            ("minLength", "constraint-min-length", "shorter"),
            ("maxLength", "constraint-max-length", "longer"),
        ):
            limit = constraints.get(key)
            if not isinstance(limit, int) or isinstance(limit, bool):
                continue

            def length_fails(cells: Cells, key: str = key, limit: int = limit) -> list[bool]:
                parsed = parser(cells)
                return [
                    ok
                    and cell is not None
                    and (len(cell) < limit if key == "minLength" else len(cell) > limit)
                    for cell, ok in zip(cells, parsed.ok, strict=True)
                ]

            checks.append(
                cells_check(
                    check_id,
                    Rule(
                        check_id,
                        _message(f"is {words} than the {limit} characters allowed."),
                    ),
                    parser,
                    length_fails,
                )
            )

        pattern = constraints.get("pattern")
        if isinstance(pattern, str):
            checks.extend(_pattern_check(parser, pattern))

    enum = constraints.get("enum")
    if isinstance(enum, list):
        allowed: set[Hashable] = set()
        for member in enum:
            parsed_member = parser.scalar(member)
            if parsed_member is not _BAD and isinstance(parsed_member, Hashable):
                allowed.add(parsed_member)

        def enum_fails(cells: Cells) -> list[bool]:
            parsed = parser(cells)
            return [o and v not in allowed for o, v in zip(parsed.ok, parsed.values, strict=True)]

        shown_enum = ", ".join(str(v) for v in enum)
        checks.append(
            cells_check(
                "constraint-enum",
                Rule(
                    "constraint-enum",
                    lambda f: (
                        f"{_quote(f.value)} in column {f.column!r} is not one of the allowed "
                        f"values ({shown_enum})."
                    ),
                ),
                parser,
                enum_fails,
            )
        )
    return checks


def _primary_key_check(
    schema: dict[str, Any], parsers: dict[str, ColumnParser]
) -> RuledCheck | None:
    names = key_fields(schema.get("primaryKey"))
    if not names or any(n not in parsers for n in names):
        return None
    key_parsers = {n: parsers[n] for n in dict.fromkeys(names)}

    def fails(columns: dict[str, Cells]) -> list[bool]:
        length = len(next(iter(columns.values()), []))
        missing = [False] * length
        if any(n not in columns for n in names):  # layer 1 reports the missing column
            return missing
        parts: list[list[Any]] = []
        for n in names:
            cells = columns[n]
            parsed = key_parsers[n](cells)
            missing = [m or not p for m, p in zip(missing, parsed.present, strict=True)]
            # a cell that does not parse still takes part in the key as its text
            parts.append(
                [
                    _same_key(v) if o else ("text", c)
                    for c, o, v in zip(cells, parsed.ok, parsed.values, strict=True)
                ]
            )
        repeated = _repeats(list(zip(*parts, strict=True)))
        return [m or r for m, r in zip(missing, repeated, strict=True)]

    def message(f: Failure) -> str:
        empty = [n for n in names if f.row(n) is None]
        if empty:
            return f"This row's key is incomplete: {', '.join(empty)} is empty."
        shown = ", ".join(f"{f.row(n)!r}" for n in names)
        return f"This row's key ({shown}) repeats an earlier row's key."

    return rows_check(
        "primary-key", Rule("primary-key", message, column=names[0]), key_parsers, fails
    )


@dataclass(frozen=True)
class Flagged:
    """A cell (or row) a check failed, as `TableRules.evaluate` reports it."""

    rule: Rule
    #: The column the failure names; None for a frame check's row (its rule names the field).
    column: str | None
    #: Position of the row among the evaluated rows.
    position: int


@dataclass(frozen=True)
class Broken:
    """A check that raised instead of answering (a defect in the check, not in the data)."""

    name: str
    column: str | None
    error: Exception


@dataclass
class TableRules:
    """Every check of a table, by column and frame-level, before pandera objects exist."""

    columns: dict[str, list[RuledCheck]]
    frame: list[RuledCheck]

    def count(self) -> int:
        """Checks in the table; a composite check counts as its parts."""
        return sum(
            max(1, len(rule.parts))
            for ruled in [*self.columns.values(), self.frame]
            for _, rule in ruled
        )

    def evaluate(self, columns: Mapping[str, Cells]) -> list[Flagged | Broken]:
        """Every failure of these checks on plain columns (equal lengths; a column of the rules
        absent here is not checked, as pandera skips a column the frame lacks): the failures
        pandera reports for the same cells, without pandas. Every check here must carry
        `CheckSpec.fails` (the pandas engine's domain checks do not, and never come here)."""
        out: list[Flagged | Broken] = []
        for name, ruled in self.columns.items():
            if name not in columns:
                continue
            for spec, rule in ruled:
                out.extend(_run(spec, rule, name, columns[name]))
        for spec, rule in self.frame:
            out.extend(_run(spec, rule, None, columns))
        return out


def _run(spec: CheckSpec, rule: Rule, column: str | None, cells: Any) -> list[Flagged | Broken]:
    if spec.fails is None:
        raise TypeError(f"the check {spec.name!r} runs only on pandas")
    try:
        flags = spec.fails(cells)
    except Exception as exc:  # one broken check must not hide the others (pandera's way too)
        return [Broken(spec.name, column, exc)]
    return [Flagged(rule, column, position) for position, bad in enumerate(flags) if bad]


def table_rules(
    schema: dict[str, Any],
    *,
    extra_column_checks: Callable[[dict[str, Any]], Sequence[RuledCheck]] | None = None,
    extra_frame_checks: Sequence[RuledCheck] = (),
    columns: Sequence[str] | None = None,
) -> TableRules:
    """The checks `to_pandera` turns into a schema (same arguments); no pandas, no pandera."""
    present = set(columns) if columns is not None else None
    by_column: dict[str, list[RuledCheck]] = {}
    parsers: dict[str, ColumnParser] = {}
    for field in fields_of(schema):
        name = field["name"]
        if name in by_column or (present is not None and name not in present):
            continue
        parser = ColumnParser(field)
        parsers[name] = parser
        ruled = column_checks(field, parser)
        if extra_column_checks is not None:
            ruled.extend(extra_column_checks(field))
        by_column[name] = ruled
    frame_level: list[RuledCheck] = []
    pk = _primary_key_check(schema, parsers)
    if pk is not None:
        frame_level.append(pk)
    frame_level.extend(extra_frame_checks)
    return TableRules(by_column, frame_level)


def to_pandera(
    schema: dict[str, Any],
    *,
    extra_column_checks: Callable[[dict[str, Any]], Sequence[RuledCheck]] | None = None,
    extra_frame_checks: Sequence[RuledCheck] = (),
    columns: Sequence[str] | None = None,
) -> pa.DataFrameSchema:
    """A pandera schema for a text frame of this table (all cells str, missing values as NA).

    `columns` limits the schema to the columns the file has (layer 1 reports missing ones);
    `extra_*` add checks Table Schema cannot express (the domain checks).
    """
    return pandera_schema(
        table_rules(
            schema,
            extra_column_checks=extra_column_checks,
            extra_frame_checks=extra_frame_checks,
            columns=columns,
        )
    )


def pandera_schema(rules: TableRules) -> pa.DataFrameSchema:
    """The pandera schema of these checks; each keeps its `Rule` in the metadata."""
    pa_columns = {
        name: pa.Column(
            None,
            checks=[spec.build() for spec, _ in ruled],
            nullable=True,
            coerce=False,
            required=False,
            name=name,
            metadata={"rules": {spec.name: r for spec, r in ruled}},
        )
        for name, ruled in rules.columns.items()
    }
    return pa.DataFrameSchema(
        pa_columns,
        checks=[spec.build() for spec, _ in rules.frame],
        coerce=False,
        strict=False,
        metadata={"rules": {spec.name: r for spec, r in rules.frame}},
    )


def rule_for(schema: pa.DataFrameSchema, column: str | None, check_name: str) -> Rule | None:
    """The rule behind a failure case; column-level first, then frame-level."""
    if column is not None and column in schema.columns:
        metadata = schema.columns[column].metadata or {}
        rule = metadata.get("rules", {}).get(check_name)
        if rule is not None:
            return rule
    return (schema.metadata or {}).get("rules", {}).get(check_name)
