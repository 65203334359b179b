"""The site for visitors: a language chooser instead of a redirect, Swedish pages that are
Swedish throughout, patterns said in words, and the DCAT-AP-SE files at the root."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixtures.releasekit import publish_release

from clusterdata.site import pages
from clusterdata.site.report_page import report_context
from clusterdata.tableschema.pattern_words import describe

#: Interface words that must not appear on a Swedish page (outside data and code).
ENGLISH_UI = (
    "Downloads",
    "Overview",
    "Changelog",
    "Validation report",
    "Data dictionary",
    "one of:",
    "required",
    "references ",
    "Filter rows",
    "Clusters per county",
    "How to cite",
    "initiatives without a stated year",
    "participant",
    "presenter",
    "programme",
    "Data validation",
    "integer",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from clusterdata.cli import main

    dist = publish_release(tmp_path_factory.mktemp("languages"))
    assert main(["site", "--dist", str(dist)]) == 0
    return dist / "site"


def _visible_text(html: str) -> str:
    """Text a visitor reads: no tags, no data table cells, no code, no lang="en" fallbacks."""
    html = re.sub(r'<table class="data[^"]*".*?</table>', "", html, flags=re.S)
    html = re.sub(r"<(code|pre|script|style|title)[^>]*>.*?</\1>", "", html, flags=re.S)
    html = re.sub(r'<([a-z]+)[^>]* lang="en"[^>]*>.*?</\1>', "", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


def test_the_root_page_lets_the_visitor_choose_a_language_without_redirecting(
    site: Path,
) -> None:
    root = (site / "index.html").read_text(encoding="utf-8")
    assert "http-equiv" not in root and "location" not in root
    assert 'href="sv/index.html"' in root and 'href="en/index.html"' in root
    assert "Välj språk" in root and "Choose a language" in root
    assert "Testkluster" in root and "Test clusters" in root


@pytest.mark.parametrize(
    "rel",
    [
        "index.html",
        "validation.html",
        "changelog.html",
        "tables/clusters.html",
        "tables/cluster_initiatives.html",
    ],
)
def test_swedish_pages_show_no_english_interface_words(site: Path, rel: str) -> None:
    text = _visible_text((site / "sv" / rel).read_text(encoding="utf-8"))
    found = [word for word in ENGLISH_UI if word in text]
    assert found == [], f"sv/{rel}: {found}"


def test_swedish_chart_legends_and_dictionary_use_swedish_labels(site: Path) -> None:
    landing = (site / "sv" / "index.html").read_text(encoding="utf-8")
    legend = landing.split('id="chart-time"', 1)[1].split("</figure>", 1)[0]
    assert ">program<" in legend and ">projekt<" in legend and ">programme<" not in legend
    matrix = landing.split('id="chart-matrix"', 1)[1].split("</figure>", 1)[0]
    assert ">deltagare<" in matrix and ">presentatör<" in matrix
    table = (site / "sv" / "tables" / "clusters.html").read_text(encoding="utf-8")
    assert "<td>heltal</td>" in table and "<td>datum</td>" in table
    english = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert ">programme<" in english.split('id="chart-time"', 1)[1].split("</figure>", 1)[0]


def test_no_page_shows_a_regular_expression(site: Path) -> None:
    for page in site.rglob("*.html"):
        # A page's <script> data (the form's rules for the browser) is for code, not shown.
        html = re.sub(r"<script\b.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S)
        assert "^[" not in html and "]+$" not in html and "]*$" not in html, page
    slugs = (site / "en" / "tables" / "clusters.html").read_text(encoding="utf-8")
    assert "lowercase letters a–z and digits, in groups joined by single hyphens" in slugs


def test_the_catalogue_is_published_as_rdf_xml_and_json_ld_at_the_root(site: Path) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    xml = Graph().parse(site / "dcat.rdf", format="xml")
    jsonld = Graph().parse(site / "dcat.jsonld", format="json-ld")
    assert len(xml) > 100 and isomorphic(xml, jsonld)
    text = (site / "dcat.rdf").read_text(encoding="utf-8")
    assert "https://clusterdata.github.io/clusterdata/files/datapackage.json" in text


@pytest.mark.parametrize(
    ("pattern", "en", "sv"),
    [
        ("^[0-9]{2}$", "The whole value is exactly 2 × digits 0–9.", "exakt 2 × siffror 0–9"),
        (
            "^[A-Z]{2}-[A-Z0-9]{1,3}$",
            "capital letters A–Z, then a hyphen “-”, then 1 to 3 × capital letters A–Z or "
            "digits 0–9",
            "versaler A–Z, sedan ett bindestreck",
        ),
        ("^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$", "a year (2018)", "ett år (2018)"),
        ("ab|cd", "The value contains “ab” or “cd”.", "Värdet innehåller"),
        ("(?<=a)b", "must follow a fixed format", "bestämt format"),
    ],
)
def test_a_pattern_is_said_in_words_in_both_languages(pattern: str, en: str, sv: str) -> None:
    assert en in describe(pattern, "en")
    assert sv in describe(pattern, "sv")
    assert pattern not in describe(pattern, "en")


class _Finding:
    def __init__(self, check: str, message: str) -> None:
        self.check, self.message, self.hint = check, message, "Fix it."
        self.path, self.line, self.column, self.value = "data/x.csv", 3, "id", "v"
        self.is_error = False


class _Summary:
    tables, rows, checks_run, errors, warnings = 1, 2, 3, 0, 2

    def __init__(self) -> None:
        self.rows_per_table = {"x": 2}


class _Report:
    valid = True

    def __init__(self) -> None:
        self.summary = _Summary()
        self.findings = [
            _Finding("initiative-has-participant", "No cluster is linked."),
            _Finding("some-new-check", "Something English."),
        ]


def test_the_swedish_report_explains_known_checks_in_swedish_and_marks_the_rest_english() -> None:
    context = report_context(_Report(), "sv")
    known, unknown = context["findings"]
    assert context["report_title"] == "Validering av data: godkänd"
    assert context["report_summary"].startswith("1 tabeller, 2 rader, 3 kontroller")
    assert known.message.startswith("Inget kluster") and known.text_lang is None
    assert known.severity == "varning" and known.where == "data/x.csv, rad 3, id"
    assert unknown.message == "Something English." and unknown.text_lang == "en"
    assert report_context(_Report(), "en")["findings"][1].text_lang is None


def test_a_registered_page_hook_writes_its_page_in_every_language(tmp_path: Path) -> None:
    from clusterdata.cli import main

    seen: list[str] = []

    def hook(writer: pages.PageWriter) -> None:
        seen.append(writer.lang)
        writer.write("extra.html", "page.html", page_title="Extra", body="")

    pages.register_page(hook)
    try:
        dist = publish_release(tmp_path)
        assert main(["site", "--dist", str(dist)]) == 0
    finally:
        pages._HOOKS.remove(hook)
    assert seen == ["en", "sv"]
    assert (dist / "site" / "sv" / "extra.html").is_file()
