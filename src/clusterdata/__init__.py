"""clusterdata: the open dataset of Swedish business clusters and its data-quality toolkit.

The public API imports nothing heavy until it is used, so `import clusterdata` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "validate"]

if TYPE_CHECKING:
    from clusterdata.validate import Report


def validate(source: Any = None, **options: Any) -> Report:
    """Validate a data package (default: the bundled dataset); see `clusterdata.validate`."""
    from clusterdata.validate import validate as _validate

    return _validate(source, **options)
