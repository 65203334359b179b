"""What layer 1 hands the later layers (`StructureResult`), in a module of its own: the DuckDB
engine and `loading.database` need its type, and importing it from `run` (which imports the
engine) made the import graph circular (issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clusterdata.core.findings import Finding
from clusterdata.core.lines import LineMap
from clusterdata.core.package import Resource


@dataclass
class StructureResult:
    findings: list[Finding] = field(default_factory=list)
    #: Resources that parsed well enough for the frame and cross-table layers.
    readable: list[Resource] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    line_maps: dict[str, LineMap] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    #: Tables whose Table Schema checks (types, constraints, keys) ran in DuckDB (`fastpath`):
    #: layer 2 need not repeat them there, only its domain checks.
    checked_in_duckdb: set[str] = field(default_factory=set)
    #: `fastpath.FastPackage`: the open DuckDB connection holding those tables as text, reused
    #: by layers 2 and 3 instead of reading the files again; the caller closes it (`close()`).
    fast: Any = None

    def close(self) -> None:
        """Release the fast path's DuckDB tables (safe to call twice)."""
        if self.fast is not None:
            self.fast.close()
            self.fast = None
