"""`clusterdata format` on a table saved with another separator than the declared one: what an
Excel with Swedish settings writes for every CSV type (semicolons, a byte-order mark, CRLF).

`validate` says `wrong-separator` and checks no row (the file is not the declared table);
`format` rewrites it with the declared separator, values unchanged, so the contributor's
spreadsheet route ends in a valid table. Both tell the case by `core.separators`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from fixtures.packages import write_dialect_package

from clusterdata.authoring.canonical import canonicalize, format_package
from clusterdata.authoring.contribution import canonical_findings
from clusterdata.core.package import open_package
from clusterdata.validation.pipeline import validate

SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "name", "type": "string"},
        {"name": "note", "type": "string"},
    ],
    "primaryKey": ["id"],
}
ROWS = [
    ["id", "name", "note"],
    ["2", "Paper Province", "Karlstad, Värmland"],
    ["1", "Compare; Karlstad", ""],
]
#: The same table in canonical form: commas, sorted by id, LF, minimal quoting.
CANONICAL = 'id,name,note\n1,Compare; Karlstad,\n2,Paper Province,"Karlstad, Värmland"\n'


def _saved(rows: list[list[str]], separator: str, bom: bool = True) -> bytes:
    """Bytes as a spreadsheet writes them: quoting only what holds the separator, CRLF,
    no final line break."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue().rstrip("\r\n")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def _package(folder: Path, data: bytes, dialect: dict[str, Any] | None = None) -> Path:
    descriptor = write_dialect_package(folder, SCHEMA, "", dialect or {})
    (folder / "t.csv").write_bytes(data)
    return descriptor


def test_a_semicolon_file_from_swedish_excel_is_rewritten_with_commas_values_unchanged(
    tmp_path: Path,
) -> None:
    descriptor = _package(tmp_path, _saved(ROWS, ";"))
    [before] = [f for f in validate(descriptor, use_default_checks=False).findings]
    assert (before.check, before.line) == ("wrong-separator", 1)
    assert "clusterdata format" in (before.hint or "")

    outcome = format_package(open_package(descriptor))

    assert not outcome.refused
    assert (tmp_path / "t.csv").read_text("utf-8") == CANONICAL
    assert validate(descriptor, use_default_checks=False).valid


def test_the_layout_notice_names_the_separator_among_the_changes(tmp_path: Path) -> None:
    descriptor = _package(tmp_path, _saved(ROWS, ";"))
    [notice] = canonical_findings(open_package(descriptor), unreadable=set())
    assert "separated by semicolons (';')" in notice.message
    assert "quoted differently" not in notice.message  # the separator explains the bytes


def test_a_tab_separated_file_declared_as_comma_separated_is_rewritten_too(
    tmp_path: Path,
) -> None:
    descriptor = _package(tmp_path, _saved(ROWS, "\t", bom=False))
    canonical = canonicalize(open_package(descriptor).resources[0])
    assert canonical.data.decode("utf-8") == CANONICAL


def test_a_declared_semicolon_dialect_keeps_its_semicolons(tmp_path: Path) -> None:
    descriptor = _package(tmp_path, _saved(ROWS, ";", bom=False), {"delimiter": ";"})
    assert validate(descriptor, use_default_checks=False).valid
    canonical = canonicalize(open_package(descriptor).resources[0])
    assert canonical.data.decode("utf-8").splitlines()[0] == "id;name;note"


def test_a_semicolon_header_that_is_not_the_schema_is_still_refused(tmp_path: Path) -> None:
    rows = [["id", "name", "remark"], *ROWS[1:]]
    descriptor = _package(tmp_path, _saved(rows, ";"))
    data = (tmp_path / "t.csv").read_bytes()
    outcome = format_package(open_package(descriptor))
    assert outcome.refused and not any(r.changed for r in outcome.results)
    assert (tmp_path / "t.csv").read_bytes() == data  # left as it was


def test_a_semicolon_file_under_a_comment_row_dialect_is_not_guessed_at(tmp_path: Path) -> None:
    """Only a header on line 1 is told apart, as `validate` tells it; with rows before the
    header, the file is refused as before rather than read with a separator no layer saw."""
    data = b"# made in Excel\r\n" + _saved(ROWS, ";", bom=False)
    descriptor = _package(tmp_path, data, {"commentChar": "#"})
    outcome = format_package(open_package(descriptor))
    assert outcome.refused and not any(r.changed for r in outcome.results)
    assert (tmp_path / "t.csv").read_bytes() == data


def test_a_semicolon_file_in_windows_1252_names_both_the_separator_and_the_encoding(
    tmp_path: Path,
) -> None:
    """Excel's plain "CSV" in Swedish: semicolons and Windows-1252. `format` mends the first,
    not the second (an encoding is a guess), so the contributor hears of both at once."""
    data = _saved(ROWS, ";", bom=False).decode("utf-8").encode("cp1252")
    descriptor = _package(tmp_path, data)
    report = validate(descriptor, use_default_checks=False)
    assert [(f.check, f.line) for f in report.findings] == [
        ("wrong-separator", 1),
        ("encoding-error", 2),
    ]
    assert format_package(open_package(descriptor)).refused
    assert (tmp_path / "t.csv").read_bytes() == data


def test_a_semicolon_file_whose_header_follows_a_title_row_is_found_but_not_rewritten(
    tmp_path: Path,
) -> None:
    """validate finds the header where the dialect puts it (`headerRows`) and names the
    separator at its line; `format` keeps title rows as written, so it cannot rewrite this
    file, and the hint does not send the contributor there; format refuses, writing nothing."""
    data = _saved([["Kluster 2026"], *ROWS], ";")
    descriptor = _package(tmp_path, data, {"headerRows": [2]})
    [before] = validate(descriptor, use_default_checks=False).findings
    assert (before.check, before.line, before.value) == ("wrong-separator", 2, "id;name;note")
    assert "clusterdata format" not in (before.hint or "")
    assert "Save the file again with commas" in (before.hint or "")
    format_package(open_package(descriptor))
    assert (tmp_path / "t.csv").read_bytes() == data
