"""Derive a pandera schema from a Frictionless Table Schema: the schema in `schemas/` stays the
only place a type or constraint is declared.

Why not `pandera.io.pandas_io.from_frictionless_schema`: it turns dates into strings (so
"2020-02-30" passes), ignores `format`, `missingValues`, `bareNumber`, `trueValues` and foreign
keys, and coerces (`coerce=True`), which on pandas reports a column with one bad cell as *one*
failure without a row (see design.md, "Pitfalls"). Here every cell stays text and each column gets

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
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from clusterdata.findings import Severity
from clusterdata.lazy import lazy_module
from clusterdata.patterns import (
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
else:  # ~0.9 s of imports, paid only when a frame is really built (see `lazy`)
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
        schema, which for ~1,000 rules cost ~0.1 s of a validation of the bundled package."""
        return self


@dataclass(frozen=True)
class CheckSpec:
    """A pandera check not built yet: building one imports pandera (~0.9 s with pandas), which a
    validation whose rows all passed in DuckDB never needs; `to_pandera` builds them."""

    name: str
    passes: Callable[[Any], Any]

    def build(self) -> pa.Check:
        return pa.Check(self.passes, name=self.name, ignore_na=False)


RuledCheck = tuple[CheckSpec, Rule]


def ruled_check(
    name: str, rule: Rule, fails: Callable[[pd.Series], pd.Series | np.ndarray]
) -> RuledCheck:
    """A pandera check from a function returning True where a cell *fails* (easier to read)."""

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


# --- parsing a column, vectorised over distinct values ----------------------------------------


@dataclass
class Parsed:
    present: np.ndarray  # bool: the cell is not a missing value
    ok: np.ndarray  # bool: present and parses as the type
    values: np.ndarray  # object: the parsed value where ok, else None


class ColumnParser:
    """Parses a text column once per distinct value, and remembers the last column it parsed
    so the type check and every constraint check share one parse."""

    def __init__(self, field: dict[str, Any]) -> None:
        self.field = field
        self.parse = cell_parser(field)
        self._source: pd.Series | None = None
        self._parsed: Parsed | None = None

    def __call__(self, series: pd.Series) -> Parsed:
        if (
            self._parsed is not None
            and self._source is not None
            and (self._source is series or self._source.equals(series))
        ):
            return self._parsed
        present = series.notna().to_numpy(dtype=bool)
        if self.parse is None:  # any text is valid: no per-value work
            values = series.to_numpy(dtype=object, na_value=None)
            self._source, self._parsed = series, Parsed(present, present.copy(), values)
            return self._parsed
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        texts = uniques.tolist()  # iterating an Arrow-backed array item by item is slow
        count = len(texts)
        ok_u = np.ones(count, dtype=bool)
        values_u = np.empty(count, dtype=object)
        for index, text in enumerate(texts):
            value = self.parse(str(text))
            if value is _BAD:
                ok_u[index] = False
                values_u[index] = None
            else:
                values_u[index] = value
        ok = np.zeros(len(series), dtype=bool)
        values = np.full(len(series), None, dtype=object)
        ok[present] = ok_u[codes[present]]
        values[present] = values_u[codes[present]]
        values[~ok] = None
        self._source, self._parsed = series, Parsed(present, ok, values)
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


# --- the converter --------------------------------------------------------------------------


def _quote(value: str | None) -> str:
    return "an empty cell" if value is None else repr(value)


def _compare(
    values: np.ndarray, ok: np.ndarray, bound: Any, op: Callable[[Any, Any], bool]
) -> np.ndarray:
    """Where `op(value, bound)` holds, among parsed cells; incomparable values do not fail."""
    out = np.zeros(len(values), dtype=bool)
    for index in np.flatnonzero(ok):
        try:
            value = values[index]
            if isinstance(value, float) and math.isnan(value):
                continue
            out[index] = bool(op(value, bound))
        except TypeError:
            continue
    return out


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
    def fails(series: pd.Series) -> np.ndarray:
        parsed = parser(series)
        return _compare(parsed.values, parsed.ok, bound, op)

    return ruled_check(
        check_id, Rule(check_id, _message(f"is {words} the allowed {shown}.")), fails
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

    def pattern_fails(series: pd.Series) -> np.ndarray:
        parsed = parser(series)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        texts = [str(u) for u in uniques.tolist()]
        for text in texts:
            if text not in outcomes:
                outcomes[text] = pattern.check(text)
        bad_u = np.array([outcomes[t] is Outcome.MISMATCH for t in texts], dtype=bool)
        bad = np.zeros(len(series), dtype=bool)
        bad[codes >= 0] = bad_u[codes[codes >= 0]]
        bad &= parsed.ok
        for code, text in enumerate(texts):  # a timeout is reported once: at its first cell
            if outcomes[text] is Outcome.TIMEOUT:
                first = np.flatnonzero((codes == code) & parsed.ok)[:1]
                bad[first] = True
        return bad

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
    return [ruled_check("constraint-pattern", rule, pattern_fails)]


def column_checks(field: dict[str, Any], parser: ColumnParser) -> list[RuledCheck]:
    """The type check and one check per constraint of one field."""
    constraints = field.get("constraints") if isinstance(field.get("constraints"), dict) else {}
    assert isinstance(constraints, dict)
    ftype = str(field.get("type") or "string")
    checks: list[RuledCheck] = []
    label = _type_label(field)

    if parser.parse is not None and ftype in CHECKED_TYPES:
        checks.append(
            ruled_check(
                "type-error",
                Rule(
                    "type-error",
                    lambda f: f"{_quote(f.value)} is not a valid {label} for column {f.column!r}.",
                ),
                lambda s: (lambda p: p.present & ~p.ok)(parser(s)),
            )
        )

    if constraints.get("required") is True:
        checks.append(
            ruled_check(
                "constraint-required",
                Rule(
                    "constraint-required",
                    lambda f: f"Column {f.column!r} must not be empty.",
                ),
                lambda s: ~parser(s).present,
            )
        )

    if constraints.get("unique") is True:

        def duplicated(series: pd.Series) -> np.ndarray:
            parsed = parser(series)
            keys = pd.Series(parsed.values[parsed.ok])
            bad = np.zeros(len(series), dtype=bool)
            bad[np.flatnonzero(parsed.ok)] = keys.duplicated(keep="first").to_numpy()
            return bad

        checks.append(
            ruled_check(
                "unique-error",
                Rule(
                    "unique-error",
                    lambda f: (
                        f"{_quote(f.value)} in column {f.column!r} must be unique: it repeats an "
                        "earlier row."
                    ),
                ),
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

            def length_fails(series: pd.Series, key: str = key, limit: int = limit) -> np.ndarray:
                parsed = parser(series)
                lengths = series.str.len().to_numpy(dtype=float, na_value=np.nan)
                wrong = lengths < limit if key == "minLength" else lengths > limit
                return parsed.ok & wrong

            checks.append(
                ruled_check(
                    check_id,
                    Rule(
                        check_id,
                        _message(f"is {words} than the {limit} characters allowed."),
                    ),
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

        def enum_fails(series: pd.Series) -> np.ndarray:
            parsed = parser(series)
            out = np.zeros(len(series), dtype=bool)
            for index in np.flatnonzero(parsed.ok):
                out[index] = parsed.values[index] not in allowed
            return out

        shown_enum = ", ".join(str(v) for v in enum)
        checks.append(
            ruled_check(
                "constraint-enum",
                Rule(
                    "constraint-enum",
                    lambda f: (
                        f"{_quote(f.value)} in column {f.column!r} is not one of the allowed "
                        f"values ({shown_enum})."
                    ),
                ),
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

    def fails(frame: pd.DataFrame) -> np.ndarray:
        if any(n not in frame.columns for n in names):
            return np.zeros(len(frame), dtype=bool)
        keys: dict[str, Any] = {}
        missing = np.zeros(len(frame), dtype=bool)
        for n in names:
            parsed = parsers[n](frame[n])
            missing |= ~parsed.present
            # a cell that does not parse still takes part in the key as its text
            values = parsed.values.copy()
            raw = frame[n].to_numpy(dtype=object, na_value=None)
            for index in np.flatnonzero(~parsed.ok):
                values[index] = ("text", raw[index])
            keys[n] = values
        repeated = pd.DataFrame(keys).duplicated(keep="first").to_numpy()
        return missing | repeated

    def message(f: Failure) -> str:
        empty = [n for n in names if f.row(n) is None]
        if empty:
            return f"This row's key is incomplete: {', '.join(empty)} is empty."
        shown = ", ".join(f"{f.row(n)!r}" for n in names)
        return f"This row's key ({shown}) repeats an earlier row's key."

    return frame_check("primary-key", Rule("primary-key", message, column=names[0]), fails)


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
