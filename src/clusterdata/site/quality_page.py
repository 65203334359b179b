"""The data-quality page: how complete the data is (`clusterdata stats`), on every release's site.

Registered as an extra page (site/pages.py). The report is written by `release/stats.py` in
English, as the changelog is; the Swedish page says so rather than pretend otherwise.
"""

from __future__ import annotations

from clusterdata.site.pages import PageWriter, register_page


@register_page
def quality_page(writer: PageWriter) -> None:
    from markupsafe import Markup

    from clusterdata.core.package import open_package
    from clusterdata.release import stats
    from clusterdata.site.markup import markdown_html
    from clusterdata.site.ui import UI

    release = writer.common["release"]
    report = stats.render_markdown(stats.compute(open_package(release.folder)))
    ui = UI[writer.lang]
    writer.write(
        "quality.html",
        "page.html",
        page_title=ui["quality"],
        body=Markup(_scrolling(markdown_html(report.split("\n", 1)[1]))),  # title is the template's
        body_lang="en",
        note=ui["quality_note"],
    )


def _scrolling(html: str) -> str:
    """Wide tables scroll inside their own box, so a phone's page never scrolls sideways."""
    return html.replace("<table>", '<div class="scroll"><table>').replace(
        "</table>", "</table></div>"
    )
