"""Domain checks: each fails on its fixture (check id, line, column, value), passes clean data."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from fixtures.packages import write_package

from clusterdata.core.findings import Finding, Severity
from clusterdata.core.lines import map_lines
from clusterdata.core.package import open_package
from clusterdata.validation.rules import domain
from clusterdata.validation.rules.run import check_frames
from clusterdata.validation.structure import duckdb_engine as fastpath
from clusterdata.validation.structure.run import StructureResult, check_structure


def layer2(folder: Path, schema: dict[str, Any], text: str) -> list[Finding]:
    """Layer 2 alone on a one-table package (layer 1's line map, without running frictionless).

    Also runs layer 2's DuckDB engine on the same package (layer 1's fast path forced) and
    checks that it gives the very same findings, so every fixture here pins both engines.
    """
    package = open_package(write_package(folder, {"t": (schema, text)}))
    resource = package.resources[0]
    line_map, _ = map_lines(resource, "utf-8")
    structure = StructureResult(
        readable=[resource], line_maps={"t": line_map}, encodings={"t": "utf-8"}
    )
    found, checks = check_frames(package, structure)
    in_duckdb, duck_checks = layer2_in_duckdb(folder)
    if in_duckdb is not None:
        # Repeats across the whole table are layer 1's on the DuckDB engine (they merge).
        whole_table = {"unique-error", "primary-key"}
        assert sorted(
            (f for f in in_duckdb if f.check not in whole_table), key=Finding.sort_key
        ) == sorted((f for f in found if f.check not in whole_table), key=Finding.sort_key)
        assert duck_checks == checks
    return found


def layer2_in_duckdb(folder: Path) -> tuple[list[Finding] | None, int]:
    """Layer 2 on the tables layer 1 left in DuckDB; None when layer 1 did not use DuckDB."""
    with mock.patch.dict(os.environ, {fastpath.ENV: "1"}):
        package = open_package(folder)
        structure = check_structure(package)
    try:
        if "t" not in structure.checked_in_duckdb:
            return None, 0
        return check_frames(package, structure)
    finally:
        structure.close()


def located(
    found: list[Finding], check: str | None = None
) -> list[tuple[str, int | None, str | None, str | None]]:
    return sorted(
        ((f.check, f.line, f.column, f.value) for f in found if check in (None, f.check)),
        key=lambda x: (x[1] or 0, x[2] or "", x[0]),
    )


TEXT = {"fields": [{"name": "id", "type": "string"}, {"name": "text", "type": "string"}]}


def run_text(tmp_path: Path, *cells: str, check: str | None = None) -> list[tuple[Any, ...]]:
    lines = ["id,text"] + [f'r{i},"{c}"' for i, c in enumerate(cells)]
    return located(layer2(tmp_path, TEXT, "\n".join(lines) + "\n"), check)


# --- Unicode NFC --------------------------------------------------------------------------------


def test_decomposed_letter_is_reported_with_line_column_and_value(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Värmland")
    assert run_text(tmp_path, "Värmland", decomposed) == [("unicode-nfc", 3, "text", decomposed)]
    finding = next(f for f in layer2(tmp_path / "b", TEXT, f"id,text\nx,{decomposed}\n"))
    assert finding.severity is Severity.ERROR
    assert "clusterdata format" in (finding.hint or "")


def test_every_character_below_u0300_is_nfc_stable_alone_and_in_pairs() -> None:
    """The prefilter in `domain.not_nfc` skips cells made only of these characters."""
    chars = [chr(i) for i in range(0x300)]
    assert all(unicodedata.combining(c) == 0 for c in chars)
    assert all(unicodedata.is_normalized("NFC", a + b) for a in chars for b in chars)


def test_a_compatibility_singleton_beyond_u0300_is_caught(tmp_path: Path) -> None:
    assert run_text(tmp_path, "\u212b ngström", check="unicode-nfc") == [
        ("unicode-nfc", 2, "text", "\u212b ngström")
    ]


# --- whitespace ---------------------------------------------------------------------------------


def test_leading_and_trailing_whitespace_are_errors(tmp_path: Path) -> None:
    found = layer2(tmp_path, TEXT, 'id,text\na, Gävle\nb,"Gävle "\nc,Gävle\n')
    assert located(found) == [
        ("whitespace", 2, "text", " Gävle"),
        ("whitespace", 3, "text", "Gävle "),
    ]
    assert {f.severity for f in found} == {Severity.ERROR}


def test_doubled_space_inside_text_is_a_warning_and_line_breaks_are_not(tmp_path: Path) -> None:
    found = layer2(tmp_path, TEXT, 'id,text\na,Paper  Province\nb,"one\n\ntwo"\nc,a b\n')
    assert located(found) == [("whitespace", 2, "text", "Paper  Province")]
    assert found[0].severity is Severity.WARNING


def test_edge_and_doubled_whitespace_in_one_cell_is_one_error(tmp_path: Path) -> None:
    found = layer2(tmp_path, TEXT, 'id,text\na," Paper  Province"\n')
    assert [(f.check, f.severity) for f in found] == [("whitespace", Severity.ERROR)]


# --- formula injection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "=SUM(A1:A9)",
        "=1+1",
        "= 2",
        "+SUM(A1)",
        '-HYPERLINK("http://x","y")',
        "@SUM(A1)",
        "-A1",
        "+$B$2*3",
        "-cmd|' /C calc'!A0",
        "+=1",
        "@cmd|x",
        "=",
    ],
)
def test_formula_like_cells_are_flagged(text: str) -> None:
    assert domain.looks_like_formula(text) == (text != "=")


@pytest.mark.parametrize(
    "text",
    [
        "-12",
        "+12",
        "-1.5e3",
        "- bättre mekanismer",
        "-bättre mekanismer",
        "+46 70 618 77 51",
        "@paperprovince",
        "- E4 motorvägen",
        "- mer (se nedan)",
        "-",
        "Stål = styrka",
        "",
    ],
)
def test_numbers_and_dash_led_prose_are_not_formulas(text: str) -> None:
    assert not domain.looks_like_formula(text)


def test_formula_injection_is_located(tmp_path: Path) -> None:
    found = layer2(
        tmp_path, TEXT, 'id,text\na,- bättre mekanismer\nb,-12\nc,=HYPERLINK("http://x")\n'
    )
    assert located(found) == [("formula-injection", 4, "text", '=HYPERLINK("http://x")')]


# --- personal data ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kontakta anna.andersson@example.se för mer",
        "070-618 77 51",
        "Ring +46 70 618 77 51",
        "08-123 456 78",
        "tel 0046 8 123 456 78",
        "0706187751",
        "0480-123 45",
        "pnr 811218-9876",
        "19811218-9876",
        "8112189876",
    ],
)
def test_personal_data_is_flagged(tmp_path: Path, text: str) -> None:
    assert run_text(tmp_path, text, check="personal-data") == [("personal-data", 2, "text", text)]


@pytest.mark.parametrize(
    "text",
    [
        "Org.nr 556036-0793",
        "5560360793",
        "2019-05-20",
        "14 klusterinitiativ, 700 företag",
        "60 000 anställda",
        "SE-S",
        "år 2012-2014",
        "https://www.example.se/page/2019",
        "Kontakta oss via webbplatsen",
        "ISBN 978-91-7545-123-4",
        "+12",
    ],
)
def test_organisation_numbers_dates_and_counts_are_not_personal_data(
    tmp_path: Path, text: str
) -> None:
    assert run_text(tmp_path, text, check="personal-data") == []


def test_personal_data_is_an_error(tmp_path: Path) -> None:
    found = layer2(tmp_path, TEXT, "id,text\na,anna@example.se\n")
    assert [(f.check, f.severity) for f in found] == [("personal-data", Severity.ERROR)]


def test_a_declared_email_column_is_not_flagged_as_personal_data(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "contact", "type": "string", "format": "email"}]}
    assert layer2(tmp_path, schema, "contact\ninfo@example.se\n") == []


# --- codes --------------------------------------------------------------------------------------


def test_iso_3166_2_codes_must_exist(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "code", "type": "string", "x-domain": "iso-3166-2"}]}
    found = layer2(tmp_path, schema, "code\nSE-S\nSE\nSE-XX\nse-s\n\nNO-03\n")
    assert located(found) == [("iso-3166-2", 4, "code", "SE-XX"), ("iso-3166-2", 5, "code", "se-s")]


@pytest.mark.parametrize(
    "text,bad",
    [
        ("556036-0793", False),  # a real aktiebolag
        ("202100-5489", False),  # a public body
        ("5560360793", True),  # no hyphen
        ("556036-0794", True),  # wrong check digit
        ("811218-9876", True),  # a personal identity number (sole trader)
        ("551218-9877", True),  # digits 3–4 below 20
        ("16556036-0793", True),  # century prefix form is not the published form
    ],
)
def test_organisation_numbers(text: str, bad: bool) -> None:
    assert domain.bad_orgnr(text) is bad


def test_invalid_organisation_number_is_located(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "orgnr", "type": "string", "x-domain": "se-orgnr"}]}
    found = layer2(tmp_path, schema, "orgnr\n556036-0793\n556036-0794\n811218-9876\n")
    assert located(found) == [
        ("se-orgnr", 3, "orgnr", "556036-0794"),
        ("se-orgnr", 4, "orgnr", "811218-9876"),
    ]


@pytest.mark.parametrize(
    "text,bad",
    [
        ("https://www.example.se", False),
        ("http://example.se/a?b=c#d", False),
        ("https://www.läkemedelsverket.se/", False),
        ("https://example.se:8443/x", False),
        ("ftp://example.se", True),
        ("https://", True),
        ("www.example.se", True),
        ("https://exa mple.se", True),
        ("https://example.se:99999", True),
        ("mailto:a@b.se", True),
    ],
)
def test_urls(text: str, bad: bool) -> None:
    assert domain.bad_url(text) is bad


def test_bad_url_in_a_uri_field_is_located(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "website", "type": "string", "format": "uri"}]}
    found = layer2(tmp_path, schema, "website\nhttps://example.se\nftp://example.se\n")
    assert located(found, "url") == [("url", 3, "website", "ftp://example.se")]


@pytest.mark.parametrize(
    "text,bad",
    [
        ("SE", True),
        ("SE3", False),
        ("SE31", False),
        ("SE311", False),
        ("EL30", False),
        ("SEZZZ", True),
        ("SE3111", True),
        ("XX1", True),
        ("se31", True),
    ],
)
def test_nuts_codes(text: str, bad: bool) -> None:
    assert domain.bad_nuts(text) is bad


def test_county_codes_come_from_pycountry() -> None:
    codes = domain.se_county_codes()
    assert len(codes) == 21
    assert {"01", "17", "25"} <= codes
    assert not {"02", "11", "15", "16", "26"} & codes


def test_code_lists_read_from_pycountrys_data_file_equal_its_api() -> None:
    """The code lists skip pycountry's slow API but must hold exactly what it holds."""
    import re

    import pycountry

    countries = {c.alpha_2 for c in pycountry.countries}
    assert domain.iso_3166_codes() == {s.code for s in pycountry.subdivisions} | countries
    assert domain.nuts_countries() == countries | {"EL", "UK"}
    named = {
        m.group(1)
        for s in pycountry.subdivisions.get(country_code="SE") or []
        if (m := re.search(r"\[SE-(\d{2})\]", s.name))
    }
    assert domain.se_county_codes() == named


def test_county_and_municipality_codes_are_located(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "county", "type": "string", "x-domain": "se-county-code"},
            {"name": "municipality", "type": "string", "x-domain": "se-municipality-code"},
            {"name": "nuts", "type": "string", "x-domain": "nuts"},
        ]
    }
    found = layer2(tmp_path, schema, "county,municipality,nuts\n17,1780,SE311\n2,1180,SEZ\n")
    assert located(found) == [
        ("se-county-code", 3, "county", "2"),
        ("se-municipality-code", 3, "municipality", "1180"),
        ("nuts", 3, "nuts", "SEZ"),
    ]


# --- date order ---------------------------------------------------------------------------------

DATES = {
    "fields": [{"name": "start", "type": "string"}, {"name": "end", "type": "string"}],
    "x-checks": [{"check": "date-order", "start": "start", "end": "end"}],
}


def test_end_before_start_is_located_on_the_end_column(tmp_path: Path) -> None:
    found = layer2(tmp_path, DATES, "start,end\n2019-05-20,2019-05-19\n2019,2020\n")
    assert located(found) == [("date-order", 2, "end", "2019-05-19")]
    assert "2019-05-20" in found[0].message


@pytest.mark.parametrize(
    "start,end,bad",
    [
        ("2019", "2019-05", False),  # same year: the common precision agrees
        ("2019-05", "2019-05-01", False),
        ("2019-06", "2019-05-31", True),
        ("2020", "2019-12-31", True),
        ("2019-05-20", "2019-05-20", False),
        ("", "2019", False),  # no start: nothing to compare
        ("senhösten 2012", "2011", False),  # not a partial ISO date: the type checks own it
    ],
)
def test_date_order_compares_partial_dates_on_their_common_precision(
    tmp_path: Path, start: str, end: str, bad: bool
) -> None:
    found = layer2(tmp_path, DATES, f"start,end\n{start},{end}\n")
    assert bool(located(found, "date-order")) is bad


def test_malformed_date_order_declaration_is_a_schema_error(tmp_path: Path) -> None:
    schema = {
        **DATES,
        "x-checks": [
            {"check": "date-order", "start": "start", "end": "nope"},
            {"check": "something-else"},
        ],
    }
    found = layer2(tmp_path, schema, "start,end\n2020,2019\n")
    assert [(f.check, f.line) for f in found] == [("schema-error", None)]


# --- clean data ---------------------------------------------------------------------------------


def test_clean_swedish_text_passes_every_domain_check(tmp_path: Path) -> None:
    schema = {
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "name", "type": "string"},
            {"name": "iso", "type": "string", "x-domain": "iso-3166-2"},
            {"name": "orgnr", "type": "string", "x-domain": "se-orgnr"},
            {"name": "url", "type": "string", "format": "uri"},
            {"name": "start", "type": "string"},
            {"name": "end", "type": "string"},
        ],
        "x-checks": [{"check": "date-order", "start": "start", "end": "end"}],
    }
    text = (
        "id,name,iso,orgnr,url,start,end\n"
        'paper-province,"Stål & Verkstad, Gävleborg – 15 klusterorganisationer",SE-X,'
        "556036-0793,https://www.paperprovince.com/,2012,2019-05\n"
        'x,"- bättre mekanismer\nför samverkan",SE,,,,\n'
    )
    assert layer2(tmp_path, schema, text) == []
