"""Domain checks Table Schema cannot express, driven by the schema (never by table names).

Every text cell: Unicode NFC, no stray whitespace, no spreadsheet-formula injection, no personal
data. Fields marked `x-domain` (iso-3166-2, se-orgnr, se-county-code, se-municipality-code, nuts)
or `format: uri` get the check for their kind of code; a schema's `x-checks` list declares row
rules between fields (`date-order`). Code lists come from libraries that maintain them
(pycountry, python-stdnum), never from lists typed in here.

Each check is declared once (`DomainCheck`: the finding it becomes, and how to decide one cell)
and runs on either engine of layer 2 with the same meaning: as a pandera check (`column_checks`,
built with `ruled_check`, run lazily with the Table Schema checks) on tables read into pandas,
or in DuckDB (`frames.check_table_in_duckdb`) on tables layer 1 already loaded there. Both
engines pre-filter with the same regular expressions (`candidates` / `plain`, written so that
Python's `re`, pyarrow's and DuckDB's RE2 read them alike) and decide the few remaining distinct
values with the same Python predicate (`bad`), so every failing cell becomes the same finding.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from clusterdata.core.findings import Severity
from clusterdata.core.lazy import lazy_module
from clusterdata.validation.rules.schema_rules import (
    Failure,
    Rule,
    RuledCheck,
    fields_of,
    frame_check,
    ruled_check,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:  # imported when a frame is really checked (see `lazy`)
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

TEXT_TYPES = {"string", "any"}
FORMAT_HINT = "Run `clusterdata format` to fix this in every file, or retype the cell."


# --- vectorised helpers ----------------------------------------------------------------------


def by_distinct(series: pd.Series, bad: Any) -> np.ndarray:
    """Apply `bad(text) -> bool` once per distinct present value; missing cells never fail."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if not len(uniques):
        return np.zeros(len(series), dtype=bool)
    texts = uniques.tolist()  # iterating an Arrow-backed array item by item is slow
    bad_u = np.fromiter((bool(bad(str(u))) for u in texts), dtype=bool, count=len(texts))
    out = np.zeros(len(series), dtype=bool)
    present = codes >= 0
    out[present] = bad_u[codes[present]]
    return out


def _text(series: pd.Series) -> pd.Series:
    """The column as pandas strings, whatever dtype it arrived with."""
    return series if isinstance(series.dtype, pd.StringDtype) else series.astype("str")


def _contains(series: pd.Series, pattern: str) -> np.ndarray:
    hits = _text(series).str.contains(pattern, regex=True)
    return hits.fillna(False).to_numpy(dtype=bool)


# --- text hygiene and personal data ----------------------------------------------------------

#: Every character below U+0300 is NFC-stable with combining class 0 (checked by a test over
#: all pairs), so only a cell holding a character from U+0300 on can fail NFC; Swedish letters
#: (å ä ö é) lie below.
BEYOND_NFC_STABLE = "[^\x00-\u02ff]"
#: The whitespace below U+0300 that `str.strip` removes (the rest lies beyond U+0300).
EDGE_SPACE = "[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0]"
#: Two or more spaces, tabs or no-break spaces in a row (line breaks inside a cell are
#: paragraphs, not defects).
DOUBLED = "[ \t\u00a0]{2,}"
_DOUBLED = re.compile(DOUBLED)


#: After the leading = + - @: what makes a spreadsheet run the cell as a formula rather than
#: show it as text: a function call `NAME(`, a cell reference used as an operand (`A1`, `$B$2`,
#: `A1:B9`) with nothing or an operator after it, a DDE link `cmd|`, or a second operator.
_FORMULA_REST = re.compile(
    r"""\s*(?:
        [A-Za-z_][A-Za-z0-9_.]*\(                                   # SUM(  HYPERLINK(
      | \$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?\s*(?:$|[-+*/^&=<>,;)])
      | [A-Za-z0-9_.]*\|                                             # cmd|' /C calc'!A0
      | [=@]
    )""",
    re.VERBOSE,
)


def looks_like_formula(text: str) -> bool:
    """`=` followed by anything runs as a formula; `+ - @` only when formula-like text follows,
    so a negative number (-12), a phone number (+46 …) or a dash-led list item (- bättre
    mekanismer) is text, while -SUM(A1), +A1*2 and @cmd|… are not."""
    if not text:
        return False
    lead, rest = text[0], text[1:]
    if lead == "=":
        return bool(rest.strip())
    if lead in "+-@":
        return _FORMULA_REST.match(rest) is not None
    return False


EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
#: Swedish phone numbers as written: +46 / 0046 and the number without its leading 0, or a
#: national number 0X… with an area code of 1–3 more digits, a separator, and 5–8 digits in
#: groups (070-618 77 51, 08-123 456 78, 0480-123 45), or a 10-digit mobile number 07XXXXXXXX.
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)46[\s-]?\(?0?\)?[\s-]?[1-9][0-9]{0,2}(?:[\s-]?[0-9]{2,4}){2,4}"
    r"|0[1-9][0-9]{0,2}[\s/-]{1,3}[0-9]{2,4}(?:[\s-]?[0-9]{2,4}){0,3}"
    r"|07[02369][0-9]{7}"
    r")(?![\w])"
)
#: Personal identity numbers: YYMMDD or YYYYMMDD, an optional - or +, four digits.
PERSONNUMMER = re.compile(r"(?<![\d-])((?:\d{2})?\d{6})([-+]?)(\d{4})(?![\d-])")


def _phone_digits_ok(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    if digits.startswith("0046"):
        digits = "0" + digits[4:].removeprefix("0")
    elif digits.startswith("46") and match.lstrip().startswith("+"):
        digits = "0" + digits[2:].removeprefix("0")
    return 8 <= len(digits) <= 10


def has_phone(text: str) -> bool:
    return any(_phone_digits_ok(m.group(0)) for m in PHONE.finditer(text))


def is_orgnr_shaped(digits: str) -> bool:
    """Organisation numbers have digits 3–4 ≥ 20 (no month); 12-digit forms carry prefix 16."""
    core = digits[2:] if len(digits) == 12 else digits
    return len(core) == 10 and int(core[2:4]) >= 20


def has_personnummer(text: str) -> bool:
    from stdnum.se import personnummer

    for match in PERSONNUMMER.finditer(text):
        digits = match.group(1) + match.group(3)
        if is_orgnr_shaped(digits):
            continue
        if personnummer.is_valid(match.group(0)):
            return True
    return False


#: The text checks, in the order of `text_flags`; pandera check name → position.
TEXT_CHECKS = (
    "unicode-nfc",
    "whitespace",
    "whitespace-doubled",
    "formula-injection",
    "personal-data-email",
    "personal-data-phone",
    "personal-data-personnummer",
)


@functools.lru_cache(maxsize=65536)
def text_flags(text: str) -> tuple[bool, ...]:
    """Every text check on one cell, in the order of `TEXT_CHECKS` (cached: the checks of a
    cell ask in turn)."""
    edge = text != text.strip()
    return (
        not unicodedata.is_normalized("NFC", text),
        edge,
        not edge and _DOUBLED.search(text) is not None,  # one finding per cell: edge wins
        looks_like_formula(text),
        EMAIL.search(text) is not None,
        has_phone(text),
        has_personnummer(text),
    )


#: A cell that matches none of these passes every text check, so one vectorised regex pass
#: per column picks the few cells that need the per-cell checks above.
TRIGGER = "|".join(
    [
        BEYOND_NFC_STABLE,
        f"^{EDGE_SPACE}",
        f"{EDGE_SPACE}$",
        DOUBLED,
        r"^[=+\-@]",
        "@",
        "[0-9][0-9 \t\n\r\u00a0()/-]{6,}[0-9]",
        "[0-9]{6}[-+]?[0-9]{4}",
    ]
)


class TextScan:
    """Runs all text checks of a column in one pass and shares the result between the pandera
    checks (one per finding kind) that read it."""

    def __init__(self) -> None:
        self._source: pd.Series | None = None
        self._flags: np.ndarray | None = None

    def __call__(self, series: pd.Series) -> np.ndarray:
        if (
            self._flags is not None
            and self._source is not None
            and (self._source is series or self._source.equals(series))
        ):
            return self._flags
        flags = np.zeros((len(series), len(TEXT_CHECKS)), dtype=bool)
        candidates = np.flatnonzero(_contains(series, TRIGGER))
        if len(candidates):
            codes, uniques = pd.factorize(series.iloc[candidates], use_na_sentinel=True)
            texts = uniques.tolist()
            per_value = np.array([text_flags(str(t)) for t in texts], dtype=bool).reshape(
                len(texts), len(TEXT_CHECKS)
            )
            present = codes >= 0
            flags[candidates[present]] = per_value[codes[present]]
        self._source, self._flags = series, flags
        return flags

    def check(self, name: str) -> Any:
        position = TEXT_CHECKS.index(name)

        def fails(series: pd.Series) -> np.ndarray:
            return self(series)[:, position]

        return fails


# --- codes -----------------------------------------------------------------------------------


@functools.cache
def _iso_3166(part: str) -> tuple[dict[str, str], ...]:
    """pycountry's table of ISO 3166-`part` ("1" or "2"), read from its own data file.

    Why not `pycountry.subdivisions`: importing pycountry and indexing its ~5,000 subdivisions
    costs ~0.1 s, a tenth of validating the bundled package; its data file, found without
    importing the package, parses in ~7 ms. tests/unit/validate/test_domain_checks.py holds the code sets
    equal to the ones pycountry's API gives.
    """
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pycountry is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "databases"
    with (folder / f"iso3166-{part}.json").open("rb") as handle:
        return tuple(json.load(handle)[f"3166-{part}"])


@functools.cache
def _alpha_2() -> frozenset[str]:
    return frozenset(c["alpha_2"] for c in _iso_3166("1"))


@functools.cache
def iso_3166_codes() -> frozenset[str]:
    """Every ISO 3166-2 subdivision code, plus ISO 3166-1 alpha-2 for country-level rows."""
    return frozenset({s["code"] for s in _iso_3166("2")} | _alpha_2())


@functools.cache
def se_county_codes() -> frozenset[str]:
    """Two-digit county codes, read from pycountry's names ("Värmlands län [SE-17]")."""
    codes = set()
    for subdivision in _iso_3166("2"):
        if not subdivision["code"].startswith("SE-"):
            continue
        match = re.search(r"\[SE-(\d{2})\]", subdivision["name"])
        if match:
            codes.add(match.group(1))
    return frozenset(codes)


@functools.cache
def nuts_countries() -> frozenset[str]:
    """NUTS country parts: ISO alpha-2, except Greece (EL) and the United Kingdom (UK)."""
    return _alpha_2() | {"EL", "UK"}


def bad_orgnr(text: str) -> bool:
    from stdnum.se import orgnr, personnummer

    if re.fullmatch(r"\d{6}-\d{4}", text) is None:
        return True
    digits = text.replace("-", "")
    if int(digits[2:4]) < 20 or personnummer.is_valid(text):
        return True
    return not orgnr.is_valid(text)


def bad_nuts(text: str) -> bool:
    """NUTS: a country part (two letters) and 1–3 level characters, one per level
    (SE3, SE31, SE311); Extra-Regio codes (SEZ, SEZZ, SEZZZ) name no territory."""
    match = re.fullmatch(r"([A-Z]{2})([0-9A-Z]{1,3})", text)
    if match is None or match.group(1) not in nuts_countries():
        return True
    return set(match.group(2)) == {"Z"}


#: Well-formed beyond doubt (ASCII host, short port, no spaces): skips the slow path.
PLAIN_URL = r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]{1,4})?(?:[/?#][^ \t\r\n]*)?"


def url_fails(series: pd.Series) -> np.ndarray:
    plain = _text(series).str.fullmatch(PLAIN_URL).fillna(False).to_numpy(dtype=bool)
    candidates = series.notna().to_numpy() & ~plain
    out = np.zeros(len(series), dtype=bool)
    if candidates.any():
        index = np.flatnonzero(candidates)
        out[index] = by_distinct(series.iloc[index], bad_url)
    return out


def bad_url(text: str) -> bool:
    if text != text.strip() or any(c.isspace() for c in text):
        return True
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return True
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or not host:
        return True
    return re.fullmatch(r"[^\s/?#@:\[\]]+(?:\.[^\s/?#@:\[\]]+)*", host) is None or host.startswith(
        "."
    )


def bad_county_code(text: str) -> bool:
    return text not in se_county_codes()


@functools.cache
def se_municipality_codes() -> frozenset[str]:
    """SCB's 290 municipality codes; no library ships them, so the package carries SCB's list
    (`reference/se_municipalities.tsv`, whose header cites it)."""
    from importlib.resources import files

    text = files("clusterdata").joinpath("reference/se_municipalities.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return frozenset(row[0] for row in rows[1:])


def bad_municipality_code(text: str) -> bool:
    """Not one of SCB's municipality codes: a well-formed code in the right county (2548 for
    Kiruna, whose code is 2584) is as wrong as a malformed one."""
    return text not in se_municipality_codes()


# --- wiring ----------------------------------------------------------------------------------


def _q(value: str | None) -> str:
    return "an empty cell" if value is None else repr(value)


@dataclass(frozen=True)
class DomainCheck:
    """One domain check of one field, for either engine of layer 2.

    `fails` decides a whole pandas column (pandera); DuckDB selects the distinct present cells a
    pre-filter lets through and `bad` decides each. A cell the pre-filter stops passes.
    """

    #: The pandera check name, unique within the column.
    name: str
    rule: Rule
    #: Whether one present cell fails.
    bad: Callable[[str], bool]
    #: Vectorised form of the same decision over a pandas column (missing cells never fail).
    fails: Callable[[pd.Series], np.ndarray]
    #: A regex every failing cell matches somewhere (a search), or
    candidates: str | None = None
    #: a regex that every cell it matches in full passes; with neither, every distinct value
    #: is decided by `bad`.
    plain: str | None = None


def _codes(name: str, rule: Rule, bad: Callable[[str], bool]) -> DomainCheck:
    return DomainCheck(name, rule, bad, lambda s: by_distinct(s, bad))


def domain_checks(field: dict[str, Any]) -> list[DomainCheck]:
    """The domain checks for one field, chosen by its type, `format` and `x-domain`."""
    ftype = str(field.get("type") or "string")
    domain = field.get("x-domain")
    checks: list[DomainCheck] = []
    if ftype in TEXT_TYPES:
        scan = TextScan()

        def text_check(name: str, rule: Rule) -> DomainCheck:
            position = TEXT_CHECKS.index(name)
            return DomainCheck(
                name, rule, lambda t: text_flags(t)[position], scan.check(name), candidates=TRIGGER
            )

        checks.append(
            text_check(
                "unicode-nfc",
                Rule(
                    "unicode-nfc",
                    lambda f: (
                        f"The text in column {f.column!r} holds a decomposed character (a letter "
                        "and a separate accent mark, not Unicode NFC): it looks right but breaks searching, "
                        "sorting and joins."
                    ),
                    hint="Retype the accented letter (å, ä, ö, é …) in this cell, or run "
                    "`clusterdata format`, which rewrites all text as NFC.",
                ),
            )
        )
        checks.append(
            text_check(
                "whitespace",
                Rule(
                    "whitespace",
                    lambda f: f"The text in column {f.column!r} starts or ends with whitespace.",
                    hint="Delete the spaces (or tabs, line breaks) before the first and after the last "
                    "character. " + FORMAT_HINT,
                ),
            )
        )
        # A warning: doubled spaces inside prose are untidy, but unlike edge whitespace they
        # do not make two equal ids or names differ at their ends, which is what breaks joins.
        checks.append(
            text_check(
                "whitespace-doubled",
                Rule(
                    "whitespace",
                    lambda f: f"The text in column {f.column!r} has two or more spaces in a row.",
                    severity=Severity.WARNING,
                    hint="Replace the repeated spaces with one space. " + FORMAT_HINT,
                ),
            )
        )
        checks.append(
            text_check(
                "formula-injection",
                Rule(
                    "formula-injection",
                    lambda f: (
                        f"The text in column {f.column!r} starts like a spreadsheet formula; "
                        "opened in Excel or LibreOffice it could run as one."
                    ),
                    hint="Reword the cell so it does not start with =, +, - or @ (for example start "
                    "with a word), or remove the formula.",
                ),
            )
        )
        if field.get("format") != "email":
            checks.append(
                text_check(
                    "personal-data-email",
                    Rule(
                        "personal-data",
                        lambda f: (
                            f"Column {f.column!r} holds an e-mail address, which may be personal "
                            "data; the dataset publishes none."
                        ),
                        hint="Remove the e-mail address; link to the organisation's website instead.",
                    ),
                )
            )
        checks.append(
            text_check(
                "personal-data-phone",
                Rule(
                    "personal-data",
                    lambda f: (
                        f"Column {f.column!r} holds a phone number, which may be personal data; "
                        "the dataset publishes none."
                    ),
                    hint="Remove the phone number; link to the organisation's website instead.",
                ),
            )
        )
        if domain != "se-orgnr":  # that check names a personal number itself
            checks.append(
                text_check(
                    "personal-data-personnummer",
                    Rule(
                        "personal-data",
                        lambda f: (
                            f"Column {f.column!r} holds a Swedish personal identity number "
                            "(personnummer), which is personal data and must not be published."
                        ),
                        hint="Remove the personal identity number from this cell.",
                    ),
                )
            )
    if field.get("format") == "uri":
        checks.append(
            DomainCheck(
                "url",
                Rule(
                    "url",
                    lambda f: (
                        f"{_q(f.value)} in column {f.column!r} is not a web address "
                        "(http:// or https:// followed by a host name)."
                    ),
                    hint="Write the full address as the browser shows it, such as "
                    "https://www.example.se/page.",
                ),
                lambda t: bad_url(t),
                url_fails,
                plain=PLAIN_URL,
            )
        )
    # The lambdas look the predicates up when called, so a test can replace one.
    if domain == "iso-3166-2":
        codes = iso_3166_codes()
        checks.append(
            _codes(
                "iso-3166-2",
                Rule(
                    "iso-3166-2",
                    lambda f: f"{_q(f.value)} in column {f.column!r} is not an ISO 3166-2 code.",
                    hint="Use the code as ISO 3166-2 lists it, such as SE-S for Värmlands län or SE "
                    "for the whole country (capital letters, a hyphen after the country).",
                ),
                lambda t: t not in codes,
            )
        )
    elif domain == "se-orgnr":
        checks.append(
            _codes(
                "se-orgnr",
                Rule(
                    "se-orgnr",
                    lambda f: (
                        f"{_q(f.value)} in column {f.column!r} is not a valid Swedish "
                        "organisation number."
                    ),
                    hint="Write the number as NNNNNN-NNNN exactly as Bolagsverket lists it (digits 3–4 "
                    "are 20 or more, the last digit is a check digit). A sole trader's number is a "
                    "personal identity number and must not be published.",
                ),
                lambda t: bad_orgnr(t),
            )
        )
    elif domain == "nuts":
        checks.append(
            _codes(
                "nuts",
                Rule(
                    "nuts",
                    lambda f: f"{_q(f.value)} in column {f.column!r} is not a NUTS region code.",
                    hint="Use a NUTS code: the country (SE) and one character per level, such as "
                    "SE3, SE31 or SE311; Extra-Regio codes (SEZZ) are not regions.",
                ),
                lambda t: bad_nuts(t),
            )
        )
    elif domain == "se-county-code":
        checks.append(
            _codes(
                "se-county-code",
                Rule(
                    "se-county-code",
                    lambda f: f"{_q(f.value)} in column {f.column!r} is not a Swedish county code.",
                    hint="Use the county's two-digit code, such as 17 for Värmlands län: "
                    + ", ".join(sorted(se_county_codes()))
                    + ".",
                ),
                lambda t: bad_county_code(t),
            )
        )
    elif domain == "se-municipality-code":
        checks.append(
            _codes(
                "se-municipality-code",
                Rule(
                    "se-municipality-code",
                    lambda f: (
                        f"{_q(f.value)} in column {f.column!r} is not a Swedish municipality code."
                    ),
                    hint="Use the municipality's code in SCB's list of the 290 municipalities (such "
                    "as 1780 for Karlstad; the first two digits are the county code).",
                ),
                lambda t: bad_municipality_code(t),
            )
        )
    return checks


def column_checks(field: dict[str, Any]) -> list[RuledCheck]:
    """The domain checks for one field as pandera checks (the pandas engine).

    The text checks of a column run as one composite pandera check ("text"): they share one
    scan anyway, and pandera's fixed cost per check (~0.3 ms) was a third of validating the
    bundled package. A failing cell still becomes one finding per text check it fails.
    """
    declared = domain_checks(field)
    text = [c for c in declared if c.candidates == TRIGGER and c.name in TEXT_CHECKS]
    checks = [ruled_check(c.name, c.rule, c.fails) for c in declared if c not in text]
    if text:
        scan = TextScan()
        positions = [TEXT_CHECKS.index(c.name) for c in text]

        def fails(series: pd.Series) -> np.ndarray:
            return np.asarray(scan(series)[:, positions].any(axis=1), dtype=bool)

        composite = Rule(
            "text", text[0].rule.message, parts=tuple((c.name, c.rule, c.bad) for c in text)
        )
        checks.insert(0, ruled_check("text", composite, fails))
    return checks


#: A partial ISO date at the start of a cell: its year, year-month or date ([0-9], not \d: the
#: same digits in Python, pyarrow and DuckDB).
_PARTIAL_DATE = r"^([0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)"


def date_order_fails(frame: pd.DataFrame, start: str, end: str) -> np.ndarray:
    """End before start, compared on the precision both share: 2019 vs 2019-05 compares years,
    2019-05 vs 2019-05-20 compares months. Cells that are no partial ISO date are left to the
    type checks. (`date_order_sql` is the same rule for DuckDB.)"""
    if start not in frame.columns or end not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    first = _text(frame[start]).str.extract(_PARTIAL_DATE, expand=False)
    last = _text(frame[end]).str.extract(_PARTIAL_DATE, expand=False)
    width = np.minimum(first.str.len(), last.str.len())
    out = np.zeros(len(frame), dtype=bool)
    for size in (4, 7, 10):
        rows = (width == size).fillna(False).to_numpy(dtype=bool)
        if rows.any():
            before = last[rows].str.slice(0, size) < first[rows].str.slice(0, size)
            out[rows] = before.fillna(False).to_numpy(dtype=bool)
    return out


def date_order_sql(start: str, end: str) -> str:
    """`date_order_fails` as a DuckDB condition on two text expressions (NULL = missing)."""
    pattern = _PARTIAL_DATE.replace("(?:", "(")
    first = f"regexp_extract({start}, '{pattern}', 1)"
    last = f"regexp_extract({end}, '{pattern}', 1)"
    width = f"least(length({first}), length({last}))"
    return f"coalesce({width} > 0 AND left({last}, {width}) < left({first}, {width}), FALSE)"


@dataclass(frozen=True)
class RowRule:
    """A rule between two fields of a row, declared in a schema's `x-checks`."""

    name: str
    rule: Rule
    start: str
    end: str
    #: Where the rule fails, over a pandas frame (pandera) …
    fails: Callable[[pd.DataFrame], np.ndarray]
    #: … and as a DuckDB condition on the two fields' text expressions.
    sql: Callable[[str, str], str]


def row_rules(schema: dict[str, Any]) -> tuple[list[RowRule], list[str]]:
    """Row rules from the schema's `x-checks`; also returns problems with their declaration."""
    names = {f["name"] for f in fields_of(schema)}
    declared = schema.get("x-checks")
    rules: list[RowRule] = []
    problems: list[str] = []
    if not isinstance(declared, list):
        return rules, problems
    for number, spec in enumerate(declared, start=1):
        if not isinstance(spec, dict) or spec.get("check") != "date-order":
            continue  # other x-checks belong to other layers
        start, end = spec.get("start"), spec.get("end")
        if not isinstance(start, str) or not isinstance(end, str) or not {start, end} <= names:
            problems.append(
                f"x-checks #{number} (date-order) must name two fields of this table as "
                f'"start" and "end"; it names {start!r} and {end!r}.'
            )
            continue
        rules.append(_date_order_rule(start, end))
    return rules, problems


def frame_checks(schema: dict[str, Any]) -> tuple[list[RuledCheck], list[str]]:
    """Row rules as pandera frame checks (the pandas engine), and declaration problems."""
    rules, problems = row_rules(schema)
    return [frame_check(r.name, r.rule, r.fails) for r in rules], problems


def _date_order_rule(start: str, end: str) -> RowRule:
    def message(f: Failure) -> str:
        return (
            f"The end date {f.row(end)!r} ({end}) is before the start date "
            f"{f.row(start)!r} ({start})."
        )

    def fails(frame: pd.DataFrame) -> np.ndarray:
        return date_order_fails(frame, start, end)

    return RowRule(
        f"date-order:{start}:{end}",
        Rule(
            "date-order",
            message,
            column=end,
            hint=f"Check both dates: {end} must be the same as or later than {start}. If only a "
            "year or month is known, write just that (2019 or 2019-05).",
        ),
        start,
        end,
        fails,
        date_order_sql,
    )
