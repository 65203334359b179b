"""Suggestions for the three mistakes people who edit in spreadsheets make most.

- A reference that is almost an existing id (`norrbotten`, `Västra Götaland`): "did you mean
  'norrbottens-lan'?", found by edit distance after folding case and accents, so a Swedish
  letter typed as itself or without its ring is still a near miss.
- A date in a local form (`05/09/2018`, `5 september 2018`): the ISO form it probably means,
  read day first as Swedish (and most European) writing does.
- A code a spreadsheet read as a number and stripped of its leading zeros (`180` for `0180`).

Each suggestion is a pure function of the value (and, for ids, the ids that exist), so every
layer's finding about the same cell gets the same words; `suggest_for` applies them to findings
after all layers ran.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date

from clusterdata.core.findings import Finding
from clusterdata.core.package import DataPackage, Resource
from clusterdata.tableschema.model import Field

#: Ids compared per reference at most; past this a table is too large to search by distance.
MAX_CANDIDATES = 50_000
#: Distinct missing ids looked up per run at most: a file with thousands of bad references has
#: a systematic problem that suggestions would not help with, and each look-up costs a scan.
MAX_LOOKUPS = 200
#: A prefix must be this long before "norrbotten" may suggest "norrbottens-lan".
MIN_PREFIX = 4


def fold(text: str) -> str:
    """Case- and accent-folded: "Västra Götaland" → "vastra gotaland"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def slug(text: str) -> str:
    """Folded, with every run of other characters as one hyphen: the shape of an id."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


class IdIndex:
    """The ids of one referenced field, folded once, to search by edit distance.

    The distances are computed by rapidfuzz (C++): a pure-Python Levenshtein over 10,000 ids,
    for each of a few dozen dangling references, took most of a validation's time
    (bench/results.md).
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = list(ids)
        self.exact = set(self.ids)
        self.slugs = [slug(candidate) for candidate in self.ids]
        self._prefixes: dict[int, tuple[list[str], list[int]]] = {}

    def prefixes(self, length: int) -> tuple[list[str], list[int]]:
        """The first `length` characters of every longer id, and whose they are."""
        if length not in self._prefixes:
            owners = [i for i, folded in enumerate(self.slugs) if len(folded) > length]
            self._prefixes[length] = ([self.slugs[i][:length] for i in owners], owners)
        return self._prefixes[length]


def closest_ids(value: str, candidates: Iterable[str] | IdIndex, *, most: int = 3) -> list[str]:
    """The existing ids nearest to `value`, best first; empty when none is near enough.

    Near enough: at most one edit per four characters (at least one), counted after folding.
    An id may also be near by its beginning, one edit dearer: `norrbotten` for
    `norrbottens-lan`, an id with a suffix such as `-lan` or `-kommun` left off.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    index = candidates if isinstance(candidates, IdIndex) else IdIndex(candidates)
    wanted = slug(value)
    if not wanted or value in index.exact:
        return []
    limit = max(1, len(wanted) // 4)
    scores: dict[int, int] = {}
    for _, score, i in process.extract(
        wanted, index.slugs, scorer=Levenshtein.distance, score_cutoff=limit, limit=None
    ):
        scores[i] = int(score)
    if len(wanted) >= MIN_PREFIX:
        prefixes, owners = index.prefixes(len(wanted))
        for _, score, j in process.extract(
            wanted, prefixes, scorer=Levenshtein.distance, score_cutoff=limit - 1, limit=None
        ):
            owner = owners[j]
            scores[owner] = min(scores.get(owner, limit + 1), int(score) + 1)
    if not scores:
        return []
    scored = sorted((score, index.ids[i]) for i, score in scores.items())
    best = scored[0][0]
    return [c for s, c in scored if s == best][:most]


def did_you_mean(options: list[str]) -> str:
    shown = " or ".join(repr(o) for o in options)
    return f"Did you mean {shown}?"


# --- dates -----------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "feb"),
            ("mars", "march", "mar"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("augusti", "august", "aug"),
            ("september", "sept", "sep"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[./](\d{1,2})(?:[./](\d{1,2}))?")
_WORDED = re.compile(r"(?:den\s+)?(?:(\d{1,2})(?:st|nd|rd|th|e|a)?\.?\s+)?([a-z]+)\.?,?\s+(\d{4})")


def _iso(year: int, month: int, day: int | None) -> str | None:
    try:
        if day is None:
            date(year, month, 1)
            return f"{year:04d}-{month:02d}"
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def iso_date(text: str) -> str | None:
    """The ISO 8601 date a local form probably means, or None.

    `05/09/2018` and `5.9.2018` are read day first (2018-09-05), as Swedish writes them;
    `5 september 2018`, `den 5 sept. 2018` and `september 2018` (→ 2018-09) are read in Swedish
    or English; `2018/09/05` is already year first.
    """
    value = fold(text.strip())
    if match := _NUMERIC_DATE.fullmatch(value):
        day, month, year = (int(g) for g in match.groups())
        return _iso(year, month, day)
    if match := _YEAR_FIRST.fullmatch(value):
        year, month = int(match.group(1)), int(match.group(2))
        return _iso(year, month, int(match.group(3)) if match.group(3) else None)
    if match := _WORDED.fullmatch(value):
        month_number = _MONTHS.get(match.group(2))
        if month_number is None:
            return None
        return _iso(
            int(match.group(3)), month_number, int(match.group(1)) if match.group(1) else None
        )
    return None


def date_hint(text: str) -> str | None:
    found = iso_date(text)
    if found is None:
        return None
    return (
        f"Did you mean {found}? Dates are written year-month-day ({found}); "
        "a spreadsheet may have turned the date into its local form."
    )


# --- codes that lost their leading zeros -----------------------------------------------------


def restored_code(text: str, width: int, valid: Callable[[str], bool] | None = None) -> str | None:
    """`text` with the leading zeros a spreadsheet dropped, when that makes a valid code."""
    if not text.isdigit() or len(text) >= width:
        return None
    padded = text.zfill(width)
    if valid is not None and not valid(padded):
        return None
    return padded


def leading_zero_hint(text: str, padded: str) -> str:
    return (
        f"Did you mean {padded!r}? A spreadsheet reads {padded!r} as the number {text} and drops "
        "the leading zero. Write the code with its zero and save again; to keep it, format the "
        "column as Text before typing (in Excel: select the column, Format Cells → Text), or "
        "edit the file in GitHub's web editor instead."
    )


# --- applying them to findings ---------------------------------------------------------------

_FIXED_DIGITS = re.compile(r"\^(?:\[0-9\]|\\d)\{(\d+)\}\$")
#: A pattern for partial ISO dates: four digits, then an optional "-MM…" part.
_ISO_DATE_PATTERN = re.compile(r"^\^(?:\[0-9\]|\\d)\{4\}\(-")
_DATE_TYPES = {"date", "yearmonth", "datetime"}
_VALUE_CHECKS = {"type-error", "constraint-pattern", "se-county-code", "se-municipality-code"}


class _Ids:
    """The key values of referenced tables, read once per table and field."""

    def __init__(self, package: DataPackage) -> None:
        self.package = package
        self.cache: dict[tuple[str, str], IdIndex | None] = {}

    def values(self, resource_name: str, field_name: str) -> IdIndex | None:
        key = (resource_name, field_name)
        if key not in self.cache:
            self.cache[key] = self._read(resource_name, field_name)
        return self.cache[key]

    def _read(self, resource_name: str, field_name: str) -> IdIndex | None:
        from clusterdata.authoring.csvtable import FormatRefused, normalize_cell, read_table

        resource = next((r for r in self.package.resources if r.name == resource_name), None)
        if resource is None:
            return None
        try:
            raw = resource.file.read_bytes()
            if raw.count(b"\n") > MAX_CANDIDATES:  # too many ids to search; not worth a parse
                return None
            table = read_table(resource, raw)
        except (FormatRefused, OSError):
            return None
        header = [normalize_cell(c) for c in table.header]
        if field_name not in header or len(table.rows) > MAX_CANDIDATES:
            return None
        index = header.index(field_name)
        return IdIndex(
            sorted({normalize_cell(r[index]) for r in table.rows if len(r) > index} - {""})
        )


def _reference(resource: Resource, column: str | None) -> tuple[str, str] | None:
    """The (table, field) a single-field foreign key on `column` points at."""
    for fk in resource.table_schema.foreign_keys:
        if fk.fields == (column,) and len(fk.reference.fields) == 1:
            return fk.reference.target(resource.name), fk.reference.fields[0]
    return None


def _value_hint(field: Field, check: str, value: str) -> str | None:
    """A date in a local form, or a code without its leading zeros."""
    pattern = field.constraints.pattern or ""
    if field.type in _DATE_TYPES or _ISO_DATE_PATTERN.match(pattern):
        return date_hint(value)
    domain = field.descriptor.get("x-domain")
    if domain in {"se-county-code", "se-municipality-code"}:
        from clusterdata.validation.rules.domain import bad_county_code, bad_municipality_code

        width, bad = (
            (2, bad_county_code) if domain == "se-county-code" else (4, bad_municipality_code)
        )
        padded = restored_code(value, width, lambda code: not bad(code))
        return leading_zero_hint(value, padded) if padded else None
    if match := _FIXED_DIGITS.fullmatch(pattern):
        padded = restored_code(value, int(match.group(1)))
        return leading_zero_hint(value, padded) if padded else None
    return None


def suggest_for(findings: list[Finding], package: DataPackage) -> list[Finding]:
    """The findings with a suggestion put first in the hint where one applies."""
    resources = {r.name: r for r in package.resources}
    ids = _Ids(package)
    looked_up: dict[tuple[str, str, str], list[str]] = {}
    out = []
    for finding in findings:
        resource = resources.get(finding.resource or "")
        suggestion = None
        if resource is not None and finding.value and finding.column:
            if finding.check == "foreign-key":
                reference = _reference(resource, finding.column)
                key = (*reference, finding.value) if reference else None
                if key is not None and key not in looked_up and len(looked_up) < MAX_LOOKUPS:
                    values = ids.values(*key[:2])
                    looked_up[key] = (
                        closest_ids(finding.value, values) if values is not None else []
                    )
                options = looked_up.get(key, []) if key is not None else []
                suggestion = did_you_mean(options) if options else None
            elif finding.check in _VALUE_CHECKS:
                field = resource.table_schema.field(finding.column)
                if field is not None:
                    suggestion = _value_hint(field, finding.check, finding.value)
        if suggestion and not (finding.hint or "").startswith(suggestion):
            hint = f"{suggestion} {finding.hint}" if finding.hint else suggestion
            finding = replace(finding, hint=hint)
        out.append(finding)
    return out
