"""The evidence checks: a source is a url or a hash-checked archive, and quotes are in it.

Fixtures are tiny packages whose `sources` and `facts` schemas are cut from the real
`schemas/tables/` (only the columns the checks read), so a renamed column breaks them too.
Each check has a failing fixture located by (check, line, column, value) and a passing one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from fixtures.packages import SCHEMAS, write_package

from clusterdata.validation.evidence import normalise
from clusterdata.validation.pipeline import validate

TEXT = "Projektet omfattar 15 klusterorganisationer\nmed 700 företag och cirka 60\u00a0000 anställda.\n"
SHA = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
SOURCE = ("id", "url", "archive", "sha256", "retrieved")
FACT = ("id", "source_id", "quote")


def cut(table: str, fields: tuple[str, ...]) -> dict:
    schema = json.loads((SCHEMAS / "tables" / f"{table}.schema.json").read_text(encoding="utf-8"))
    by_name = {f["name"]: f for f in schema["fields"]}
    return {"fields": [by_name[name] for name in fields], "primaryKey": ["id"]}


def package(tmp_path: Path, sources: list[str], facts: list[str], archive: str = TEXT) -> Path:
    folder = tmp_path / "package"
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "slim.txt").write_text(archive, encoding="utf-8")
    return write_package(
        folder,
        {
            "sources": (cut("sources", SOURCE), "\n".join([",".join(SOURCE), *sources]) + "\n"),
            "facts": (cut("facts", FACT), "\n".join([",".join(FACT), *facts]) + "\n"),
        },
    )


def located(path: Path) -> list[tuple[str, str, int | None, str | None, str | None]]:
    report = validate(path, use_default_checks=False)
    return [
        (f.check, f.severity.value, f.line, f.column, f.value)
        for f in report.findings
        if f.check.startswith(("source-", "quote-"))
    ]


ARCHIVED = f"slim,,sources/slim.txt,{SHA},"


def test_an_archived_source_with_its_hash_and_a_quote_from_it_passes(tmp_path):
    facts = ['f1,slim,"15 klusterorganisationer med 700 företag"']
    assert located(package(tmp_path, [ARCHIVED], facts)) == []


def test_a_source_with_neither_url_nor_archive_is_an_error_on_its_line(tmp_path):
    sources = [ARCHIVED, "lost,,,,"]
    assert located(package(tmp_path, sources, [])) == [
        ("source-not-checkable", "error", 3, "url", None)
    ]


def test_a_url_source_with_a_retrieval_date_passes_and_without_one_warns(tmp_path):
    sources = [ARCHIVED, "web,https://example.se/a,,,2018-07-10", "old,https://example.se/b,,,"]
    assert located(package(tmp_path, sources, [])) == [
        ("source-retrieval-date", "warning", 4, "retrieved", "https://example.se/b")
    ]


def test_an_archive_that_does_not_match_its_hash_is_an_error(tmp_path):
    edited = TEXT.replace("700", "800")
    path = package(tmp_path, [ARCHIVED], [], archive=edited)
    assert located(path) == [("source-archive-hash", "error", 2, "sha256", SHA)]


def test_an_archive_without_a_recorded_hash_is_an_error(tmp_path):
    path = package(tmp_path, ["slim,,sources/slim.txt,,"], [])
    assert located(path) == [("source-archive-hash", "error", 2, "sha256", None)]


def test_a_missing_archive_file_is_an_error_naming_the_path(tmp_path):
    path = package(tmp_path, [f"gone,,sources/gone.txt,{SHA},"], [])
    assert located(path) == [("source-archive-missing", "error", 2, "archive", "sources/gone.txt")]


def test_a_quote_that_is_not_in_the_archived_text_is_located(tmp_path):
    facts = ['f1,slim,"15 klusterorganisationer"', 'f2,slim,"16 klusterorganisationer"']
    assert located(package(tmp_path, [ARCHIVED], facts)) == [
        ("quote-not-in-source", "error", 3, "quote", "16 klusterorganisationer")
    ]


def test_quotes_match_across_line_breaks_no_break_spaces_and_decomposed_letters(tmp_path):
    decomposed = "med 700 fo\u0308retag och cirka 60 000 anställda"  # NFD ö, plain space
    facts = [f'f1,slim,"{decomposed}"', 'f2,slim,"klusterorganisationer med  700"']
    assert located(package(tmp_path, [ARCHIVED], facts)) == []


def test_a_quote_of_a_source_without_an_archive_is_not_checked(tmp_path):
    sources = [ARCHIVED, "web,https://example.se/a,,,2018-07-10"]
    facts = ['f1,web,"words only the web page has"']
    assert located(package(tmp_path, sources, facts)) == []


def test_a_quote_longer_than_a_short_citation_is_a_max_length_error(tmp_path):
    long_quote = " ".join(["ord"] * 150)
    report = validate(
        package(tmp_path, [ARCHIVED], [f'f1,slim,"{long_quote}"']), use_default_checks=False
    )
    [finding] = [
        f for f in report.findings if f.column == "quote" and f.check != "quote-not-in-source"
    ]
    assert (finding.check, finding.line) == ("constraint-max-length", 2)
    assert "400" in (finding.hint or "")


def test_normalise_folds_unicode_and_white_space_but_keeps_case():
    assert normalise(" Paper\u00a0province\n är ") == "Paper province är"
    assert normalise("o\u0308") == "ö"
    assert normalise("Paper Province") != normalise("Paper province")


# --- the bundled package ------------------------------------------------------------------------


def _rewrite(path: Path, change) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    change(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_the_bundled_package_passes_every_evidence_check():
    report = validate()
    assert [
        f for f in report.findings if f.check.startswith(("quote-", "source-")) and f.is_error
    ] == []


def test_a_changed_word_in_a_bundled_quote_fails_validation_on_its_line(package_copy, cli):
    facts = package_copy / "data" / "facts.csv"
    header = facts.read_text(encoding="utf-8").splitlines()[0].split(",")
    quote = header.index("quote")

    def change(rows: list[list[str]]) -> None:
        [row] = [r for r in rows if r[0] == "slim-companies"]
        row[quote] = row[quote].replace("700 företag", "800 företag")

    _rewrite(facts, change)
    result = cli("validate", package_copy / "datapackage.json", "--format", "json")
    assert result.code == 1
    errors = [
        (f["check"], f["path"], f["column"])
        for f in result.json()["findings"]
        if f["severity"] == "error"
    ]
    assert errors == [("quote-not-in-source", "data/facts.csv", "quote")]


def test_an_edited_archive_of_the_bundled_package_fails_validation(package_copy, cli):
    archive = package_copy / "sources" / "14-klusterinitiativ.txt"
    archive.write_text(
        archive.read_text(encoding="utf-8").replace("14 etablerade", "15 etablerade")
    )
    result = cli("validate", package_copy / "datapackage.json", "--format", "json")
    assert result.code == 1
    checks = sorted({f["check"] for f in result.json()["findings"] if f["severity"] == "error"})
    assert checks == ["source-archive-hash"]


def test_every_bundled_source_is_a_url_or_an_archive():
    with (SCHEMAS.parent / "datapackage" / "data" / "sources.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows if not (r["url"] or r["archive"])] == []
    # the five seeds, the county table and the transcribed SCB municipality list
    assert sum(1 for r in rows if r["archive"]) == 7


def test_every_bundled_url_source_without_an_archive_has_its_retrieval_date():
    with (SCHEMAS.parent / "datapackage" / "data" / "sources.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        rows = list(csv.DictReader(handle))
    undated = [r["id"] for r in rows if r["url"] and not r["archive"] and not r["retrieved"]]
    assert undated == []


def test_a_release_carries_the_archived_sources_hashed_and_free_of_personal_data(
    package_copy, cli, tmp_path
):
    import zipfile

    from fixtures.personal_data import personal_data

    result = cli("publish", package_copy / "datapackage.json", "--out", tmp_path / "dist")
    assert result.code == 0, result.err
    [release] = (tmp_path / "dist").glob("swedish-clusters-*/datapackage.json")
    descriptor = json.loads(release.read_text(encoding="utf-8"))
    archived = {
        r["path"]: r["hash"]
        for r in descriptor["resources"]
        if r.get("x-release") == "source-archive"
    }
    assert len(archived) == 7  # every archived source of sources.csv
    for path, digest in archived.items():
        data = (release.parent / path).read_bytes()
        assert digest == "sha256:" + hashlib.sha256(data).hexdigest()
    [archive] = release.parent.glob("*.zip")
    with zipfile.ZipFile(archive) as bundle:
        texts = [n for n in bundle.namelist() if n.endswith((".txt", ".csv", ".json", ".md"))]
        assert any(n.endswith("sources/14-klusterinitiativ.txt") for n in texts)
        leaks = {n: personal_data(bundle.read(n).decode("utf-8")) for n in texts}
    assert {n: found for n, found in leaks.items() if found} == {}
    assert cli("validate", release).code == 0
