"""A Table Schema `pattern` said in words, so a visitor never has to read a regular expression.

Patterns the dataset uses often get a sentence written for them; any other pattern is walked by
Python's own regular-expression parser and described piece by piece (character sets, repeats,
groups, alternatives). A construct with no wording (look-arounds, back-references) gives a
general sentence rather than the raw expression.
"""

from __future__ import annotations

import re
from typing import Any

#: Patterns worth a sentence of their own: (English, Swedish).
KNOWN: dict[str, tuple[str, str]] = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": (
        "lowercase letters a–z and digits, in groups joined by single hyphens "
        "(no hyphen first or last)",
        "gemena bokstäver a–z och siffror, i grupper åtskilda av enstaka bindestreck "
        "(inget bindestreck först eller sist)",
    ),
    "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$": (
        "a year (2018), a year and month (2018-05) or a full date (2018-05-31)",
        "ett år (2018), år och månad (2018-05) eller ett fullständigt datum (2018-05-31)",
    ),
    "^[0-9]{6}-[0-9]{4}$": (
        "six digits, a hyphen and four digits (a Swedish organisation number, 556000-0000)",
        "sex siffror, bindestreck och fyra siffror (ett svenskt organisationsnummer, 556000-0000)",
    ),
}

_WORDS = {
    "en": {
        "lower": "lowercase letters {a}–{b}",
        "upper": "capital letters {a}–{b}",
        "digit": "digits {a}–{b}",
        "range": "characters {a}–{b}",
        "char": "“{c}”",
        "any": "any character",
        "one": "one of {what}",
        "not": "any character except {what}",
        "or": " or ",
        "then": ", then ",
        "exactly": "exactly {n} × {what}",
        "between": "{a} to {b} × {what}",
        "at_least": "at least {a} × {what}",
        "one_or_more": "one or more of {what}",
        "any_number": "any number of {what}",
        "optional": "optionally {what}",
        "group": "({what})",
        "whole": "The whole value is {what}.",
        "contains": "The value contains {what}.",
        "opaque": "The value must follow a fixed format (see the data dictionary's description).",
        "space": "a space",
        "hyphen": "a hyphen “-”",
        "word": "letters, digits or “_”",
        "digits_cat": "digits",
        "spaces_cat": "white space",
    },
    "sv": {
        "lower": "gemena bokstäver {a}–{b}",
        "upper": "versaler {a}–{b}",
        "digit": "siffror {a}–{b}",
        "range": "tecken {a}–{b}",
        "char": "”{c}”",
        "any": "valfritt tecken",
        "one": "ett av {what}",
        "not": "valfritt tecken utom {what}",
        "or": " eller ",
        "then": ", sedan ",
        "exactly": "exakt {n} × {what}",
        "between": "{a} till {b} × {what}",
        "at_least": "minst {a} × {what}",
        "one_or_more": "ett eller flera av {what}",
        "any_number": "valfritt antal av {what}",
        "optional": "eventuellt {what}",
        "group": "({what})",
        "whole": "Hela värdet är {what}.",
        "contains": "Värdet innehåller {what}.",
        "opaque": "Värdet måste följa ett bestämt format (se beskrivningen i datakatalogen).",
        "space": "ett mellanslag",
        "hyphen": "ett bindestreck ”-”",
        "word": "bokstäver, siffror eller ”_”",
        "digits_cat": "siffror",
        "spaces_cat": "blanktecken",
    },
}


class _Unsupported(Exception):
    pass


def describe(pattern: str, lang: str = "en") -> str:
    """One sentence, in `lang`, saying what a value matching `pattern` looks like."""
    words = _WORDS["sv" if lang == "sv" else "en"]
    if pattern in KNOWN:
        en, sv = KNOWN[pattern]
        return words["whole"].format(what=sv if lang == "sv" else en)
    try:
        import re._parser as parser

        parsed = list(parser.parse(pattern))
        anchored_start = bool(parsed) and _is_at(parsed[0], "AT_BEGINNING")
        anchored_end = bool(parsed) and _is_at(parsed[-1], "AT_END")
        body = [item for item in parsed if not _is_at(item, "AT_BEGINNING", "AT_END")]
        text = _sequence(body, words)
    except (_Unsupported, re.error, ImportError, AttributeError, TypeError, ValueError):
        return words["opaque"]
    if not text:
        return words["opaque"]
    key = "whole" if anchored_start and anchored_end else "contains"
    return words[key].format(what=text)


def _is_at(item: tuple[Any, Any], *names: str) -> bool:
    op, arg = item
    return str(op) == "AT" and str(arg) in names


def _sequence(items: list[tuple[Any, Any]], words: dict[str, str]) -> str:
    parts: list[str] = []
    literal = ""
    for op, arg in items:
        if str(op) == "LITERAL":
            literal += chr(arg)
            continue
        if literal:
            parts.append(_literal(literal, words))
            literal = ""
        parts.append(_item(str(op), arg, words))
    if literal:
        parts.append(_literal(literal, words))
    return words["then"].join(parts)


def _literal(text: str, words: dict[str, str]) -> str:
    if text == " ":
        return words["space"]
    if text == "-":
        return words["hyphen"]
    return words["char"].format(c=text)


def _item(op: str, arg: Any, words: dict[str, str]) -> str:
    if op == "IN":
        return words["one"].format(what=_charset(arg, words))
    if op == "ANY":
        return words["any"]
    if op == "NOT_LITERAL":
        return words["not"].format(what=_literal(chr(arg), words))
    if op == "CATEGORY":
        return _category(str(arg), words)
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, sub = arg
        items = list(sub)
        single_set = len(items) == 1 and str(items[0][0]) == "IN"
        what = _charset(items[0][1], words) if single_set else _sequence(items, words)
        if len(list(sub)) > 1:
            what = words["group"].format(what=what)
        from re._constants import MAXREPEAT

        if high == MAXREPEAT:
            if low == 0:
                return words["any_number"].format(what=what)
            if low == 1:
                return words["one_or_more"].format(what=what)
            return words["at_least"].format(a=low, what=what)
        if low == high:
            return words["exactly"].format(n=low, what=what)
        if low == 0 and high == 1:
            return words["optional"].format(what=what)
        return words["between"].format(a=low, b=high, what=what)
    if op == "SUBPATTERN":
        sub = arg[-1]
        return words["group"].format(what=_sequence(list(sub), words))
    if op == "BRANCH":
        _, branches = arg
        return words["or"].join(_sequence(list(b), words) for b in branches)
    raise _Unsupported(op)


def _charset(items: list[tuple[Any, Any]], words: dict[str, str]) -> str:
    negate = False
    parts: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "RANGE":
            a, b = chr(arg[0]), chr(arg[1])
            kind = (
                "lower"
                if a.islower() and b.islower()
                else "upper"
                if a.isupper() and b.isupper()
                else "digit"
                if a.isdigit() and b.isdigit()
                else "range"
            )
            parts.append(words[kind].format(a=a, b=b))
        elif name == "LITERAL":
            parts.append(_literal(chr(arg), words))
        elif name == "CATEGORY":
            parts.append(_category(str(arg), words))
        else:
            raise _Unsupported(name)
    text = words["or"].join(parts)
    return words["not"].format(what=text) if negate else text


def _category(name: str, words: dict[str, str]) -> str:
    if name == "CATEGORY_DIGIT":
        return words["digits_cat"]
    if name == "CATEGORY_SPACE":
        return words["spaces_cat"]
    if name == "CATEGORY_WORD":
        return words["word"]
    raise _Unsupported(name)
