"""Where the published dataset lives on the web, asked for through one function.

The site's `--base-url`, the DCAT-AP IRIs and the landing page all default to this address. The
release tooling (PUBDIST, issue 16) owns the constant; until its module lands, this is the one
place that names it, so pointing `public_home()` at that constant is a one-line change.
"""

from __future__ import annotations

#: The public home of the published dataset (GitHub Pages of the project).
PUBLIC_HOME = "https://clusterdata.github.io/clusterdata/"


def public_home() -> str:
    """The public home URL, always ending in a slash."""
    return PUBLIC_HOME.rstrip("/") + "/"
