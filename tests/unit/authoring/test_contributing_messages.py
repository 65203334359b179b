"""CONTRIBUTING.md shows the real messages each route gives; this test keeps them true.

Each block in CONTRIBUTING.md that follows a `<!-- message: NAME -->` comment is a fenced
`text` block of lines from the tool's output. The test makes the mistake NAME describes in a
scratch git repository, the way that route makes it, runs `clusterdata validate --base main`
(what the pull request runs), and checks that every documented line appears in the output.
A scenario without a block, or a block without a scenario, fails the test too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures.packages import REPO, CliResult
from fixtures.scratchrepo import NEW_ID, commit, csv_line, read_csv, valid_row

CONTRIBUTING = REPO / "CONTRIBUTING.md"
BLOCK = re.compile(r"<!-- message: ([a-z0-9-]+) -->\s*```text\n(.*?)```", re.DOTALL)


def documented() -> dict[str, list[str]]:
    text = CONTRIBUTING.read_text("utf-8")
    return {
        name: [line.strip() for line in body.splitlines() if line.strip()]
        for name, body in BLOCK.findall(text)
    }


def _table(repo: Path, name: str) -> Path:
    return repo / "datapackage" / "data" / f"{name}.csv"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def excel_saved_row(repo: Path) -> None:
    """Route 2: a correct row added in Excel, saved as CSV UTF-8 (BOM, CRLF, no final newline)."""
    path = _table(repo, "clusters")
    header, _ = read_csv(path)
    text = path.read_text("utf-8") + csv_line(header, valid_row(repo, "clusters", NEW_ID))
    path.write_bytes(b"\xef\xbb\xbf" + text.rstrip("\n").replace("\n", "\r\n").encode("utf-8"))


def excel_semicolons(repo: Path) -> None:
    """Route 2: the same row saved by an Excel with Swedish settings: semicolons as well."""
    import csv
    import io

    path = _table(repo, "clusters")
    header, _ = read_csv(path)
    text = path.read_text("utf-8") + csv_line(header, valid_row(repo, "clusters", NEW_ID))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(
        csv.reader(io.StringIO(text))
    )
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().rstrip("\r\n").encode("utf-8"))


def wrong_region(repo: Path) -> None:
    """Route 3: a row typed in the web editor with a region id that does not exist."""
    row = valid_row(repo, "clusters", NEW_ID)
    row["region_id"] = "norrbotten"
    path = _table(repo, "clusters")
    path.write_bytes(path.read_bytes() + csv_line(read_csv(path)[0], row).encode("utf-8"))


def local_date(repo: Path) -> None:
    """Route 2: a spreadsheet wrote a date in its local form."""
    _replace(
        _table(repo, "initiatives"),
        "beyond,Beyond,hub,,,2018-09-05,",
        "beyond,Beyond,hub,,,05/09/2018,",
    )


def lost_zero(repo: Path) -> None:
    """Route 2: a spreadsheet read the code 0180 as the number 180."""
    _replace(_table(repo, "regions"), ",,0180,", ",,180,")


def missing_source(repo: Path) -> None:
    row = valid_row(repo, "clusters", NEW_ID)
    row["source_id"] = ""
    path = _table(repo, "clusters")
    path.write_bytes(path.read_bytes() + csv_line(read_csv(path)[0], row).encode("utf-8"))


SCENARIOS: dict[str, tuple[Callable[[Path], None], int]] = {
    "excel-saved-row": (excel_saved_row, 0),
    "excel-semicolons": (excel_semicolons, 1),
    "wrong-region": (wrong_region, 1),
    "local-date": (local_date, 1),
    "lost-zero": (lost_zero, 1),
    "missing-source": (missing_source, 1),
}


def test_every_documented_message_has_a_scenario_and_back():
    assert sorted(documented()) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_documented_message_is_what_the_tool_says(
    name: str, repo: Path, cli: Callable[..., CliResult]
):
    make, exit_code = SCENARIOS[name]
    make(repo)
    commit(repo)
    result = cli("validate", "datapackage", "--base", "main")
    assert result.code == exit_code, result.out
    output = " ".join(result.out.split())
    for line in documented()[name]:
        assert " ".join(line.split()) in output, f"{name}: {line!r} not in:\n{result.out}"
