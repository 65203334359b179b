"""The error a consumer raises for a cell that is not a value of its declared type."""

from __future__ import annotations


class DataError(ValueError):
    """A cell does not parse as its declared type (the package is not valid; run validate).

    Located like a validation finding (file, physical line, column, value), so `load()` and
    `connect()` name the same cell `clusterdata validate` rejects.
    """

    def __init__(self, resource: str, path: str, column: str, line: int, value: str, kind: str):
        self.resource, self.path, self.column, self.line, self.value = (
            resource,
            path,
            column,
            line,
            value,
        )
        self.kind = kind
        super().__init__(
            f"{path}, line {line}, column {column!r}: {value!r} is not a valid {kind}. "
            f"Run `clusterdata validate` on the package for every problem and how to fix it."
        )
