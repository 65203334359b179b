"""Where things are in a JSON text: the line each item of an array starts on, so that a
finding in a JSON table, or in rows inline in datapackage.json, names the line a person opens.
`json.loads` gives values but not their places; this walks the text with `raw_decode`.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotHere(ValueError):
    """The JSON has no array at the path asked for."""


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def value_at(text: str, path: list[str | int]) -> int:
    """Where the value at `path` (object keys and array indexes) starts in the JSON text.

    The last of repeated keys wins, as in `json.loads`."""
    pos = _skip(text, 0)
    for step in path:
        opening = "{" if isinstance(step, str) else "["
        if not text.startswith(opening, pos):
            raise NotHere(step)
        pos, found, index = _skip(text, pos + 1), -1, 0
        while not text.startswith("}" if opening == "{" else "]", pos):
            if opening == "{":
                key, pos = _DECODER.raw_decode(text, pos)
                pos = _skip(text, pos)
                if not text.startswith(":", pos):
                    raise NotHere(step)
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
            raise NotHere(step)
        pos = found
    return pos


def array_items(text: str, path: list[str | int]) -> tuple[list[Any], list[int]]:
    """The items of the JSON array at `path` and the physical line each starts on."""
    pos = value_at(text, path)
    if not text.startswith("[", pos):
        raise NotHere("array")
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
