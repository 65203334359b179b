"""Fixtures of the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.cirepo import make_ci_repo


@pytest.fixture
def ci_repo(tmp_path: Path) -> Path:
    """A checkout as the workflow sees it (see `fixtures.cirepo.make_ci_repo`)."""
    return make_ci_repo(tmp_path)
