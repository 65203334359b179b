"""Code lists and code shapes: ISO 3166, Swedish organisation numbers, NUTS, county and
municipality codes, web addresses. The lists come from pycountry and python-stdnum."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from clusterdata.core.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:  # imported when a frame is really checked (see `lazy`)
    np = lazy_module("numpy")
    pd = lazy_module("pandas")
from clusterdata.validation.rules.domain.vectors import _text, by_distinct

# --- codes -----------------------------------------------------------------------------------


@functools.cache
def _iso_3166(part: str) -> tuple[dict[str, str], ...]:
    """pycountry's table of ISO 3166-`part` ("1" or "2"), read from its own data file.

    Why not `pycountry.subdivisions`: importing pycountry and indexing its ~5,000 subdivisions
    costs a noticeable share of validating the bundled package; its data file, found without
    importing the package, parses in a fraction of that (bench/results.md, "Design
    measurements"). tests/unit/validation/test_domain_checks.py holds the code sets
    equal to the ones pycountry's API gives.
    """
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pycountry is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "databases"
    with (folder / f"iso3166-{part}.json").open("rb") as handle:
        return tuple(json.load(handle)[f"3166-{part}"])


@functools.cache
def _alpha_2() -> frozenset[str]:
    return frozenset(c["alpha_2"] for c in _iso_3166("1"))


@functools.cache
def iso_3166_codes() -> frozenset[str]:
    """Every ISO 3166-2 subdivision code, plus ISO 3166-1 alpha-2 for country-level rows."""
    return frozenset({s["code"] for s in _iso_3166("2")} | _alpha_2())


@functools.cache
def se_county_codes() -> frozenset[str]:
    """Two-digit county codes, read from pycountry's names ("Värmlands län [SE-17]")."""
    codes = set()
    for subdivision in _iso_3166("2"):
        if not subdivision["code"].startswith("SE-"):
            continue
        match = re.search(r"\[SE-(\d{2})\]", subdivision["name"])
        if match:
            codes.add(match.group(1))
    return frozenset(codes)


@functools.cache
def nuts_countries() -> frozenset[str]:
    """NUTS country parts: ISO alpha-2, except Greece (EL) and the United Kingdom (UK)."""
    return _alpha_2() | {"EL", "UK"}


def bad_orgnr(text: str) -> bool:
    from stdnum.se import orgnr, personnummer

    if re.fullmatch(r"\d{6}-\d{4}", text) is None:
        return True
    digits = text.replace("-", "")
    if int(digits[2:4]) < 20 or personnummer.is_valid(text):
        return True
    return not orgnr.is_valid(text)


def bad_nuts(text: str) -> bool:
    """NUTS: a country part (two letters) and 1–3 level characters, one per level
    (SE3, SE31, SE311); Extra-Regio codes (SEZ, SEZZ, SEZZZ) name no territory."""
    match = re.fullmatch(r"([A-Z]{2})([0-9A-Z]{1,3})", text)
    if match is None or match.group(1) not in nuts_countries():
        return True
    return set(match.group(2)) == {"Z"}


#: Well-formed beyond doubt (ASCII host, short port, no spaces): skips the slow path.
PLAIN_URL = r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]{1,4})?(?:[/?#][^ \t\r\n]*)?"


def url_fails(series: pd.Series) -> np.ndarray:
    plain = _text(series).str.fullmatch(PLAIN_URL).fillna(False).to_numpy(dtype=bool)
    candidates = series.notna().to_numpy() & ~plain
    out = np.zeros(len(series), dtype=bool)
    if candidates.any():
        index = np.flatnonzero(candidates)
        out[index] = by_distinct(series.iloc[index], bad_url)
    return out


def bad_url(text: str) -> bool:
    if text != text.strip() or any(c.isspace() for c in text):
        return True
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return True
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or not host:
        return True
    return re.fullmatch(r"[^\s/?#@:\[\]]+(?:\.[^\s/?#@:\[\]]+)*", host) is None or host.startswith(
        "."
    )


def bad_county_code(text: str) -> bool:
    return text not in se_county_codes()


@functools.cache
def se_municipality_codes() -> frozenset[str]:
    """SCB's 290 municipality codes; no library ships them, so the package carries SCB's list
    (`reference/se_municipalities.tsv`, whose header cites it)."""
    from importlib.resources import files

    text = files("clusterdata").joinpath("reference/se_municipalities.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return frozenset(row[0] for row in rows[1:])


def bad_municipality_code(text: str) -> bool:
    """Not one of SCB's municipality codes: a well-formed code in the right county (2548 for
    Kiruna, whose code is 2584) is as wrong as a malformed one."""
    return text not in se_municipality_codes()
