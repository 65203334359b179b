"""Text hygiene and personal data: NFC, edge whitespace, formula injection, e-mail, phone and
personal identity numbers, all decided per cell by `text_flags` after one regex pre-filter."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from clusterdata.core.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:  # imported when a frame is really checked (see `lazy`)
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
from clusterdata.validation.rules.domain.vectors import _contains

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
