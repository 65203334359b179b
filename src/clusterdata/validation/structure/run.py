"""Layer 1: structure and Table Schema, checked by frictionless-py, reported as findings.

frictionless knows the Table Schema standard best, so it owns types, formats, constraints and
keys here; this module adds what it misses (physical lines, encodings it would silently guess,
rows swallowed by a stray quote) and turns its errors into findings with a fix for a person.
"""

from __future__ import annotations

import copy
import sys
from typing import Any

from clusterdata.core.findings import Finding, error
from clusterdata.core.lines import map_lines, scan_bytes
from clusterdata.core.package import DataPackage, Resource
from clusterdata.core.tableerrors import TableError
from clusterdata.tableschema.model import ForeignKey
from clusterdata.validation.structure.errors import to_finding
from clusterdata.validation.structure.preflight import (
    check_foreign_key_declarations,
    dialect_findings,
    schema_findings,
    separator_findings,
)
from clusterdata.validation.structure.result import StructureResult

#: frictionless stops a table after this many errors by default; we want every one.
UNLIMITED = sys.maxsize
#: The Data Package v2 profile, handed to frictionless for a package with v2 resources.
V2_PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"

__all__ = ["StructureResult", "check_structure"]


def check_structure(package: DataPackage) -> StructureResult:
    """Layer 1 on every resource, frictionless-py reading fields with the Data Package v2 rules
    it lacks (`v2fields.active`)."""
    from clusterdata.validation.structure import v2fields

    with v2fields.active():
        return _check_structure(package)


def _check_structure(package: DataPackage) -> StructureResult:
    result = StructureResult(findings=list(package.findings))
    candidates: list[Resource] = []
    sound: list[Resource] = []
    for resource in package.resources:
        schema_problem = schema_findings(resource) or dialect_findings(resource)
        if not schema_problem and (schema_problem := separator_findings(resource)):
            # `clusterdata format` mends the separator, not an encoding: say both at once
            schema_problem += [f for f in scan_bytes(resource).findings if f.is_error]
        if schema_problem:
            result.findings.extend(schema_problem)
            continue
        sound.append(resource)
    fast = _prepare_fast(sound)
    for resource in sound:
        prepared = fast.get(resource.name)
        if prepared is not None:
            result.line_maps[resource.name] = prepared.line_map
            result.encodings[resource.name] = "utf-8"
            result.rows[resource.name] = max(0, prepared.line_map.records - 1)
            candidates.append(resource)
            continue
        if not resource.is_csv:
            if _read_other(resource, result):
                candidates.append(resource)
            continue
        scan = scan_bytes(resource)
        result.findings.extend(scan.findings)
        if scan.fatal:
            continue
        encoding = "utf-8-sig" if scan.has_bom else resource.encoding
        line_map, line_findings = map_lines(resource, encoding)
        result.findings.extend(line_findings)
        result.line_maps[resource.name] = line_map
        result.encodings[resource.name] = encoding
        result.rows[resource.name] = max(0, line_map.records - 1)
        candidates.append(resource)
    fk_findings, usable = check_foreign_key_declarations(package, candidates)
    result.findings.extend(fk_findings)
    done = _run_fast(package, fast, candidates, usable, result)
    result.checked_in_duckdb = done
    slow = [r for r in candidates if r.name not in done]
    result.findings.extend(_run_frictionless(package, slow, usable, result))
    blocking = {
        f.resource
        for f in result.findings
        if f.is_error
        and f.check
        in {
            "source-error",
            "schema-error",
            "missing-label",
            "duplicate-label",
            "blank-label",
            "incorrect-label",
        }
    }
    result.readable = [r for r in candidates if r.name not in blocking]
    return result


def _read_other(resource: Resource, result: StructureResult) -> bool:
    """A JSON, NDJSON, inline or spreadsheet table: read for its record places (`core.tables`);
    frictionless checks it. Whether it could be read."""
    from clusterdata.core.tables import read_table

    table = read_table(resource)
    result.findings.extend(table.findings)
    if table.fatal:
        return False
    result.line_maps[resource.name] = table.line_map
    result.encodings[resource.name] = "utf-8"
    result.rows[resource.name] = max(0, len(table.records) - 1)
    return True


def _prepare_fast(sound: list[Resource]) -> dict[str, Any]:
    """Resources to check in DuckDB (`fastpath`): whole groups of tables linked by keys.

    Their files are read into DuckDB while their bytes are scanned (`fastpath.prepare_group`);
    `_run_fast` takes the connection over."""
    from clusterdata.validation.structure import duckdb_engine as fastpath

    if fastpath.mode() == "off":
        return {}
    by_name = {r.name: r for r in sound}
    chosen: dict[str, Any] = {}
    shared: Any = None
    for group in fastpath.groups(sound, {r.name: r.table_schema.foreign_keys for r in sound}):
        size = sum(r.file.stat().st_size for r in group)
        if not fastpath.use_fast_path(size):
            continue
        if not all(r.is_csv for r in group):  # other formats are frictionless's (`_read_other`)
            continue
        if not all(fastpath.schema_supported(r, by_name) for r in group):
            continue
        if not all(fastpath.head_ok(r) for r in group):
            continue
        if shared is None:
            from clusterdata.loading.database import connect

            shared = fastpath.FastPackage(connect())
        items = fastpath.prepare_group(group, shared)
        if items is not None:
            chosen.update({item.resource.name: item for item in items})
    if shared is not None and not chosen:
        shared.close()
    return chosen


def _run_fast(
    package: DataPackage,
    fast: dict[str, Any],
    candidates: list[Resource],
    usable_fks: dict[str, list[ForeignKey]],
    result: StructureResult,
) -> set[str]:
    """Check the prepared groups in DuckDB; a group DuckDB reads differently goes back to the
    csv module and frictionless. Returns the names of the resources done here."""
    if not fast:
        return set()
    from clusterdata.validation.structure import duckdb_engine as fastpath

    done: set[str] = set()
    mine = [r for r in candidates if r.name in fast]
    for group in fastpath.groups(mine, usable_fks):
        try:
            result.findings.extend(
                fastpath.check_group(package, [fast[r.name] for r in group], usable_fks, result)
            )
        except fastpath.FastPathUnavailable:
            for resource in group:
                line_map, line_findings = map_lines(resource, "utf-8")
                result.findings.extend(line_findings)
                result.line_maps[resource.name] = line_map
            continue
        done.update(r.name for r in group)
    return done


def _run_frictionless(
    package: DataPackage,
    candidates: list[Resource],
    usable_fks: dict[str, list[ForeignKey]],
    result: StructureResult,
) -> list[Finding]:
    if not candidates:
        return []
    from frictionless import Checklist, FrictionlessException, Package

    from clusterdata.tableschema.patterns import without_patterns
    from clusterdata.validation.structure import v2fields
    from clusterdata.validation.structure.patterncheck import PatternCheck, RowPatterns

    # frictionless's `re` backtracks without bound on a hostile pattern: it gets each schema
    # without its patterns, and `PatternCheck` checks them on its rows with a time budget.
    # The v2 rules frictionless lacks are taught to its field readers (`check_structure` runs
    # inside `v2fields.active`), and `UniqueKeysCheck` checks `uniqueKeys`.
    patterns = PatternCheck()
    keys = v2fields.UniqueKeysCheck()
    resources = []
    for resource in candidates:
        patterns.tables[resource.name] = RowPatterns.of(resource, shift=_shift(resource))
        keys.keys[resource.name] = [list(k) for k in resource.table_schema.unique_keys]
        schema = without_patterns(v2fields.frictionless_schema(resource))
        schema["foreignKeys"] = [dict(fk.descriptor) for fk in usable_fks.get(resource.name, [])]
        if not schema["foreignKeys"]:
            del schema["foreignKeys"]
        resources.append(
            {
                "name": resource.name,
                "type": "table",
                "path": resource.path,
                "scheme": "file",
                "format": resource.format,
                "encoding": result.encodings[resource.name],
                "dialect": _dialect(resource),
                "schema": schema,
            }
        )
        resources[-1] = _other_source(resource, resources[-1], result)
    try:
        descriptor: dict[str, Any] = {"name": "validation", "resources": resources}
        if any(r.standard == "v2" for r in candidates):
            # frictionless imposes a package's version on its resources (v1 without `$schema`).
            descriptor["$schema"] = V2_PACKAGE_PROFILE
        fl_package = Package(descriptor, basepath=str(package.root))
        report = fl_package.validate(
            limit_errors=UNLIMITED, checklist=Checklist(checks=[patterns, keys])
        )
    except FrictionlessException as exc:
        reasons = "; ".join(str(r.message) for r in getattr(exc, "reasons", []) or [])
        return [
            error(
                "source-error",
                f"frictionless could not read the package: "
                f"{exc.error.message}" + (f" ({reasons})" if reasons else ""),
                path=package.descriptor_file.name,
            )
        ]
    findings: list[Finding] = []
    by_name = {r.name: r for r in candidates}
    for task in report.tasks:
        found = by_name.get(task.name)
        if found is None:
            continue
        resource = found
        line_map = result.line_maps[resource.name]
        shift = _shift(resource)
        for fl_error in task.errors:
            record = TableError.from_frictionless(fl_error.to_descriptor()).shifted(shift)
            findings.append(to_finding(resource, record, line_map))
        findings.extend(patterns.tables[resource.name].findings(line_map))
        findings.extend(
            to_finding(resource, r.shifted(shift), line_map) for r in keys.records(resource)
        )
    return findings


def _shift(resource: Resource) -> int:
    """What to add to frictionless's row number to get the record number of the line map.

    Without a header record frictionless counts data rows from 1, and the line map counts the
    field names standing in for the header as record 1 (`lines.Records`). A CSV handed over as
    its records (`_records_source`) is numbered as the line map numbers it."""
    return 0 if resource.has_header or not resource.csv_dialect.simple_records else 1


def _records_source(resource: Resource, entry: dict[str, Any], encoding: str) -> dict[str, Any]:
    """A CSV whose rows are not all records, or whose cells are not all their text (header
    rows, comment rows, a null sequence, `doubleQuote: false`), handed to frictionless as the
    records every layer reads (`lines.Records`): frictionless-py reads these dialects otherwise
    than the spec (`core.dialect`), so it checks the spec's records, numbered as the line map
    numbers them. The table is held in memory while frictionless checks it."""
    import csv
    from contextlib import suppress

    from clusterdata.core.tables import records

    rows: list[list[str | None]] = []
    # Where the file stops parsing, the line map reports it; what was read is checked.
    with records(resource, encoding) as reader, suppress(csv.Error):
        rows.extend(reader)
    entry = {k: v for k, v in entry.items() if k not in {"path", "scheme", "encoding"}}
    return entry | {"data": rows, "format": "inline", "dialect": {"headerRows": [1]}}


def _other_source(
    resource: Resource, entry: dict[str, Any], result: StructureResult
) -> dict[str, Any]:
    """frictionless's resource for a table that is not CSV: the CSV keys of `entry` give way
    to where and how frictionless reads the format (the same sheet `core.tables` places). The
    header row is stated (row 1): frictionless-py would guess it in any format. Where the
    dialect's row roles make records of other rows (`TextTable.values`), frictionless-py is
    handed those records, with their values as read, as the CSV ones are (`_records_source`):
    it reads row roles otherwise than the spec (`core.dialect`)."""
    from clusterdata.core.tables import item_keys, json_property, read_table, sheet_of

    if resource.is_csv:
        if resource.csv_dialect.simple_records:
            return entry
        return _records_source(resource, entry, result.encodings[resource.name])
    entry = {k: v for k, v in entry.items() if k not in {"path", "scheme", "encoding", "dialect"}}
    values = read_table(resource).values  # read once per validation (`tables.read_once`)
    if values is not None:
        return entry | {"data": values, "format": "inline", "dialect": {"headerRows": [1]}}
    dialect: dict[str, Any] = {"headerRows": [1]}
    entry["dialect"] = dialect
    keys = item_keys(resource)
    if resource.data is not None:
        if keys is not None:
            dialect["inline"] = {"keys": keys}
        return entry | {"data": copy.deepcopy(resource.data), "format": "inline"}
    entry |= {"path": resource.path, "scheme": "file"}
    if resource.format in {"xlsx", "xls", "ods"}:
        dialect["ods" if resource.format == "ods" else "excel"] = {"sheet": sheet_of(resource)}
        return entry
    entry["encoding"] = resource.encoding
    control = {"property": json_property(resource), "keys": keys}
    if any(v is not None for v in control.values()):
        dialect["json"] = {k: v for k, v in control.items() if v is not None}
    return entry


def _dialect(resource: Resource) -> dict[str, Any]:
    """The resource's dialect for frictionless-py, with the header row stated explicitly.

    Left unstated, frictionless-py guesses the header row from the widths of the first rows
    (`Detector.detect_dialect`): a file whose line 2 is as wide as the average row gets line 2 as
    its header, and every label error is then reported against the wrong line. The spec has no
    guess: "header ... Defaults to true" and "headerRows ... Default: [1]" (Table Dialect,
    https://datapackage.org/standard/table-dialect/; CSV Dialect v1 `header`, default true). So
    the header is line 1 unless the descriptor says otherwise
    (`tests/contract/test_differential.py::test_header_is_line_one_when_the_dialect_is_silent`).
    """
    dialect: dict[str, Any] = {"csv": _csv_control(resource)}
    if resource.dialect.get("header", True) is False:
        dialect["header"] = False
    else:
        rows = resource.dialect.get("headerRows")
        valid = isinstance(rows, list) and rows and all(type(r) is int and r > 0 for r in rows)
        dialect["headerRows"] = rows if valid else [1]
    return dialect


def _csv_control(resource: Resource) -> dict[str, Any]:
    control: dict[str, Any] = {"delimiter": resource.delimiter, "quoteChar": resource.quote_char}
    for key in ("doubleQuote", "escapeChar", "skipInitialSpace"):
        if key in resource.dialect:
            control[key] = resource.dialect[key]
    return control
