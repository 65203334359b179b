"""The SQL check files: the read-only parser, and one failing and one passing fixture per check.

Fixture tables are tiny inline CSVs whose schemas are cut from the real `schemas/tables/` (only
the columns a check reads), so a renamed column breaks the fixture, not just the bundled run.
`test_every_check_file_has_a_failing_fixture` fails when a check is added without a fixture.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixtures.packages import SCHEMAS, write_package

from clusterdata.core.findings import Severity
from clusterdata.core.package import UsageError, open_package
from clusterdata.validation.integrity.run import run_integrity
from clusterdata.validation.integrity.sqlchecks import (
    CheckFileError,
    load_checks,
    parse_check,
    parse_check_file,
)
from clusterdata.validation.structure.run import check_structure

CHECKS = SCHEMAS / "checks"
TABLES = SCHEMAS / "tables"

Expected = list[tuple[str, int | None, str | None, str | None]]


def schema_of(table: str, *fields: str) -> dict:
    """The real schema of `table` cut down to `fields` (a KeyError names a renamed column)."""
    schema = json.loads((TABLES / f"{table}.schema.json").read_text(encoding="utf-8"))
    by_name = {f["name"]: f for f in schema["fields"]}
    cut = {"fields": [copy.deepcopy(by_name[name]) for name in fields]}
    if schema.get("primaryKey") and set(schema["primaryKey"]) <= set(fields):
        cut["primaryKey"] = schema["primaryKey"]
    return cut


def csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


@dataclass
class Fixture:
    #: {table: (fields, csv text)} that fails the check …
    failing: dict[str, tuple[tuple[str, ...], str]]
    #: … exactly at these (resource, line, column, value) …
    expected: Expected
    #: … and, with these tables replaced, passes it.
    passing: dict[str, tuple[tuple[str, ...], str]]


REGION = ("id", "name", "level", "parent_id", "country_code")
CLUSTER = ("id", "name", "region_id")
INITIATIVE = ("id", "name", "part_of_id", "funding_programme_id")
FACT = ("id", "subject_type", "subject_id", "metric", "value", "qualifier", "value_text")
ORGANISATION_IDS = (
    "id",
    "name",
    "kind",
    "website",
    "website_source_id",
    "organisation_number",
    "organisation_number_source_id",
)

FIXTURES: dict[str, Fixture] = {
    "fact-subject-exists": Fixture(
        failing={
            "clusters": (CLUSTER, csv("id,name,region_id", "paper-province,Paper province,")),
            "initiatives": (
                INITIATIVE,
                csv("id,name,part_of_id,funding_programme_id", "slim,SLIM,,"),
            ),
            "regions": (
                REGION,
                csv("id,name,level,parent_id,country_code", "sverige,Sverige,country,,SE"),
            ),
            "facts": (
                FACT,
                csv(
                    "id,subject_type,subject_id,metric,value,qualifier,value_text",
                    'f1,cluster,paper-province,member_companies,100,approx,"ca\n100"',
                    "f2,initiative,no-such,participants,5,exact,fem",
                    "f3,region,sverige,clusters,1,exact,en",
                    "f4,cluster,slim,clusters,1,exact,en",
                ),
            ),
        },
        expected=[("facts", 4, "subject_id", "no-such"), ("facts", 6, "subject_id", "slim")],
        passing={
            "facts": (
                FACT,
                csv(
                    "id,subject_type,subject_id,metric,value,qualifier,value_text",
                    "f1,cluster,paper-province,member_companies,100,approx,ca 100",
                    "f3,region,sverige,clusters,1,exact,en",
                    "f4,initiative,slim,clusters,1,exact,en",
                ),
            )
        },
    ),
    "initiative-has-participant": Fixture(
        failing={
            "initiatives": (
                INITIATIVE,
                csv(
                    "id,name,part_of_id,funding_programme_id",
                    "a,A,,",
                    "b,B,,",
                    "c,C,,",
                    "umbrella,U,,",
                    "d,D,umbrella,",
                    "fund,F,,",
                    "e,E,,fund",
                    "lonely,L,,",
                ),
            ),
            "cluster_initiatives": (
                ("cluster_id", "initiative_id"),
                csv("cluster_id,initiative_id", "x,a", "x,e"),
            ),
            "region_initiatives": (
                ("region_id", "initiative_id", "role"),
                csv("region_id,initiative_id,role", "r,b,location"),
            ),
            "organisation_initiatives": (
                ("organisation_id", "initiative_id", "role"),
                csv("organisation_id,initiative_id,role", "o,c,organiser", "o,d,partner"),
            ),
        },
        expected=[("initiatives", 9, "id", "lonely")],
        passing={
            "initiatives": (
                INITIATIVE,
                csv(
                    "id,name,part_of_id,funding_programme_id",
                    "a,A,,",
                    "b,B,,",
                    "c,C,,",
                    "umbrella,U,,",
                    "d,D,umbrella,",
                    "fund,F,,",
                    "e,E,,fund",
                ),
            )
        },
    ),
    "website-has-source": Fixture(
        failing={
            "clusters": (
                (*CLUSTER, "website", "website_source_id"),
                csv(
                    "id,name,region_id,website,website_source_id",
                    "mobile-heights,Mobile Heights,,https://www.mobileheights.org,eccp",
                    "techtank,TechTank,,https://www.techtank.se,",
                    "datacenter,Datacenter,,,",
                ),
            )
        },
        expected=[("clusters", 3, "website_source_id", "https://www.techtank.se")],
        passing={
            "clusters": (
                (*CLUSTER, "website", "website_source_id"),
                csv(
                    "id,name,region_id,website,website_source_id",
                    "mobile-heights,Mobile Heights,,https://www.mobileheights.org,eccp",
                    "techtank,TechTank,,https://www.techtank.se,eccp",
                    "datacenter,Datacenter,,,",
                ),
            )
        },
    ),
    "organisation-identifier-has-source": Fixture(
        failing={
            "organisations": (
                ORGANISATION_IDS,
                csv(
                    "id,name,kind,website,website_source_id,organisation_number,organisation_number_source_id",
                    "vinnova,VINNOVA,government_agency,https://www.vinnova.se,wiki,202100-5216,wiki",
                    "tillvaxtverket,Tillväxtverket,government_agency,https://tillvaxtverket.se,,202100-6149,",
                    "nordregio,Nordregio,research_institute,,,,",
                ),
            )
        },
        expected=[
            ("organisations", 3, "organisation_number_source_id", "202100-6149"),
            ("organisations", 3, "website_source_id", "https://tillvaxtverket.se"),
        ],
        passing={
            "organisations": (
                ORGANISATION_IDS,
                csv(
                    "id,name,kind,website,website_source_id,organisation_number,organisation_number_source_id",
                    "vinnova,VINNOVA,government_agency,https://www.vinnova.se,wiki,202100-5216,wiki",
                    "tillvaxtverket,Tillväxtverket,government_agency,https://tillvaxtverket.se,wiki,202100-6149,wiki",
                    "nordregio,Nordregio,research_institute,,,,",
                ),
            )
        },
    ),
    "funding-programme-kind": Fixture(
        failing={
            "initiatives": (
                (*INITIATIVE, "kind"),
                csv(
                    "id,name,part_of_id,funding_programme_id,kind",
                    "interreg-europe,Interreg Europe,,,funding_programme",
                    "higher,HIGHER,,interreg-europe,project",
                    "slim,SLIM,,higher,project",
                ),
            )
        },
        expected=[("initiatives", 4, "funding_programme_id", "higher")],
        passing={
            "initiatives": (
                (*INITIATIVE, "kind"),
                csv(
                    "id,name,part_of_id,funding_programme_id,kind",
                    "interreg-europe,Interreg Europe,,,funding_programme",
                    "higher,HIGHER,,interreg-europe,project",
                    "slim,SLIM,higher,,project",
                ),
            )
        },
    ),
    "region-hierarchy": Fixture(
        failing={
            "regions": (
                REGION,
                csv(
                    "id,name,level,parent_id,country_code",
                    "se,Sverige,country,,SE",
                    "se3,Norra Sverige,nuts1,se,SE",
                    "se31,Norra Mellansverige,nuts2,se3,SE",
                    "varmland,Värmlands län,county,se31,SE",
                    "karlstad,Karlstads kommun,municipality,varmland,SE",
                    "gavle,Gävle kommun,municipality,se31,SE",
                    "dalarna,Dalarnas län,county,,SE",
                    "es,Spanien,foreign_country,,ES",
                    "sevilla,Sevilla,foreign_region,es,ES",
                    "valencia,Valencia,foreign_region,es,SE",
                    "gb,Storbritannien,foreign_country,se,GB",
                ),
            )
        },
        expected=[
            ("regions", 7, "parent_id", "se31"),
            ("regions", 8, "parent_id", None),
            ("regions", 11, "parent_id", "es"),
            ("regions", 12, "parent_id", "se"),
        ],
        passing={
            "regions": (
                REGION,
                csv(
                    "id,name,level,parent_id,country_code",
                    "se,Sverige,country,,SE",
                    "se3,Norra Sverige,nuts1,se,SE",
                    "se31,Norra Mellansverige,nuts2,se3,SE",
                    "varmland,Värmlands län,county,se31,SE",
                    "karlstad,Karlstads kommun,municipality,varmland,SE",
                    "es,Spanien,foreign_country,,ES",
                    "sevilla,Sevilla,foreign_region,es,ES",
                ),
            )
        },
    ),
    "municipality-county-code": Fixture(
        failing={
            "regions": (
                (*REGION, "county_code", "municipality_code"),
                csv(
                    "id,name,level,parent_id,country_code,county_code,municipality_code",
                    "gavleborg,Gävleborgs län,county,,SE,21,",
                    "gavle,Gävle kommun,municipality,gavleborg,SE,,2180",
                    "sandviken,Sandvikens kommun,municipality,gavleborg,SE,,1781",
                ),
            )
        },
        expected=[("regions", 4, "municipality_code", "1781")],
        passing={
            "regions": (
                (*REGION, "county_code", "municipality_code"),
                csv(
                    "id,name,level,parent_id,country_code,county_code,municipality_code",
                    "gavleborg,Gävleborgs län,county,,SE,21,",
                    "gavle,Gävle kommun,municipality,gavleborg,SE,,2180",
                    "sandviken,Sandvikens kommun,municipality,gavleborg,SE,,2181",
                ),
            )
        },
    ),
    "region-coordinates": Fixture(
        failing={
            "regions": (
                (*REGION, "latitude", "longitude", "coordinates_source_id"),
                csv(
                    "id,name,level,parent_id,country_code,latitude,longitude,coordinates_source_id",
                    "gavleborg,Gävleborgs län,county,,SE,,,",
                    "gavle,Gävle kommun,municipality,gavleborg,SE,60.67472,17.14167,piglix-gavle",
                    "sandviken,Sandvikens kommun,municipality,gavleborg,SE,60.617,,page",
                    "hudiksvall,Hudiksvall,municipality,gavleborg,SE,61.733,17.117,",
                    "falun,Falun,municipality,gavleborg,SE,,,page",
                    "x,Gävleborg,county,,SE,61.0,16.5,page",
                ),
            )
        },
        expected=[
            ("regions", 4, "longitude", None),
            ("regions", 5, "coordinates_source_id", None),
            ("regions", 6, "coordinates_source_id", "page"),
            ("regions", 7, "level", "county"),
        ],
        passing={
            "regions": (
                (*REGION, "latitude", "longitude", "coordinates_source_id"),
                csv(
                    "id,name,level,parent_id,country_code,latitude,longitude,coordinates_source_id",
                    "gavleborg,Gävleborgs län,county,,SE,,,",
                    "gavle,Gävle kommun,municipality,gavleborg,SE,60.67472,17.14167,piglix-gavle",
                    "sandviken,Sandvikens kommun,municipality,gavleborg,SE,60.617,16.783,page",
                    "hudiksvall,Hudiksvall,municipality,gavleborg,SE,61.733,17.117,page",
                    "falun,Falun,municipality,gavleborg,SE,,,",
                ),
            )
        },
    ),
    "nuts-code-prefix": Fixture(
        failing={
            "regions": (
                (*REGION, "nuts_code"),
                csv(
                    "id,name,level,parent_id,country_code,nuts_code",
                    "se,Sverige,country,,SE,SE",
                    "se3,Norra Sverige,nuts1,se,SE,SE3",
                    "se31,Norra Mellansverige,nuts2,se3,SE,SE31",
                    "varmland,Värmlands län,county,se31,SE,SE311",
                    "orebro,Örebro län,county,se31,SE,SE124",
                ),
            )
        },
        expected=[("regions", 6, "nuts_code", "SE124")],
        passing={
            "regions": (
                (*REGION, "nuts_code"),
                csv(
                    "id,name,level,parent_id,country_code,nuts_code",
                    "se,Sverige,country,,SE,SE",
                    "se3,Norra Sverige,nuts1,se,SE,SE3",
                    "se31,Norra Mellansverige,nuts2,se3,SE,SE31",
                    "varmland,Värmlands län,county,se31,SE,SE311",
                ),
            )
        },
    ),
    "cluster-region-hierarchy": Fixture(
        failing={
            "regions": (
                REGION,
                csv(
                    "id,name,level,parent_id,country_code",
                    "se,Sverige,country,,SE",
                    "varmland,Värmlands län,county,se,SE",
                    "gavleborg,Gävleborgs län,county,se,SE",
                    "karlstad,Karlstads kommun,municipality,varmland,SE",
                    "gavle,Gävle kommun,municipality,gavleborg,SE",
                ),
            ),
            "clusters": (
                CLUSTER,
                csv(
                    "id,name,region_id",
                    "a,A,varmland",
                    "b,B,varmland",
                    "c,C,gavle",
                    "d,D,karlstad",
                    "e,E,karlstad",
                ),
            ),
            "cluster_regions": (
                ("cluster_id", "region_id", "role"),
                csv(
                    "cluster_id,region_id,role",
                    "a,karlstad,location",  # inside its county: fine
                    "b,gavle,location",  # a municipality outside its county
                    "c,varmland,location",  # a county that does not hold its municipality
                    "d,gavleborg,scope",  # a region it serves, not where it is
                    "e,gavle,location",  # a second site at the same level
                ),
            ),
        },
        expected=[
            ("cluster_regions", 3, "region_id", "gavle"),
            ("clusters", 4, "region_id", "gavle"),
        ],
        passing={
            "cluster_regions": (
                ("cluster_id", "region_id", "role"),
                csv(
                    "cluster_id,region_id,role",
                    "a,karlstad,location",
                    "d,gavleborg,scope",
                    "e,gavle,location",
                ),
            )
        },
    ),
    "near-duplicate-names": Fixture(
        failing={
            "clusters": (
                CLUSTER,
                csv(
                    "id,name,region_id",
                    "paper-province,Paper province,",
                    "the-paper-province,The Paper Province,",
                    "visit-dalarna,Visit Dalarna,",
                    "visit-varmland,Visit Värmland,",
                    "iuc-stal-och-verkstad,IUC stål och verkstad,",
                ),
            ),
            "cluster_names": (
                ("cluster_id", "name"),
                csv(
                    "cluster_id,name",
                    "iuc-stal-och-verkstad,Stål & Verkstad",
                    "paper-province,The Paper province",
                ),
            ),
            "organisations": (
                ("id", "name"),
                csv(
                    "id,name",
                    "region-dalarna,Region Dalarna",
                    "region-varmland,Region Värmland",
                    "tillvaxtverket,Tillväxtverket",
                    "tillvaxtverket-ab,Tillvaxtverket",
                ),
            ),
            "initiatives": (
                INITIATIVE,
                csv(
                    "id,name,part_of_id,funding_programme_id",
                    "beyond,Beyond,,",
                    "edtech,EdTech-hub,,",
                ),
            ),
            "initiative_names": (
                ("initiative_id", "name"),
                csv("initiative_id,name", "beyond,EdTech hub"),
            ),
        },
        expected=[
            ("clusters", 3, "name", "paper-province / the-paper-province"),
            ("initiatives", 3, "name", "beyond / edtech"),
            ("organisations", 5, "name", "tillvaxtverket / tillvaxtverket-ab"),
        ],
        passing={
            "clusters": (
                CLUSTER,
                csv(
                    "id,name,region_id",
                    "paper-province,Paper province,",
                    "visit-dalarna,Visit Dalarna,",
                    "visit-varmland,Visit Värmland,",
                    "iuc-stal-och-verkstad,IUC stål och verkstad,",
                ),
            ),
            "organisations": (
                ("id", "name"),
                csv(
                    "id,name",
                    "region-dalarna,Region Dalarna",
                    "region-varmland,Region Värmland",
                    "tillvaxtverket,Tillväxtverket",
                ),
            ),
            "initiatives": (
                INITIATIVE,
                csv("id,name,part_of_id,funding_programme_id", "beyond,Beyond,,"),
            ),
        },
    ),
    "stated-count-exceeded": Fixture(
        failing={
            "facts": (
                FACT,
                csv(
                    "id,subject_type,subject_id,metric,value,qualifier,value_text",
                    "f1,initiative,superklustra,clusters,2,exact,två",
                    "f2,initiative,superklustra,clusters,2,at_least,minst två",
                    "f3,initiative,conf,participants,1,approx,en",
                    "f4,region,nms,cluster_initiatives,1,exact,ett",
                    "f5,initiative,higher,other_partner_regions,2,exact,två andra",
                    "f6,initiative,superklustra,clusters,3,exact,tre",
                ),
            ),
            "cluster_initiatives": (
                ("cluster_id", "initiative_id"),
                csv(
                    "cluster_id,initiative_id",
                    "a,superklustra",
                    "b,superklustra",
                    "c,superklustra",
                    "a,conf",
                ),
            ),
            "organisation_initiatives": (
                ("organisation_id", "initiative_id", "role"),
                csv("organisation_id,initiative_id,role", "o,conf,participant"),
            ),
            "region_initiatives": (
                ("region_id", "initiative_id", "role"),
                csv(
                    "region_id,initiative_id,role",
                    "x,higher,partner",
                    "y,higher,partner",
                    "z,higher,partner",
                ),
            ),
            "clusters": (CLUSTER, csv("id,name,region_id", "a,A,varmland", "b,B,nms", "c,C,gavle")),
            "regions": (
                REGION,
                csv(
                    "id,name,level,parent_id,country_code",
                    "se,Sverige,country,,SE",
                    "nms,Norra Mellansverige,nuts2,se,SE",
                    "varmland,Värmlands län,county,nms,SE",
                    "gavle,Gävle kommun,municipality,se,SE",
                ),
            ),
        },
        expected=[
            ("facts", 2, "value", "2"),
            ("facts", 4, "value", "1"),
            ("facts", 5, "value", "1"),
        ],
        passing={
            "facts": (
                FACT,
                csv(
                    "id,subject_type,subject_id,metric,value,qualifier,value_text",
                    "f2,initiative,superklustra,clusters,2,at_least,minst två",
                    "f5,initiative,higher,other_partner_regions,2,exact,två andra",
                    "f6,initiative,superklustra,clusters,3,exact,tre",
                ),
            )
        },
    ),
}


def _run(tmp_path: Path, check_id: str, tables: dict[str, tuple[tuple[str, ...], str]]):
    package_tables = {
        name: (schema_of(name, *fields), text) for name, (fields, text) in tables.items()
    }
    write_package(tmp_path, package_tables)
    package = open_package(tmp_path)
    check = parse_check_file(CHECKS / f"{check_id}.sql")
    result = run_integrity(package, check_structure(package), [check])
    assert result.skipped == {}, f"{check_id} was skipped: {result.skipped}"
    return check, [f for f in result.findings if f.check == check_id]


def test_every_check_file_has_a_failing_fixture() -> None:
    ids = {path.stem for path in CHECKS.glob("*.sql")}
    assert ids, "no check files found"
    assert ids <= set(FIXTURES), f"checks without a fixture: {sorted(ids - set(FIXTURES))}"
    assert all(fixture.expected for fixture in FIXTURES.values())


@pytest.mark.parametrize("check_id", sorted(FIXTURES))
def test_check_reports_each_offending_row_at_its_line(tmp_path: Path, check_id: str) -> None:
    fixture = FIXTURES[check_id]
    check, findings = _run(tmp_path, check_id, fixture.failing)
    got = sorted((f.resource, f.line, f.column, f.value) for f in findings)
    assert got == sorted(fixture.expected, key=lambda e: (e[0], e[1] or 0))
    assert {f.severity for f in findings} == {check.severity}
    assert all(f.path == f"{f.resource}.csv" and f.message and f.hint for f in findings)


@pytest.mark.parametrize("check_id", sorted(FIXTURES))
def test_check_passes_its_passing_fixture(tmp_path: Path, check_id: str) -> None:
    fixture = FIXTURES[check_id]
    _, findings = _run(tmp_path, check_id, fixture.failing | fixture.passing)
    assert findings == []


def test_check_is_skipped_not_failed_when_a_table_is_missing(tmp_path: Path) -> None:
    write_package(
        tmp_path,
        {"regions": (schema_of("regions", *REGION), csv("id,name,level,parent_id,country_code"))},
    )
    package = open_package(tmp_path)
    checks = [
        parse_check_file(CHECKS / "fact-subject-exists.sql"),
        parse_check_file(CHECKS / "region-hierarchy.sql"),
    ]
    result = run_integrity(package, check_structure(package), checks)
    assert result.skipped == {"fact-subject-exists": ["facts", "clusters", "initiatives"]}
    assert result.run == 2  # the regions primary key and region-hierarchy
    assert result.findings == []


# --- the parser ------------------------------------------------------------------------------

HEADER = (
    "-- id: demo\n-- severity: warning\n-- message: A demo.\n-- hint: Fix it.\n-- tables: t, u\n"
)


def test_a_valid_check_is_parsed_with_its_header() -> None:
    check = parse_check(
        HEADER + "SELECT 't' AS resource, __line AS line, NULL AS \"column\", "
        "a AS value FROM t ANTI JOIN u ON t.a = u.a;"
    )
    assert (check.id, check.severity, check.message, check.hint, check.tables) == (
        "demo",
        Severity.WARNING,
        "A demo.",
        "Fix it.",
        ("t", "u"),
    )
    assert not check.sql.endswith(";")


@pytest.mark.parametrize(
    "sql, problem",
    [
        ("INSERT INTO t VALUES (1)", "not INSERT"),
        ("UPDATE t SET a = 1", "not UPDATE"),
        ("DELETE FROM t", "not DELETE"),
        ("COPY t TO '/tmp/out.csv'", "not COPY"),
        ("ATTACH '/tmp/x.db' AS x", "not ATTACH"),
        ("PRAGMA database_list", "not PRAGMA"),
        ("SET threads = 1", "not SET"),
        ("CREATE TABLE x AS SELECT 1", "not CREATE"),
        ("DROP TABLE t", "not DROP"),
        ("INSTALL httpfs", "not INSTALL"),
        ("LOAD httpfs", "not LOAD"),
        ("SELECT 1 AS a; SELECT 2 AS a", "holds 2 statements"),
        ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
        ("SELECT * FROM read_parquet('x.parquet')", "read_parquet"),
        ("SELECT (SELECT count(*) FROM read_text('/etc/passwd')) AS n FROM t", "read_text"),
        ("SELECT * FROM glob('/home/*')", "glob"),
        ("SELECT * FROM query('SELECT 1')", "query"),
        ("SELECT * FROM t WHERE a IN (SELECT * FROM read_json('x.json'))", "read_json"),
        ("SELECT * FROM '/etc/passwd'", "does not declare"),
        ("SELECT * FROM v", "'v', which its '-- tables:' header does not declare"),
        ("SELECT * FROM information_schema.tables", "qualified table names"),
        ("SELECT * FROM duckdb_settings()", "duckdb_settings"),
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", "DELETE"),
        ("SELEC * FROM t", "does not parse"),
    ],
)
def test_anything_but_one_read_only_query_is_refused(sql: str, problem: str) -> None:
    with pytest.raises(CheckFileError, match=problem.replace("(", r"\(")):
        parse_check(HEADER + sql)


@pytest.mark.parametrize(
    "sql, problem",
    [
        # statements DuckDB files under a broader type are named as written
        ("FORCE INSTALL httpfs", "not FORCE INSTALL"),
        ("USE memory", "not USE"),
        ("CALL pragma_version()", "not CALL"),
        ("CHECKPOINT", "not CHECKPOINT"),
        ("EXPORT DATABASE '/tmp/x'", "not EXPORT"),
        ("IMPORT DATABASE '/tmp/x'", "not IMPORT"),
        ("DETACH x", "not DETACH"),
        ("UPDATE EXTENSIONS", "not UPDATE"),  # a statement type the Python enum lacks
        ("SELECT * FROM (PIVOT t ON a USING sum(b))", "not PIVOT"),  # runs as two statements
        # DuckDB accepts writes inside a CTE, and catalog queries that parse as SELECT
        ("WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM x", "UPDATE is not allowed"),
        ("WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x", "INSERT is not"),
        ("DESCRIBE t", "DESCRIBE, SHOW or SUMMARIZE is not allowed"),
        ("SHOW TABLES", "DESCRIBE, SHOW or SUMMARIZE is not allowed"),
        ("SUMMARIZE t", "DESCRIBE, SHOW or SUMMARIZE is not allowed"),
        # a file path as a table name is a replacement scan: it reads the file
        ("SELECT * FROM 'data.csv'", "'data.csv', which its '-- tables:' header does not"),
        ('SELECT * FROM "data.csv"', "'data.csv', which its '-- tables:' header does not"),
        ("SELECT * FROM data.csv", "data.csv: qualified table names"),
        ("SELECT * FROM memory.main.t", "memory.main.t: qualified table names"),
        # functions are found wherever they hide, however they are spelled
        ("SELECT * FROM query_table('t')", "query_table"),
        ("SELECT * FROM main.read_csv('/etc/passwd')", "read_csv"),
        ("SELECT system.main.read_text('/etc/passwd') AS a FROM t", "read_text"),
        ("SELECT \"READ_TEXT\"('/etc/passwd') AS a FROM t", "read_text"),
        ("SELECT '/etc/passwd'.read_text() AS a FROM t", "read_text"),
        ("SELECT list_transform(['x'], p -> getenv(p)) AS a FROM t", "getenv"),
        ("SELECT list_transform(['x'], lambda p: getenv(p)) AS a FROM t", "getenv"),
        ("SELECT [getenv(p) FOR p IN ['x']] AS a FROM t", "getenv"),
        ("SELECT COLUMNS(c -> getenv(c)) FROM t", "getenv"),
        ("SELECT * FROM t WHERE a = (SELECT getenv('HOME'))", "getenv"),
        ("SELECT count(*) FILTER (WHERE getenv('x') = '') AS n FROM t", "getenv"),
        ("SELECT * FROM t QUALIFY current_setting('threads') > 1", "current_setting"),
        ("SELECT * FROM t, LATERAL read_csv(t.a)", "read_csv"),
        ("SELECT * FROM sql_auto_complete('SEL')", "the table function sql_auto_complete()"),
        # a CTE covers only the query that declares it
        ("SELECT * FROM (WITH v AS (SELECT 1) SELECT * FROM v) AS a, v", "'v', which its"),
        ("SELECT " + "abs(" * 400 + "1" + ")" * 400 + " AS a FROM t", "nested too deeply"),
    ],
)
def test_duckdb_specific_ways_out_are_refused(sql: str, problem: str) -> None:
    with pytest.raises(CheckFileError, match=re.escape(problem)):
        parse_check(HEADER + sql)


@pytest.mark.parametrize(
    "sql",
    [
        "WITH v AS (SELECT a FROM t) SELECT * FROM v JOIN u ON v.a = u.a",
        "WITH v AS (SELECT a FROM t) SELECT * FROM u WHERE a IN (SELECT a FROM v)",
        "WITH t AS (SELECT a FROM u) SELECT * FROM t",  # a CTE may shadow a declared table
        "WITH V AS (SELECT 1 AS a) SELECT * FROM v, T",  # names are case-insensitive
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
        "SELECT * FROM r, t",
        "SELECT a FROM t UNION ALL SELECT a FROM u EXCEPT SELECT 1",
        "SELECT * FROM t PIVOT (count(*) FOR a IN ('x', 'y'))",
        "SELECT * FROM (VALUES (1), (2)) AS v(a) JOIN t USING (a)",
        "SELECT list_filter([1, 2], x -> x > 1) AS l, a LIKE 'x%' AS m FROM t",
        "FROM t SELECT count(*) AS n",
    ],
)
def test_queries_over_declared_tables_and_own_ctes_are_allowed(sql: str) -> None:
    parse_check(HEADER + sql)


def test_loading_the_checks_does_not_import_a_second_sql_parser() -> None:
    code = (
        "import sys; from pathlib import Path; from clusterdata.validation.integrity.sqlchecks import load_checks; "
        f"assert len(load_checks(Path({str(CHECKS)!r}))) > 0; "
        "assert 'sqlglot' not in sys.modules, 'sqlglot was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)


def test_table_functions_that_only_compute_are_allowed() -> None:
    parse_check(
        HEADER + "SELECT 't' AS resource, NULL AS line, NULL AS \"column\", "
        "CAST(r AS VARCHAR) AS value FROM range(3) AS g(r) JOIN t ON TRUE"
    )


@pytest.mark.parametrize(
    "header, problem",
    [
        ("-- severity: error\n-- message: M.\n-- tables: t\n", "no '-- id:'"),
        ("-- id: demo\n-- message: M.\n-- tables: t\n", "no '-- severity:'"),
        ("-- id: demo\n-- severity: error\n-- tables: t\n", "no '-- message:'"),
        ("-- id: demo\n-- severity: fatal\n-- message: M.\n-- tables: t\n", "error or warning"),
        ("-- id: Demo_1\n-- severity: error\n-- message: M.\n-- tables: t\n", "lower-case"),
        ("-- id: demo\n-- severity: error\n-- message: M.\n", "no '-- tables:'"),
        ("-- id: demo\n-- id: demo\n-- severity: error\n-- message: M.\n-- tables: t\n", "repeats"),
    ],
)
def test_a_malformed_header_is_refused(header: str, problem: str) -> None:
    with pytest.raises(CheckFileError, match=problem):
        parse_check(header + "SELECT 1 AS a FROM t")


def test_a_header_without_a_statement_is_refused() -> None:
    with pytest.raises(CheckFileError, match="no SQL statement"):
        parse_check(HEADER)


def test_the_file_name_must_equal_the_id(tmp_path: Path) -> None:
    (tmp_path / "other.sql").write_text(HEADER + "SELECT 1 AS a FROM t")
    with pytest.raises(CheckFileError, match=r"other\.sql: the file name must equal"):
        load_checks(tmp_path)


def _tiny_package_and_checks(tmp_path: Path, name: str, text: str) -> tuple[Path, Path]:
    package = tmp_path / "package"
    write_package(
        package,
        {
            "regions": (
                schema_of("regions", *REGION),
                csv("id,name,level,parent_id,country_code", "se,Sverige,country,,SE"),
            )
        },
    )
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / name).write_text(text, encoding="utf-8")
    return package, checks


def test_a_malformed_check_file_is_a_usage_error_naming_the_file(tmp_path: Path, cli) -> None:
    package, checks = _tiny_package_and_checks(
        tmp_path,
        "sneaky.sql",
        (
            "-- id: sneaky\n-- severity: error\n-- message: M.\n-- tables: regions\n"
            "SELECT * FROM read_csv('/etc/passwd')\n"
        ),
    )
    result = cli("validate", package, "--checks", checks)
    assert result.code == 2
    assert "sneaky.sql" in result.err and "read_csv" in result.err
    assert issubclass(CheckFileError, UsageError)


def test_a_check_that_fails_at_run_time_is_a_usage_error_naming_the_file(
    tmp_path: Path, cli
) -> None:
    package, checks = _tiny_package_and_checks(
        tmp_path,
        "no-such-column.sql",
        (
            "-- id: no-such-column\n-- severity: error\n-- message: M.\n-- tables: regions\n"
            "SELECT 'regions' AS resource, __line AS line, 'x' AS \"column\", "
            "nonexistent AS value FROM regions\n"
        ),
    )
    result = cli("validate", package, "--checks", checks)
    assert result.code == 2
    assert "no-such-column.sql" in result.err and "nonexistent" in result.err


def test_a_check_must_select_the_finding_columns(tmp_path: Path, cli) -> None:
    package, checks = _tiny_package_and_checks(
        tmp_path,
        "few-columns.sql",
        (
            "-- id: few-columns\n-- severity: error\n-- message: M.\n-- tables: regions\n"
            "SELECT id FROM regions\n"
        ),
    )
    result = cli("validate", package, "--checks", checks)
    assert result.code == 2
    assert "few-columns.sql" in result.err and "resource, line, column" in result.err
