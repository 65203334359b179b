"""Vectorised helpers shared by the domain checks: decide each distinct value once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterdata.core.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:  # imported when a frame is really checked (see `lazy`)
    np = lazy_module("numpy")
    pd = lazy_module("pandas")


# --- vectorised helpers ----------------------------------------------------------------------


def by_distinct(series: pd.Series, bad: Any) -> np.ndarray:
    """Apply `bad(text) -> bool` once per distinct present value; missing cells never fail."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if not len(uniques):
        return np.zeros(len(series), dtype=bool)
    texts = uniques.tolist()  # iterating an Arrow-backed array item by item is slow
    bad_u = np.fromiter((bool(bad(str(u))) for u in texts), dtype=bool, count=len(texts))
    out = np.zeros(len(series), dtype=bool)
    present = codes >= 0
    out[present] = bad_u[codes[present]]
    return out


def _text(series: pd.Series) -> pd.Series:
    """The column as pandas strings, whatever dtype it arrived with."""
    return series if isinstance(series.dtype, pd.StringDtype) else series.astype("str")


def _contains(series: pd.Series, pattern: str) -> np.ndarray:
    hits = _text(series).str.contains(pattern, regex=True)
    return hits.fillna(False).to_numpy(dtype=bool)
