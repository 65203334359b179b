"""clusterdata: the open dataset of Swedish business clusters and its data-quality toolkit.

The public API imports nothing heavy until it is used, so `import clusterdata` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["IntegrityError", "__version__", "connect", "load", "load_delta", "validate"]

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from clusterdata.validation.pipeline import Report


def validate(source: Any = None, **options: Any) -> Report:
    """Validate a data package (default: the bundled dataset); see `clusterdata.validation.pipeline`."""
    from clusterdata.validation.pipeline import validate as _validate

    return _validate(source, **options)


def load(source: Any = None, **options: Any) -> dict[str, pd.DataFrame]:
    """Every table as a typed pandas DataFrame (default: the dataset this installation ships
    with; `"latest"`, `version=` or a URL downloads and verifies a published release); see
    `clusterdata.loading.api.load`."""
    from clusterdata.loading.api import load as _load

    return _load(source, **options)


def load_delta(source: Any = None, **options: Any) -> pd.DataFrame | None:
    """A release's row-level changes against the previous one; see `load()` for the sources."""
    from clusterdata.loading.api import load_delta as _load_delta

    return _load_delta(source, **options)


def connect(source: Any = None, **options: Any) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every table loaded; see `clusterdata.loading.api.connect`."""
    from clusterdata.loading.api import connect as _connect

    return _connect(source, **options)


def __getattr__(name: str) -> Any:
    # `clusterdata.IntegrityError` without importing the download machinery up front.
    if name == "IntegrityError":
        from clusterdata.loading.remote import IntegrityError

        return IntegrityError
    raise AttributeError(f"module 'clusterdata' has no attribute {name!r}")
