"""Modules imported on first use, so a command pays only for the libraries it touches.

importing pandas and pandera costs more than `frictionless validate` needs for the whole
bundled package (bench/results.md, start-up table); a validation that never hands a
row to pandera (every row certified in DuckDB) should not pay for them. Modules that use them
bind `pd = lazy_module("pandas")` at import time and the real import happens on the first
attribute access. Unlike `importlib.util.LazyLoader` nothing is put into `sys.modules` early, so
libraries that probe `sys.modules` (DuckDB looks for pandas there) see the truth.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """A stand-in for a module: `getattr` imports it (once; later calls are a dict lookup)."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = importlib.import_module(self._name)
            self._module = module
        return getattr(module, attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    """`name`, imported when first used (typed `Any`; import the real module under
    `TYPE_CHECKING` for the type checker)."""
    return LazyModule(name)
