"""Layer 1: structure and Table Schema, checked by frictionless-py, reported as findings.

frictionless knows the Table Schema standard best, so it owns types, formats, constraints and
keys here; this module adds what it misses (physical lines, encodings it would silently guess,
rows swallowed by a stray quote) and turns its errors into findings with a fix for a person.
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from clusterdata.core.findings import Finding, error
from clusterdata.core.lines import map_lines, scan_bytes
from clusterdata.core.package import DataPackage, Resource, as_list
from clusterdata.core.tableerrors import TableError
from clusterdata.validation.structure.errors import to_finding
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
        schema_problem = (
            _schema_findings(resource)
            or _dialect_findings(resource)
            or _separator_findings(resource)
        )
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
    fk_findings, usable = _check_foreign_key_declarations(package, candidates)
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
    for group in fastpath.groups(sound, {r.name: r.foreign_keys for r in sound}):
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
    usable_fks: dict[str, list[dict[str, Any]]],
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


def _schema_findings(resource: Resource) -> list[Finding]:
    """A schema frictionless cannot load stops that table: nothing else about it is sound."""
    from frictionless import FrictionlessException

    from clusterdata.validation.structure.duckdb_engine import parse_schema

    try:
        parse_schema(resource)  # kept for the fast path, which reads the fields from it
    except FrictionlessException as exc:
        note = exc.error.note or exc.error.message
        reasons = [str(r.note or r.message) for r in getattr(exc, "reasons", None) or []]
        if reasons:  # "descriptor is not valid" alone does not say what to fix
            note = f"{note} ({'; '.join(reasons)})"
        return [
            error(
                "schema-error",
                f"The schema of {resource.name!r} is not valid: {note}.",
                resource=resource.name,
                path=resource.path,
                hint="Fix the table's schema in schemas/ (field types are string, integer, number, "
                "boolean, date, datetime, year, …), then run `clusterdata generate`.",
            )
        ]
    except RecursionError:
        return [
            error(
                "schema-error",
                f"The schema of {resource.name!r} is nested too deeply.",
                resource=resource.name,
                path=resource.path,
            )
        ]
    from clusterdata.tableschema.v2 import schema_problems

    v2_problems = schema_problems(resource.schema)
    if v2_problems:
        return [
            error(
                "schema-error",
                f"The schema of {resource.name!r} is not valid: {problem}.",
                resource=resource.name,
                path=resource.path,
                hint="Correct the schema as the Table Schema standard says "
                "(https://datapackage.org/standard/table-schema/), then run "
                "`clusterdata generate`.",
            )
            for problem in v2_problems
        ]
    names = resource.field_names
    missing = [k for k in resource.primary_key if k not in names]
    if missing:
        return [
            error(
                "schema-error",
                f"The primary key of {resource.name!r} names fields that do not exist: "
                f"{', '.join(missing)}.",
                resource=resource.name,
                path=resource.path,
                hint="List only field names of this table in primaryKey.",
            )
        ]
    return []


def _dialect_findings(resource: Resource) -> list[Finding]:
    """One error for a CSV dialect property this tool cannot yet follow in every layer.

    Every layer numbers records with the header as record 1 (or, with `header: false`, the
    field names in its place), so a header on another line or over several lines, comment
    lines and a null sequence would shift or misread rows in some layer. Such a table is not
    checked, and says so: never a "valid" for what was not read as the dialect says.
    """
    if not resource.is_csv:
        return []
    dialect = resource.dialect
    unsupported = [
        key
        for key in ("commentChar", "commentRows", "nullSequence")
        if dialect.get(key) not in (None, [], "")
    ]
    rows = dialect.get("headerRows")
    if rows is not None and rows != [1] and dialect.get("header", True) is not False:
        unsupported.insert(0, f"headerRows {json.dumps(rows)}")
    if not unsupported:
        return []
    return [
        error(
            "unsupported-dialect",
            f"The table {resource.name!r} was not checked: its dialect sets "
            f"{', '.join(unsupported)}, which clusterdata cannot yet follow in every layer.",
            resource=resource.name,
            path=resource.path,
            hint="Save the file with its header on line 1, without comment lines, and with "
            "empty cells for missing values (or declare them in missingValues); then remove "
            "those dialect properties.",
        )
    ]


#: Separators a spreadsheet may save a "CSV" with: Excel in a Swedish (or German, French …)
#: locale writes `;`, because `,` is the decimal comma there.
_OTHER_SEPARATORS = {";": "semicolon", "\t": "tab", "|": "vertical bar"}


def _separator_findings(resource: Resource) -> list[Finding]:
    """One error when the file is separated by another character than the one declared.

    Read with the wrong separator, each row is one long cell, so frictionless reports
    every label and row of the file, and every foreign key pointing into the table from other
    files (85 errors for a `;`-separated regions.csv), none naming the cause. The header tells:
    it is one cell, and split on `;` (or a tab, or `|`) it is the schema's field names. The
    table is then not checked further, and keys into it are not checked (it cannot be read).
    """
    import csv
    import json

    names = resource.field_names
    if len(names) < 2 or not resource.is_csv:
        return []
    try:
        with resource.file.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return []
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    text = first.decode("utf-8-sig", errors="replace")
    try:
        header = next(
            csv.reader([text], delimiter=resource.delimiter, quotechar=resource.quote_char)
        )
    except (csv.Error, StopIteration):
        return []
    if len(header) != 1:
        return []
    for separator, word in _OTHER_SEPARATORS.items():
        if separator == resource.delimiter:
            continue
        labels = next(csv.reader([text], delimiter=separator, quotechar=resource.quote_char), [])
        if [label.strip() for label in labels] != names:
            continue
        return [
            error(
                "wrong-separator",
                f"{resource.path} is separated by {word}s ({separator!r}), not by "
                f"{_OTHER_SEPARATORS.get(resource.delimiter, 'comma')}s "
                f"({resource.delimiter!r}); its rows were not checked.",
                resource=resource.name,
                path=resource.path,
                line=1,
                value=first.decode("utf-8", errors="replace")[:80],
                hint="Save the file again with commas: in Excel choose File > Save As > "
                "'CSV UTF-8 (Comma delimited)' (a Swedish Excel writes semicolons for plain "
                "'CSV'). If the separator is intended, declare it in datapackage.json: "
                f'"dialect": {{"delimiter": {json.dumps(separator)}}}.',
            )
        ]
    return []


def _check_foreign_key_declarations(
    package: DataPackage, candidates: list[Resource]
) -> tuple[list[Finding], dict[str, list[dict[str, Any]]]]:
    """Keep only foreign keys whose both ends exist; say why the others cannot be checked."""
    findings: list[Finding] = []
    usable: dict[str, list[dict[str, Any]]] = {}
    declared = {r.name: r for r in package.resources}
    readable = {r.name for r in candidates}
    for resource in candidates:
        keep = []
        for fk in resource.foreign_keys:
            fields = as_list(fk.get("fields"))
            declared_reference = fk.get("reference")
            reference = declared_reference if isinstance(declared_reference, dict) else {}
            target_name = str(reference.get("resource", "")) or resource.name
            target_fields = as_list(reference.get("fields"))
            target = declared.get(target_name)
            problem = None
            if not fields or len(fields) != len(target_fields):
                problem = "its fields and reference fields do not pair up"
            elif any(f not in resource.field_names for f in fields):
                problem = f"field(s) {', '.join(fields)} are not in this table"
            elif target is None:
                if target_name in package.rejected:
                    continue  # the target's own problem is already reported
                problem = f"it points to a table {target_name!r} the package does not have"
            elif any(f not in target.field_names for f in target_fields):
                problem = f"table {target_name!r} has no field(s) {', '.join(target_fields)}"
            if problem:
                findings.append(
                    error(
                        "schema-error",
                        f"A foreign key of {resource.name!r} cannot be checked: {problem}.",
                        resource=resource.name,
                        path=resource.path,
                        column=fields[0] if fields else None,
                        hint="Correct foreignKeys in the table's schema.",
                    )
                )
                continue
            if target_name in readable:
                keep.append(fk)
        usable[resource.name] = keep
    return findings, usable


def _run_frictionless(
    package: DataPackage,
    candidates: list[Resource],
    usable_fks: dict[str, list[dict[str, Any]]],
    result: StructureResult,
) -> list[Finding]:
    if not candidates:
        return []
    from frictionless import Checklist, FrictionlessException, Package

    from clusterdata.tableschema.patterns import without_patterns
    from clusterdata.tableschema.v2 import unique_keys
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
        patterns.tables[resource.name] = RowPatterns.of(
            resource, shift=0 if resource.has_header else 1
        )
        keys.keys[resource.name] = unique_keys(resource.schema)
        schema = without_patterns(v2fields.frictionless_schema(resource))
        schema["foreignKeys"] = usable_fks.get(resource.name, [])
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
        resources[-1] = _other_source(resource, resources[-1])
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
        # Without a header record frictionless counts data rows from 1; the line map counts the
        # field names standing in for the header as record 1 (`lines.map_lines`).
        shift = 0 if resource.has_header else 1
        for fl_error in task.errors:
            record = TableError.from_frictionless(fl_error.to_descriptor()).shifted(shift)
            findings.append(to_finding(resource, record, line_map))
        findings.extend(patterns.tables[resource.name].findings(line_map))
        findings.extend(
            to_finding(resource, r.shifted(shift), line_map) for r in keys.records(resource)
        )
    return findings


def _other_source(resource: Resource, entry: dict[str, Any]) -> dict[str, Any]:
    """frictionless's resource for a table that is not CSV: the CSV keys of `entry` give way
    to where and how frictionless reads the format (the same sheet `core.tables` places). The
    header row stays as `_dialect` states it: frictionless-py would guess it in any format."""
    from clusterdata.core.tables import json_property, sheet_of

    if resource.is_csv:
        return entry
    dialect = {k: v for k, v in entry.get("dialect", {}).items() if k != "csv"}
    entry = {k: v for k, v in entry.items() if k not in {"path", "scheme", "encoding", "dialect"}}
    entry["dialect"] = dialect
    if resource.data is not None:
        return entry | {"data": copy.deepcopy(resource.data), "format": "inline"}
    entry |= {"path": resource.path, "scheme": "file"}
    if resource.format == "xlsx":
        dialect["excel"] = {"sheet": sheet_of(resource)}
        return entry
    entry["encoding"] = resource.encoding
    if json_property(resource) is not None:
        dialect["json"] = {"property": json_property(resource)}
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
