"""Extra pages other parts of the project add to the site, one registration each.

A hook is called once per language with a `PageWriter` and returns nothing; it writes its pages
with `writer.write(rel, template, **context)` (the template's context already holds the release,
the language, the interface texts and the paths). Register it with `register_page(hook)` at
import time of the module that owns the page, and import that module in `site/render.py`'s
`_register_hooks()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class PageWriter(Protocol):
    lang: str
    common: dict[str, Any]

    def write(self, rel: str, template: str, depth: int = 1, **context: Any) -> None: ...


PageHook = Callable[[PageWriter], None]
_HOOKS: list[PageHook] = []


def register_page(hook: PageHook) -> PageHook:
    """Add a page hook (usable as a decorator); registering the same hook twice is harmless."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def page_hooks() -> list[PageHook]:
    return list(_HOOKS)
