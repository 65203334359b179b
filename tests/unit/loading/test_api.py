"""`clusterdata.load()` / `connect()` types, and `clusterdata verify` on local releases."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fixtures.packages import write_package
from fixtures.releasekit import publish_release, release_folder

import clusterdata
from clusterdata.loading.api import DataError

TYPED = {
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "count", "type": "integer"},
        {"name": "share", "type": "number"},
        {"name": "active", "type": "boolean"},
        {"name": "day", "type": "date"},
        {"name": "month", "type": "yearmonth"},
        {"name": "year", "type": "year"},
        {"name": "partial", "type": "string"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["c", "a", "b"]}},
        {"name": "code", "type": "string"},
    ],
    "primaryKey": ["id"],
}
TYPED_CSV = (
    "id,count,share,active,day,month,year,partial,kind,code\n"
    "x1,7,0.25,true,2018-09-05,2018-09,2018,2012,a,0042\n"
    "x2,,,,,,,,,\n"
)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_release(tmp_path_factory.mktemp("published"))


@pytest.fixture
def release(published: Path, tmp_path: Path) -> Path:
    return release_folder(Path(shutil.copytree(published, tmp_path / "dist")))


def test_load_types_every_column_from_its_table_schema(tmp_path: Path) -> None:
    frame = clusterdata.load(write_package(tmp_path, {"t": (TYPED, TYPED_CSV)}))["t"]
    dtypes = {name: str(dtype) for name, dtype in frame.dtypes.items()}
    assert dtypes["count"] == "Int64" and dtypes["year"] == "Int64"
    assert dtypes["share"] == "Float64"
    assert dtypes["active"] == "boolean"
    assert dtypes["day"].startswith("datetime64")
    assert dtypes["kind"] == "category"
    assert list(frame["kind"].cat.categories) == ["c", "a", "b"]  # the enum's order
    assert frame.loc[0, "day"] == pd.Timestamp("2018-09-05")
    assert frame.loc[0, "month"] == "2018-09"  # a partial date stays text
    assert frame.loc[0, "partial"] == "2012"
    assert frame.loc[0, "code"] == "0042"  # text is never guessed into a number
    assert frame.loc[0, "count"] == 7 and frame.loc[0, "active"]
    assert frame.iloc[1].isna().drop("id").all()


def test_a_cell_that_does_not_parse_is_an_error_naming_file_line_and_value(
    tmp_path: Path,
) -> None:
    text = TYPED_CSV + "x3,seven,,,,,,,,\n"
    with pytest.raises(DataError, match=r"t\.csv, line 4, column 'count': 'seven'"):
        clusterdata.load(write_package(tmp_path, {"t": (TYPED, text)}))


def test_a_value_outside_the_enum_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"'z'"):
        clusterdata.load(write_package(tmp_path, {"t": (TYPED, TYPED_CSV + "x3,,,,,,,,z,\n")}))


def test_load_without_arguments_returns_the_bundled_tables() -> None:
    tables = clusterdata.load()
    assert "clusters" in tables and len(tables["clusters"]) > 0
    assert tables["clusters"]["id"].is_unique


def test_load_refuses_a_local_release_whose_file_does_not_match_its_hash(release: Path) -> None:
    (release / "regions.csv").write_bytes((release / "regions.csv").read_bytes() + b"\n")
    with pytest.raises(clusterdata.IntegrityError, match=r"regions\.csv: size differs"):
        clusterdata.load(release)


def test_load_reads_a_zipped_release(release: Path) -> None:
    tables = clusterdata.load(release / f"{release.name}.zip")
    assert len(tables["clusters"]) == 5


def test_connect_loads_every_table_typed_with_keys(release: Path) -> None:
    con = clusterdata.connect(release)
    try:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        assert {"clusters", "regions", "initiatives", "cluster_initiatives"} <= tables
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'clusters'"
            ).fetchall()
        )
        assert types["members"] == "BIGINT" and types["founded"] == "DATE"
        joined = con.execute(
            "SELECT c.name, r.name FROM clusters c JOIN regions r ON r.id = c.region_id "
            "WHERE c.id = 'compare'"
        ).fetchall()
        assert joined == [("Compare", "Värmlands län")]
        import duckdb

        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO clusters (id) VALUES ('compare')")
    finally:
        con.close()


def test_import_clusterdata_stays_light() -> None:
    code = (
        "import sys, clusterdata; clusterdata.IntegrityError; "
        "print(sorted(m for m in ('pandas', 'duckdb', 'frictionless', 'requests') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_verify_says_intact_for_a_published_release(release: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("verify", release)
    assert result.code == 0, result.out + result.err
    assert "validation: valid" in result.out
    assert result.out.rstrip().splitlines()[-1] == "intact"


def test_verify_names_each_file_that_differs(release: Path, cli) -> None:  # type: ignore[no-untyped-def]
    data = (release / "clusters.csv").read_bytes()
    (release / "clusters.csv").write_bytes(data.replace(b"FindIT", b"FindUS"))
    (release / f"{release.name}.duckdb").write_bytes(b"not a database")
    result = cli("verify", release, "--no-validate")
    assert result.code == 1
    assert "clusters.csv: hash differs: expected sha256:" in result.out
    assert f"{release.name}.duckdb: hash differs" in result.out  # listed in SHA256SUMS
    assert result.out.rstrip().splitlines()[-1].startswith("not intact: 2 of ")


def test_verify_reports_invalid_data_even_when_the_hashes_match(release: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from clusterdata.loading.remote import file_digest

    descriptor_file = release / "datapackage.json"
    (release / "clusters.csv").write_text(
        (release / "clusters.csv").read_text(encoding="utf-8").replace(",100,", ",many,"),
        encoding="utf-8",
    )
    descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    spec = next(r for r in descriptor["resources"] if r["name"] == "clusters")
    spec["hash"] = "sha256:" + file_digest(release / "clusters.csv", "sha256")
    spec["bytes"] = (release / "clusters.csv").stat().st_size
    descriptor_file.write_text(json.dumps(descriptor), encoding="utf-8")
    (release / "SHA256SUMS").unlink()
    result = cli("verify", release)
    assert result.code == 1
    assert "validation: invalid" in result.out and "validation found errors" in result.out


def test_verify_without_a_release_is_a_usage_error(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("verify", tmp_path / "nowhere").code == 2
    assert cli("verify").code == 2


def test_load_keeps_an_integer_beyond_64_bits_as_a_python_int(tmp_path: Path) -> None:
    """Table Schema integers have no bound; pandas' Int64 has. Such a column comes back as
    Python ints (dtype object), never an OverflowError and never a rounded value."""

    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "v", "type": "integer"}]}
    text = "id,v\na,9300000000000000000\nb,-9300000000000000000\nc,\n"
    column = clusterdata.load(write_package(tmp_path, {"t": (schema, text)}))["t"]["v"]
    assert column.tolist() == [9300000000000000000, -9300000000000000000, None]
