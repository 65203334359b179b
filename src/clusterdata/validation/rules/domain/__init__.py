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

The predicates live by theme (`text`, `codes`, `dates`, shared `vectors`); this module wires
them to fields. The wiring looks the predicates up here when it runs, so a test can replace one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clusterdata.core.findings import Severity
from clusterdata.core.lazy import lazy_module
from clusterdata.tableschema.model import Field
from clusterdata.validation.rules.domain.codes import (
    PLAIN_URL,
    bad_county_code,
    bad_municipality_code,
    bad_nuts,
    bad_orgnr,
    bad_url,
    iso_3166_codes,
    nuts_countries,
    se_county_codes,
    url_fails,
)
from clusterdata.validation.rules.domain.dates import (
    RowRule,
    date_order_fails,
    date_order_sql,
    frame_checks,
    row_rules,
)
from clusterdata.validation.rules.domain.text import (
    TEXT_CHECKS,
    TRIGGER,
    TextScan,
    has_personnummer,
    has_phone,
    looks_like_formula,
    text_flags,
)
from clusterdata.validation.rules.domain.vectors import by_distinct
from clusterdata.validation.rules.schema_rules import Rule, RuledCheck, ruled_check

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:  # imported when a frame is really checked (see `lazy`)
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "PLAIN_URL",
    "TEXT_CHECKS",
    "TRIGGER",
    "DomainCheck",
    "RowRule",
    "TextScan",
    "bad_county_code",
    "bad_municipality_code",
    "bad_nuts",
    "bad_orgnr",
    "bad_url",
    "by_distinct",
    "column_checks",
    "date_order_fails",
    "date_order_sql",
    "domain_checks",
    "frame_checks",
    "has_personnummer",
    "has_phone",
    "iso_3166_codes",
    "looks_like_formula",
    "nuts_countries",
    "row_rules",
    "se_county_codes",
    "text_flags",
    "url_fails",
]

TEXT_TYPES = {"string", "any"}
FORMAT_HINT = "Run `clusterdata format` to fix this in every file, or retype the cell."


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


def domain_checks(field: Field) -> list[DomainCheck]:
    """The domain checks for one field, chosen by its type, `format` and `x-domain`."""
    ftype = field.type
    domain = field.descriptor.get("x-domain")
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
        if field.format != "email":
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
    if field.format == "uri":
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


def column_checks(field: Field) -> list[RuledCheck]:
    """The domain checks for one field as pandera checks (the pandas engine).

    The text checks of a column run as one composite pandera check ("text"): they share one
    scan anyway, and pandera's fixed cost per check, paid once per text check, was a large share
    of validating the bundled package. A failing cell still becomes one finding per text check it
    fails.
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
