"""Semantic versions of the published data and the change levels that move them.

The level of a change decides the next version:
MAJOR can break a consumer, MINOR adds compatibly, PATCH corrects values or metadata. Keeping the
ordering in one enum means "the strongest reason wins" is just `max()`.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

_SEMVER = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@functools.total_ordering
class Level(enum.Enum):
    """How much a change can affect a consumer; ordered none < patch < minor < major."""

    NONE = "none"
    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank < other.rank

    def __str__(self) -> str:
        return self.value


_RANK = {Level.NONE: 0, Level.PATCH: 1, Level.MINOR: 2, Level.MAJOR: 3}


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        """Accept `1.2.3` or `v1.2.3`; anything else is a ValueError naming the text."""
        match = _SEMVER.match(str(text).strip())
        if not match:
            raise ValueError(f"{text!r} is not a semantic version such as 1.2.3")
        return cls(int(match[1]), int(match[2]), int(match[3]))

    @classmethod
    def is_version(cls, text: str) -> bool:
        return bool(_SEMVER.match(str(text).strip()))

    def bump(self, level: Level) -> Version:
        if level is Level.MAJOR:
            return Version(self.major + 1, 0, 0)
        if level is Level.MINOR:
            return Version(self.major, self.minor + 1, 0)
        if level is Level.PATCH:
            return Version(self.major, self.minor, self.patch + 1)
        return self

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def decide(change: Level, requested: Level | None) -> Level:
    """The level to release at: what the change requires, raised (never lowered) by the request."""
    return max(change, requested or Level.NONE)
