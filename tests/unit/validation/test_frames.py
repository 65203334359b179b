"""Layer 2 end to end: findings at physical lines, robustness, one report with layer 1."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fixtures.packages import CliResult, write_package

from clusterdata.core.findings import Severity
from clusterdata.core.package import open_package
from clusterdata.validation.rules.run import check_frames, read_text_frame
from clusterdata.validation.structure import duckdb_engine as fastpath
from clusterdata.validation.structure.run import check_structure


def run_layers(descriptor: Path) -> tuple[list[Any], list[Any], int]:
    package = open_package(descriptor)
    structure = check_structure(package)
    found, checks = check_frames(package, structure)
    return structure.findings, found, checks


def cells(found: list[Any], check: str | None = None) -> list[tuple[str, int | None, str | None]]:
    return sorted((f.check, f.line, f.column) for f in found if check in (None, f.check))


SCHEMA = {
    "fields": [
        {
            "name": "id",
            "type": "string",
            "constraints": {"required": True, "unique": True, "pattern": "[a-z0-9]+(-[a-z0-9]+)*"},
        },
        {"name": "name", "type": "string", "constraints": {"required": True}},
        {"name": "description", "type": "string"},
        {"name": "region", "type": "string", "x-domain": "iso-3166-2"},
        {"name": "orgnr", "type": "string", "x-domain": "se-orgnr"},
        {"name": "website", "type": "string", "format": "uri"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["cluster", "network"]}},
        {"name": "start", "type": "string"},
        {"name": "end", "type": "string"},
    ],
    "primaryKey": ["id"],
    "x-checks": [{"check": "date-order", "start": "start", "end": "end"}],
}
HEADER = "id,name,description,region,orgnr,website,kind,start,end\n"
CLEAN = "ok,Klustret,Text,SE-S,556036-0793,https://example.se,cluster,2012,2019\n"


def test_each_injected_defect_is_reported_by_validate_json_at_its_physical_line(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    decomposed = unicodedata.normalize("NFD", "å")
    text = (
        HEADER
        + 'first,Första,"Två rader:\nden andra",SE-S,,,cluster,2012,\n'  # lines 2–3
        + f"nfc,Sk{decomposed}ne,,SE-M,,,cluster,,\n"  # line 4
        + "ws, Gävle,,SE-X,,,cluster,,\n"  # line 5
        + "late,Sen,,SE-S,,,cluster,2019-05,2018\n"  # line 6
        + 'formula,Formel,"=HYPERLINK(""http://x"")",SE-S,,,cluster,,\n'  # line 7
        + "mail,Post,Kontakta anna@example.se,SE-S,,,cluster,,\n"  # line 8
        + "iso,Kod,,SE-XX,,,cluster,,\n"  # line 9
        + "org,Org,,SE-S,556036-0794,,cluster,,\n"  # line 10
    )
    descriptor = write_package(tmp_path / "pkg", {"clusters": (SCHEMA, text)})
    result = cli("validate", descriptor, "--format", "json")
    assert result.code == 1, result.err
    report = result.json()
    got = {(f["check"], f["line"], f["column"], f["value"]) for f in report["findings"]}
    assert got >= {
        ("unicode-nfc", 4, "name", f"Sk{decomposed}ne"),
        ("whitespace", 5, "name", " Gävle"),
        ("date-order", 6, "end", "2018"),
        ("formula-injection", 7, "description", '=HYPERLINK("http://x")'),
        ("personal-data", 8, "description", "Kontakta anna@example.se"),
        ("iso-3166-2", 9, "region", "SE-XX"),
        ("se-orgnr", 10, "orgnr", "556036-0794"),
    }
    assert all(
        f["path"] == "clusters.csv" and f["resource"] == "clusters" and f["hint"]
        for f in report["findings"]
    )
    identities = Counter(
        (f["path"], f["line"], f["column"], f["check"]) for f in report["findings"]
    )
    assert max(identities.values()) == 1


def test_a_defect_both_layers_see_is_reported_once(
    tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    text = HEADER + CLEAN + "Bad_Id,Namn,,SE-S,,,club,,\n"
    descriptor = write_package(tmp_path / "pkg", {"clusters": (SCHEMA, text)})
    layer1, layer2, _ = run_layers(descriptor)
    both = {("constraint-pattern", 3, "id"), ("constraint-enum", 3, "kind")}
    assert both <= set(cells(layer1))  # frictionless sees them …
    assert both <= set(cells(layer2))  # … and so does pandera, with the same ids
    findings = cli("validate", descriptor, "--format", "json").json()["findings"]
    assert sorted(
        (f["check"], f["line"], f["column"])
        for f in findings
        if (f["check"], f["line"], f["column"]) in both
    ) == sorted(both)


def test_a_newline_in_an_earlier_cell_moves_later_findings_to_their_physical_line(
    tmp_path: Path,
) -> None:
    text = (
        HEADER
        + 'a,A,"one\ntwo\nthree",SE-S,,,cluster,,\n'  # lines 2–4
        + "b,B,,SE-XX,,,cluster,,\n"
    )  # line 5
    _, found, _ = run_layers(write_package(tmp_path / "pkg", {"t": (SCHEMA, text)}))
    assert cells(found) == [("iso-3166-2", 5, "region")]


def test_blank_lines_short_and_long_rows_do_not_shift_lines(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}]}
    text = "a,b\n1,x\n\n2\n3,y,extra\nz,w\n"
    _, found, _ = run_layers(write_package(tmp_path / "pkg", {"t": (schema, text)}))
    assert cells(found, "type-error") == [("type-error", 6, "a")]


def test_crlf_files_report_the_same_lines(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "a", "type": "integer"}]}
    folder = tmp_path / "pkg"
    descriptor = write_package(folder, {"t": (schema, "")})
    (folder / "t.csv").write_bytes(b"a\r\n1\r\nx\r\n")
    _, found, _ = run_layers(descriptor)
    assert cells(found) == [("type-error", 3, "a")]


def test_header_only_table_runs_its_checks_and_finds_nothing(tmp_path: Path) -> None:
    _, found, checks = run_layers(write_package(tmp_path / "pkg", {"t": (SCHEMA, HEADER)}))
    assert found == []
    assert checks > len(SCHEMA["fields"])


def test_all_empty_column_fails_required_on_every_row_and_nothing_else(tmp_path: Path) -> None:
    text = HEADER + "a,,,,,,,,\nb,,,,,,,,\n"
    _, found, _ = run_layers(write_package(tmp_path / "pkg", {"t": (SCHEMA, text)}))
    assert cells(found) == [("constraint-required", 2, "name"), ("constraint-required", 3, "name")]


@pytest.mark.slow
def test_a_thousand_columns_are_checked(tmp_path: Path) -> None:
    names = [f"c{i}" for i in range(1000)]
    schema = {"fields": [{"name": n, "type": "string"} for n in names]}
    row = ["x"] * 1000
    row[999] = "=SUM(A1)"
    text = ",".join(names) + "\n" + ",".join(["y"] * 1000) + "\n" + ",".join(row) + "\n"
    _, found, checks = run_layers(write_package(tmp_path / "pkg", {"t": (schema, text)}))
    assert cells(found) == [("formula-injection", 3, "c999")]
    assert checks >= 1000


def test_missing_header_columns_and_odd_fields_do_not_raise(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "a", "type": "integer"},
            {"name": "gone", "type": "date", "constraints": {"required": True}},
        ]
    }
    package = open_package(write_package(tmp_path / "pkg", {"t": (schema, "a\n1\nx\n")}))
    frame = read_text_frame(package.resources[0], "utf-8")
    assert list(frame.columns) == ["a"]
    structure = check_structure(package)
    structure.readable = list(package.resources)  # even if layer 1 would stop the table
    found, _ = check_frames(package, structure)
    assert cells(found) == [("type-error", 3, "a")]


def test_missing_values_declared_by_the_schema_are_honoured(tmp_path: Path) -> None:
    schema = {
        "fields": [{"name": "n", "type": "integer", "constraints": {"required": True}}],
        "missingValues": ["", "NA"],
    }
    _, found, _ = run_layers(write_package(tmp_path / "pkg", {"t": (schema, "n\n1\nNA\n")}))
    assert [(f.check, f.line, f.value) for f in found] == [("constraint-required", 3, None)]


def test_a_check_that_breaks_becomes_an_internal_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clusterdata.validation.rules import domain

    def boom(text: str) -> bool:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(domain, "bad_orgnr", boom)
    schema = {"fields": [{"name": "orgnr", "type": "string", "x-domain": "se-orgnr"}]}
    _, found, _ = run_layers(write_package(tmp_path / "pkg", {"t": (schema, "orgnr\n1\n")}))
    assert [(f.check, f.severity, f.column) for f in found] == [
        ("internal-error", Severity.ERROR, "orgnr")
    ]
    assert "kaputt" in found[0].message


def test_unreadable_tables_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    descriptor = write_package(folder, {"t": ({"fields": [{"name": "a"}]}, "")})
    package = open_package(descriptor)
    structure = check_structure(package)
    assert structure.readable == []
    assert check_frames(package, structure) == ([], 0)


def test_layer2_findings_carry_everything_a_person_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pandas engine's own key checks (the DuckDB engine leaves keys to layer 1).
    monkeypatch.setenv("CLUSTERDATA_FASTPATH", "0")
    text = HEADER + "a,A,,SE-S,,,cluster,x,\n" + "a,B,,SE-S,,,cluster,,\n"
    _, found, _ = run_layers(write_package(tmp_path / "pkg", {"t": (SCHEMA, text)}))
    assert cells(found) == [("primary-key", 3, "id"), ("unique-error", 3, "id")]
    for finding in found:
        assert finding.resource == "t" and finding.path == "t.csv"
        assert finding.value == "a" and finding.message and finding.hint


@pytest.mark.parametrize(
    "python_prefilter", [True, False], ids=["python-prefilter", "sql-prefilter"]
)
def test_validate_gives_the_same_report_whether_tables_run_in_duckdb_or_pandas(
    python_prefilter: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engines differ in speed only: same findings (ids, lines, values, messages, hints),
    whether the DuckDB engine runs the domain pre-filters in Python (small tables) or SQL."""

    from clusterdata.validation.rules import prefilter

    if not python_prefilter:
        monkeypatch.setattr(prefilter, "PYTHON_PREFILTER_MAX_RECORDS", 0)

    from fixtures.synthetic import generate

    from clusterdata.validation.pipeline import validate

    decomposed = unicodedata.normalize("NFD", "å")
    schema = {
        **SCHEMA,
        "fields": [
            *SCHEMA["fields"],
            {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
        ],
    }
    text = (
        HEADER.rstrip("\n")
        + ",n\n"
        + 'first,Första,"Två rader:\nden andra",SE-S,,,cluster,2012,,1\n'
        + f"nfc,Sk{decomposed}ne,,SE-M,,,cluster,,, 12\n"
        + "ws, Gävle,,SE-X,,https://x.se/a b,cluster,,,+5\n"
        + "short,Kort\n"
        + "late,Sen,,SE-S,,,cluster,2019-05,2018,-1\n"
        + 'formula,Formel,"=HYPERLINK(""http://x"")",SE-S,,,cluster,,,1e3\n'
        + "mail,Post,Ring 070-618 77 51,SE-S,,,club,,,x,extra\n"
        + "\n"
        + "iso,Kod,,SE-XX,,ftp://x,cluster,,,01\n"
        + "org,Org,pnr 811218-9876,SE-S,556036-0794,,cluster,2020-01-02,2020-01-01,2\n"
        + "org,Dubblett,,SE-S,,,cluster,,,3\n"
    )
    packages = [write_package(tmp_path / "pkg", {"clusters": (schema, text)}), tmp_path / "gen"]
    generate(300, tmp_path / "gen", seed=4, defects=3)
    for package in packages:
        reports = {}
        for mode in ("0", "1"):
            monkeypatch.setenv(fastpath.ENV, mode)
            reports[mode] = validate(package, use_default_checks=False)
        monkeypatch.setenv(fastpath.ENV, "1")
        structure = check_structure(open_package(package))
        structure.close()
        assert structure.checked_in_duckdb, "the DuckDB engine was not used"
        assert reports["1"].findings == reports["0"].findings
        assert reports["1"].summary == reports["0"].summary
