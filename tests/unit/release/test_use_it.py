"""README "Use it": the pandas snippet runs and keeps codes as text, the R snippet's column types
are the data dictionary's, and the DuckDB and Excel notes name what the code writes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from fixtures.packages import REPO, SCHEMAS

from clusterdata.release import exports, workbook

#: Table Schema type → readr column type.
READR = {
    "string": "col_character()",
    "integer": "col_integer()",
    "number": "col_double()",
    "boolean": "col_logical()",
    "date": "col_date()",
    "datetime": "col_datetime()",
    "year": "col_integer()",
}


@pytest.fixture(scope="module")
def use_it() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Use it")
    return readme[start : readme.index("\n## ", start)]


def _block(section: str, after: str, language: str) -> str:
    tail = section[section.index(after) :]
    match = re.search(rf"```{language}\n(.*?)```", tail, flags=re.S)
    assert match, f"no {language} block after {after!r}"
    return match.group(1)


def test_the_pandas_snippet_keeps_codes_as_text(use_it: str, tmp_path: Path) -> None:
    code = _block(use_it, "**pandas**", "python")
    namespace: dict[str, object] = {}
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    regions = namespace["regions"]
    row = regions.loc[regions["id"] == "stockholms-lan"].iloc[0]  # type: ignore[attr-defined]
    assert row["county_code"] == "01" and row["iso_3166_2"] == "SE-AB"
    assert str(regions["county_code"].dtype) == "string"  # type: ignore[index]


def test_the_r_snippet_uses_the_column_types_of_the_data_dictionary(use_it: str) -> None:
    code = _block(use_it, "**R**", "r")
    table = re.search(r'read_csv\("datapackage/data/(\w+)\.csv"', code)
    assert table is not None and 'na = ""' in code
    declared = dict(re.findall(r"^\s+(\w+) = (col_\w+\(\))", code, flags=re.M))
    schema = json.loads((SCHEMAS / "tables" / f"{table.group(1)}.schema.json").read_text("utf-8"))
    expected = {f["name"]: READR[f["type"]] for f in schema["fields"]}
    assert declared == expected
    assert list(declared) == [f["name"] for f in schema["fields"]]  # the CSV's column order
    frictionless = _block(use_it, "frictionless", "r")
    resource = re.search(r'read_resource\(package, "(\w+)"\)', frictionless)
    assert (
        resource is not None and (SCHEMAS / "tables" / f"{resource.group(1)}.schema.json").is_file()
    )


def test_the_duckdb_and_excel_notes_name_what_publish_writes(use_it: str) -> None:
    assert f"`{exports.DUCKDB_STORAGE_VERSION}`" in use_it
    assert f"`{workbook.DICTIONARY_SHEET}` sheet" in use_it
