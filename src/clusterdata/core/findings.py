"""The one shape every check of every layer reports, and the operations on a list of them.

Keeping one shape means a reporter never needs to know which layer found a defect, and the same
defect found by two layers collapses into one finding.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    """`error` fails validation; `warning` is reported and does not; `notice` is information the
    project acts on itself (such as layout it canonicalises), never the contributor's problem."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Finding:
    """One defect, located as precisely as the layer that found it can.

    `line` is the 1-based *physical* line in the file (header = line 1), so that an editor's
    "go to line" lands on it, even when earlier cells hold newlines.
    """

    check: str
    severity: Severity
    message: str
    resource: str | None = None
    path: str | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None
    hint: str | None = None
    #: The root-cause group: the `cause_id` of the finding that leads it (its own when it leads).
    #: Set once after every layer ran (`validation.causes`); reporters order and group by it.
    cause: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        values = dict(data)
        values["severity"] = Severity(values["severity"])
        return cls(**values)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, str, str, str]:
        """Path, line, column, check: the order a person fixes a file in."""
        return (
            self.path or "",
            self.line if self.line is not None else -1,
            self.column or "",
            self.check,
            self.value or "",
        )

    @property
    def cause_id(self) -> str:
        """A stable text id of this finding, for `cause`: where it is and which check."""
        where = f"{self.path or ''}:{self.line if self.line is not None else ''}"
        return f"{where}:{self.column or ''}:{self.check}"

    def identity(self) -> tuple[str | None, int | None, str | None, str]:
        """What makes two findings the same defect, whichever layer found them."""
        return (self.path, self.line, self.column, self.check)


def error(check: str, message: str, **where: Any) -> Finding:
    return Finding(check=check, severity=Severity.ERROR, message=message, **where)


def warning(check: str, message: str, **where: Any) -> Finding:
    return Finding(check=check, severity=Severity.WARNING, message=message, **where)


#: The check id of a finding that says a layer of clusterdata itself failed (a bug, not bad
#: data): the verdict is then unknown, so `validate` exits 2 (`Report.crashed`).
INTERNAL_ERROR = "internal-error"


def internal_error(layer: str, exc: BaseException, **where: Any) -> Finding:
    """The finding for a crash in one layer: an error, never a warning, so that a package is
    never reported valid by a run that did not finish."""
    return error(
        INTERNAL_ERROR,
        f"The {layer} checks could not run: {type(exc).__name__}: {exc}",
        hint="This is a defect in clusterdata, not in your data; please report it with this "
        "message. The verdict is unknown until it is fixed.",
        **where,
    )


def notice(check: str, message: str, **where: Any) -> Finding:
    return Finding(check=check, severity=Severity.NOTICE, message=message, **where)


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """Drop repeats of the same defect (the first layer to find it wins) and sort."""
    seen: set[tuple[str | None, int | None, str | None, str]] = set()
    unique: list[Finding] = []
    for finding in findings:
        key = finding.identity()
        if key in seen:
            continue
        seen.add(key)
        unique.append(finding)
    unique.sort(key=Finding.sort_key)
    return unique


@dataclass
class Summary:
    """Counts a person reads before the details: what was checked and what was found."""

    tables: int = 0
    rows: int = 0
    rows_per_table: dict[str, int] = field(default_factory=dict)
    checks_run: int = 0
    errors: int = 0
    warnings: int = 0
    notices: int = 0
    by_check: dict[str, int] = field(default_factory=dict)
    #: Checks not run because the package lacks a table they need: {check id: tables}.
    checks_skipped: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(
    findings: list[Finding],
    rows_per_table: dict[str, int],
    checks_run: int,
    checks_skipped: dict[str, list[str]] | None = None,
) -> Summary:
    counts = Counter(f.check for f in findings)
    return Summary(
        tables=len(rows_per_table),
        rows=sum(rows_per_table.values()),
        rows_per_table=dict(rows_per_table),
        checks_run=checks_run,
        errors=sum(1 for f in findings if f.is_error),
        warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
        notices=sum(1 for f in findings if f.severity is Severity.NOTICE),
        by_check=dict(sorted(counts.items())),
        checks_skipped=dict(checks_skipped or {}),
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
