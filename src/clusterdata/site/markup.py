"""Markdown (the changelog, the quality report) as HTML for the site's pages."""

from __future__ import annotations


def markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
