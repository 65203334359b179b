"""Table Schema `pattern` constraints, evaluated under a time budget.

Why: the pattern comes with the package, and packages are untrusted. Python's `re` backtracks, so
a pattern such as ``(a|aa)+b`` takes time exponential in the cell's length (bench/results.md,
"Design measurements"). Every
layer that checks a schema's pattern in Python (layer 1 for frictionless-py, which is handed the
schema *without* its patterns; the rows the DuckDB fast path cannot certify; layer 2's pandera
check) goes through `TablePattern.check`, which runs the `regex` module (the same syntax and
meaning as `re`) with a timeout.

The bound, per pattern and per layer: matching may take at most `BASE_SECONDS`, plus
`PER_VALUE_SECONDS` for each value and `PER_CHARACTER_SECONDS` for each character checked so far
(a sane pattern needs a small fraction of that per value and per character, so real data
never comes near it). The value whose match runs out of that allowance is `TIMEOUT`, reported as
a located `pattern-timeout` error, and the pattern is then *exhausted*: its later values are
`UNCHECKED`, so a million hostile cells cost one timeout, not a million.

The whole value must match (Table Schema's patterns are anchored: `fullmatch`).
"""

from __future__ import annotations

import enum
import re
import time
from typing import Any

from clusterdata.tableschema.model import Schema

#: Matching time every pattern may spend before any value is counted (seconds).
BASE_SECONDS = 1.0
#: Allowance added for each value checked (seconds).
PER_VALUE_SECONDS = 10e-6
#: Allowance added for each character checked (seconds).
PER_CHARACTER_SECONDS = 1e-6

TIMEOUT_CHECK = "pattern-timeout"
TIMEOUT_HINT = (
    "Simplify the pattern in the table's schema: nested or overlapping repetition such as "
    "(a|aa)+ or (x+x+)+ takes exponential time on long values; write it so a value can match "
    "in only one way (a+ instead of (a|aa)+), then check the data again."
)


def timeout_message(column: str | None) -> str:
    """The sentence both layers give for a value whose match ran out of time."""
    return (
        f"The schema's pattern is too expensive to check on this value in column {column!r}; "
        "later cells of the column were not checked against it."
    )


class Outcome(enum.Enum):
    MATCH = "match"
    MISMATCH = "mismatch"
    #: This value used up the pattern's allowance: report it.
    TIMEOUT = "timeout"
    #: The pattern was exhausted by an earlier value: nothing is known (and nothing reported).
    UNCHECKED = "unchecked"


class PatternError(ValueError):
    """The schema's pattern is not a regular expression Python accepts."""


class TablePattern:
    """One schema pattern, compiled once, with its own time allowance (see the module doc)."""

    def __init__(self, source: str) -> None:
        import regex

        try:
            re.compile(source)  # the dialect frictionless-py and Table Schema users write
            self._compiled: Any = regex.compile(source, flags=regex.VERSION0)
        except (re.error, regex.error, OverflowError, RecursionError, ValueError) as exc:
            raise PatternError(
                f"the pattern {source!r} is not a valid regular expression: {exc}"
            ) from exc
        self.source = source
        self.allowance = BASE_SECONDS
        self.spent = 0.0
        self.exhausted = False

    def check(self, text: str) -> Outcome:
        """Whether the whole of `text` matches, within what is left of the allowance."""
        if self.exhausted:
            return Outcome.UNCHECKED
        self.allowance += PER_VALUE_SECONDS + PER_CHARACTER_SECONDS * len(text)
        remaining = self.allowance - self.spent
        start = time.perf_counter()
        try:
            found = self._compiled.fullmatch(text, timeout=max(remaining, 1e-6))
        except TimeoutError:
            self.exhausted = True
            return Outcome.TIMEOUT
        finally:
            self.spent += time.perf_counter() - start
        return Outcome.MISMATCH if found is None else Outcome.MATCH


def string_patterns(schema: Schema) -> dict[str, str]:
    """{field name: pattern} of the fields whose pattern frictionless-py would check (strings)."""
    out: dict[str, str] = {}
    for field in schema.fields:
        if field.type == "string" and field.constraints.pattern is not None:
            out.setdefault(field.name, field.constraints.pattern)
    return out


def without_patterns(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Table Schema whose fields carry no `pattern`: what frictionless-py is given,
    so its unbounded `re` never sees a schema's pattern (this module checks them instead)."""
    copied = dict(schema)
    fields = schema.get("fields")
    if isinstance(fields, list):
        new_fields: list[Any] = []
        for spec in fields:
            constraints = spec.get("constraints") if isinstance(spec, dict) else None
            if isinstance(constraints, dict) and "pattern" in constraints:
                spec = dict(spec)
                spec["constraints"] = {k: v for k, v in constraints.items() if k != "pattern"}
            new_fields.append(spec)
        copied["fields"] = new_fields
    return copied


def has_patterns(schema: dict[str, Any]) -> bool:
    fields = schema.get("fields")
    return isinstance(fields, list) and any(
        isinstance(f, dict)
        and isinstance(f.get("constraints"), dict)
        and "pattern" in f["constraints"]
        for f in fields
    )
