"""The site's "add a cluster" form in headless Chromium (Debian's package, via Playwright): it
marks what is wrong with the CLI's own check ids and hints, and for a good row gives the GitHub
issue URL and the issue body, which `clusterdata import --issue` then accepts."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fixtures.packages import BUNDLED, SCHEMAS
from fixtures.releasekit import serve

from clusterdata.core.package import open_package
from clusterdata.validation.hints import hint_for

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} is not installed (run scripts/install-browser.sh); in CI this test "
        "runs and fails instead of skipping",
        allow_module_level=True,
    )

GOOD = {
    "id": "robotdalen-exempel",
    "name": "Robotdalen Exempel Väst",
    "region_id": "karlstads-kommun",
    "description": "Ett exempelkluster för robotik, skrivet för testet.",
    "source_id": "14-klusterinitiativ",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of a release of the real dataset (the form is made from its clusters schema)."""
    from clusterdata.cli import main
    from clusterdata.release.publish import publish

    root = tmp_path_factory.mktemp("form")
    shutil.copytree(BUNDLED, root / "datapackage")
    shutil.copytree(SCHEMAS, root / "schemas")
    publish(root / "datapackage", root / "dist", date="2026-01-01")
    assert main(["site", "--dist", str(root / "dist")]) == 0
    return root / "dist" / "site"


@pytest.fixture(scope="module")
def page(site: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="clusterdata-chromium-")
    with serve(site) as base, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            tab = context.new_page()
            problems: list[str] = []
            tab.on("pageerror", lambda exc: problems.append(str(exc)))
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            tab.goto(f"{base}/en/add-cluster.html", wait_until="load")
            yield tab
            assert problems == []
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def fill(page, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    for name, value in values.items():
        page.fill(f"#input-{name}", value)
    page.select_option("#input-flagged", "false")
    page.select_option("#input-provenance", "stated")
    page.click("#check-row")


def error_of(page, name: str) -> str:  # type: ignore[no-untyped-def]
    return page.inner_text(f"#error-{name}") if page.is_visible(f"#error-{name}") else ""


def test_the_form_marks_each_problem_with_the_cli_hint(page) -> None:  # type: ignore[no-untyped-def]
    clusters = open_package(BUNDLED).resource("clusters")
    assert clusters is not None
    fields = {f.name: f for f in clusters.table_schema.fields}
    page.click("#check-row")  # everything empty
    assert error_of(page, "id") == "[constraint-required] id: " + hint_for(
        "constraint-required", fields["id"], clusters
    )
    assert error_of(page, "website") == ""  # optional
    assert page.is_hidden("#form-result")

    fill(page, dict(GOOD, id="Robot Dalen", region_id="okand-region", source_id="compare"))
    assert error_of(page, "id") == "[constraint-pattern] id: " + hint_for(
        "constraint-pattern", fields["id"], clusters
    )
    assert error_of(page, "region_id") == "[foreign-key] region_id: " + hint_for(
        "foreign-key", fields["region_id"], clusters, {"fieldNames": ["region_id"]}
    )
    assert "sources table" in error_of(page, "source_id")
    assert page.is_hidden("#form-result")

    fill(page, dict(GOOD, id="compare"))  # an id that is taken
    assert error_of(page, "id") == "[primary-key] id: " + hint_for(
        "primary-key", fields["id"], clusters
    )


def test_a_good_row_gives_the_issue_url_and_a_body_the_import_accepts(  # type: ignore[no-untyped-def]
    page, package_copy: Path, tmp_path: Path, cli
) -> None:
    fill(page, GOOD)
    assert page.is_visible("#form-result")
    assert [error_of(page, name) for name in GOOD] == [""] * len(GOOD)
    url = page.get_attribute("#issue-link", "href")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://github.com/clusterdata/clusterdata/issues/new"
    )
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["template"] == "add-cluster.yml"
    assert query["title"] == "Nytt kluster / New cluster: Robotdalen Exempel Väst"
    assert {k: query[k] for k in GOOD} == GOOD
    assert query["provenance"] == "stated" and "website" not in query
    body = page.inner_text("#issue-body")
    assert "### name\n\nRobotdalen Exempel Väst\n\n### region_id" in body
    assert "### website\n\n_No response_" in body
    issue = tmp_path / "issue.md"
    issue.write_text(body, encoding="utf-8")
    result = cli("import", "--issue", issue, package_copy)
    assert result.code == 0, result.out


def test_the_swedish_page_has_the_same_form(site: Path) -> None:
    html = (site / "sv" / "add-cluster.html").read_text("utf-8")
    assert "Föreslå ett kluster" in html and 'id="input-region_id"' in html
    assert 'href="../sv/add-cluster.html"' in (site / "sv" / "index.html").read_text("utf-8")
