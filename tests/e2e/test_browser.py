"""Drive the rendered site in headless Chromium (Debian's package, via Playwright; no browser
download): pages load without console errors, downloads resolve, the filter filters, every page
fits a 390 px phone screen without sideways scrolling, and the landing pages are saved under
tests/artifacts/ (landing.png at desktop width, phone-390-*.png at phone width)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.releasekit import publish_release, serve

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} is not installed (run scripts/install-browser.sh); in CI this test "
        "runs and fails instead of skipping",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from clusterdata.cli import main

    dist = publish_release(tmp_path_factory.mktemp("browser"))
    assert main(["site", "--dist", str(dist)]) == 0
    return dist / "site"


@pytest.fixture(scope="module")
def browser_context() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="clusterdata-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
            offline=False,
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def test_the_site_works_in_a_real_browser(site: Path, browser_context) -> None:  # type: ignore[no-untyped-def]
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    with serve(site) as base:
        page = browser_context.new_page()
        problems: list[str] = []
        outside: list[str] = []
        page.on(
            "console",
            lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith((base, "data:")) else None,
        )
        for rel in pages:
            response = page.goto(f"{base}/{rel}", wait_until="load")
            assert response is not None and response.status == 200, rel
        assert problems == [] and outside == [], (problems, outside)

        page.goto(f"{base}/index.html")  # the root page lets the reader choose; no redirect
        page.wait_for_timeout(300)
        assert page.url == f"{base}/index.html"
        page.click("a[hreflang=sv]")
        page.wait_for_url(f"{base}/sv/index.html")

        page.goto(f"{base}/en/index.html")
        links = page.eval_on_selector_all("a.download", "els => els.map(e => e.href)")
        assert len(links) >= 10
        for link in links:
            with urllib.request.urlopen(link, timeout=10) as reply:
                assert reply.status == 200, link
        assert page.locator("figure.chart svg").count() == 4
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "landing.png"), full_page=True)

        page.goto(f"{base}/sv/tables/clusters.html")
        rows = page.locator("#data-clusters tbody tr:not([hidden])")
        assert rows.count() == 5
        page.fill("#filter-clusters", "värmlands")  # case- and accent-folded, Swedish
        assert rows.count() == 2
        assert re.search(r"Visar 2 av 5 rader", page.inner_text("#count-data-clusters"))
        page.fill("#filter-clusters", "")
        assert rows.count() == 5
        page.click("#data-clusters thead th:nth-child(4) button")  # members, numeric
        page.click("#data-clusters thead th:nth-child(4) button")  # descending
        first = page.inner_text("#data-clusters tbody tr:first-child td:nth-child(4)")
        assert first == "110"


PHONE = {"width": 390, "height": 844}
#: Measures how far a page reaches past the viewport's right edge (0 when it fits).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const widest = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  const culprits = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => !e.closest('.scroll, pre, .chart'))
    .slice(0, 3).map(e => e.tagName + '.' + e.className);
  return {over: widest - width, culprits};
}"""


def _overflowing(context, base: str, pages: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Pages wider than a 390 px phone screen, each with what sticks out."""
    phone = context.new_page()
    phone.set_viewport_size(PHONE)
    wide = []
    for rel in pages:
        phone.goto(f"{base}/{rel}", wait_until="load")
        measured = phone.evaluate(OVERFLOW_JS)
        if measured["over"] > 0:
            wide.append(f"{rel}: {measured['over']} px too wide ({measured['culprits']})")
    phone.close()
    return wide


def test_every_page_fits_a_390_px_phone_screen(site: Path, browser_context) -> None:  # type: ignore[no-untyped-def]
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    with serve(site) as base:
        assert _overflowing(browser_context, base, pages) == []
        phone = browser_context.new_page()
        phone.set_viewport_size(PHONE)
        ARTIFACTS.mkdir(exist_ok=True)
        for rel, name in (
            ("index.html", "phone-390-choose.png"),
            ("sv/index.html", "phone-390-sv.png"),
            ("en/tables/clusters.html", "phone-390-table.png"),
        ):
            phone.goto(f"{base}/{rel}", wait_until="load")
            phone.screenshot(path=str(ARTIFACTS / name), full_page=True)
        phone.close()


def test_the_overflow_check_catches_a_page_wider_than_the_phone(
    tmp_path: Path,
    browser_context,  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "wide.html").write_text(
        '<!doctype html><meta name="viewport" content="width=device-width">'
        '<div style="width:600px">too wide</div>',
        encoding="utf-8",
    )
    with serve(tmp_path) as base:
        [problem] = _overflowing(browser_context, base, ["wide.html"])
    assert problem.startswith("wide.html: ") and "DIV" in problem


REPO_DIST = Path(__file__).resolve().parents[2] / "dist"


@pytest.mark.skipif(not (REPO_DIST / "releases.json").is_file(), reason="no release in dist/")
def test_the_published_dataset_site_works_in_a_real_browser(
    tmp_path: Path,
    browser_context,  # type: ignore[no-untyped-def]
) -> None:
    """What `make site` renders from the repository's newest release, opened for real."""
    from clusterdata.cli import main

    out = tmp_path / "site"
    assert main(["site", "--dist", str(REPO_DIST), "--out", str(out)]) == 0
    with serve(out) as base:
        page = browser_context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
        for rel in pages:
            response = page.goto(f"{base}/{rel}", wait_until="load")
            assert response is not None and response.status == 200, rel
        assert len(pages) > 30 and problems == []
        assert _overflowing(browser_context, base, pages) == []
        page.goto(f"{base}/en/index.html")
        assert page.locator("figure.chart svg").count() == 4
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "landing-dataset.png"), full_page=True)
        page.goto(f"{base}/en/tables/clusters.html")
        rows = page.locator("#data-clusters tbody tr:not([hidden])")
        total = rows.count()
        assert total == 20
        page.fill("#filter-clusters", "värmland")
        assert 0 < rows.count() < total
