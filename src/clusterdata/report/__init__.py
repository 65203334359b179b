"""Reporters turn a validation report into text for one audience; they never re-read data."""

from __future__ import annotations

from typing import Literal

from clusterdata.validation.pipeline import Report

Format = Literal["text", "json", "github", "markdown"]
FORMATS: tuple[str, ...] = ("text", "json", "github", "markdown")


def render(report: Report, fmt: str, *, color: bool = False, prefix: str = "") -> str:
    """`prefix` is the package folder as seen from where the command runs (for annotations)."""
    if fmt == "json":
        from clusterdata.report.json import render_json

        return render_json(report)
    if fmt == "github":
        from clusterdata.report.github import render_github

        return render_github(report, prefix=prefix)
    if fmt == "markdown":
        from clusterdata.report.markdown import render_markdown

        return render_markdown(report, prefix=prefix)
    from clusterdata.report.text import render_text

    return render_text(report, color=color, prefix=prefix)
