"""Semantic versions and levels: parsing, ordering, bumping, and "--bump never lowers"."""

from __future__ import annotations

import pytest

from clusterdata.release.versioning import Level, Version, decide


def test_version_parses_with_or_without_v_and_rejects_other_text() -> None:
    assert Version.parse("v1.2.3") == Version(1, 2, 3) == Version.parse("1.2.3")
    for bad in ("1.2", "1.02.3", "2024-01-01", "1.2.3-rc1", ""):
        with pytest.raises(ValueError, match="not a semantic version"):
            Version.parse(bad)


def test_bump_resets_the_lower_parts() -> None:
    base = Version(1, 4, 2)
    assert str(base.bump(Level.MAJOR)) == "2.0.0"
    assert str(base.bump(Level.MINOR)) == "1.5.0"
    assert str(base.bump(Level.PATCH)) == "1.4.3"
    assert base.bump(Level.NONE) == base


def test_versions_order_numerically_not_as_text() -> None:
    assert Version.parse("0.10.0") > Version.parse("0.9.9")


def test_requested_bump_raises_but_never_lowers_the_required_level() -> None:
    assert decide(Level.MAJOR, Level.PATCH) is Level.MAJOR
    assert decide(Level.PATCH, Level.MINOR) is Level.MINOR
    assert decide(Level.MINOR, None) is Level.MINOR
    assert max(Level.NONE, Level.PATCH, Level.MAJOR, Level.MINOR) is Level.MAJOR
