"""Layer 2: the Table Schema checks derived by `schema_rules`, plus domain checks.

Two engines, one meaning. The rule: a table layer 1 checked in DuckDB (`fastpath`, the default
at every size; `StructureResult.checked_in_duckdb`) is checked where it already is, without being
read again (`duckdb_table.check_table_in_duckdb`); every other table is read into pandas and validated by
pandera (`pandas_table.check_table`). Both run the same declarations (the checks `schema_rules` derives
from the Table Schema, and the domain checks of `domain`) and give the same findings: on the
DuckDB engine the Table Schema checks run only on the rows layer 1 could not certify in SQL,
which are the only rows they can fail on, as plain Python (`TableRules.evaluate`: the very
functions pandera runs on the pandas engine, without importing pandas), and the domain checks
run as SQL pre-filters whose few candidate values the same Python predicates decide.

"""

from __future__ import annotations

from clusterdata.core.findings import Finding, internal_error
from clusterdata.core.lines import LineMap
from clusterdata.core.package import DataPackage
from clusterdata.validation.rules.duckdb_table import check_table_in_duckdb
from clusterdata.validation.rules.pandas_table import check_table, read_text_frame
from clusterdata.validation.structure.result import StructureResult

__all__ = ["check_frames", "check_table", "check_table_in_duckdb", "read_text_frame"]


def check_frames(package: DataPackage, structure: StructureResult) -> tuple[list[Finding], int]:
    """Findings of the frame and domain checks on every readable table, and how many checks ran.

    Never raises for bad data: a table that cannot be checked becomes a finding.
    """
    findings: list[Finding] = []
    checks_run = 0
    fast = getattr(structure, "fast", None)
    for resource in structure.readable:
        encoding = structure.encodings.get(resource.name, resource.encoding)
        line_map = structure.line_maps.get(resource.name, LineMap())
        fast_table = None
        if fast is not None and resource.name in structure.checked_in_duckdb:
            fast_table = fast.tables.get(resource.name)
        try:
            if fast is not None and fast_table is not None:
                table_findings, table_checks = check_table_in_duckdb(
                    resource, fast.connection, fast_table
                )
            else:
                table_findings, table_checks = check_table(resource, encoding, line_map)
        except Exception as exc:  # a bug here must not hide the other layers' findings
            # ... nor count as valid: an error, and `validate` exits 2.
            findings.append(
                internal_error(
                    f"frame and domain ({resource.name!r})",
                    exc,
                    resource=resource.name,
                    path=resource.path,
                )
            )
            continue
        findings.extend(table_findings)
        checks_run += table_checks
    return findings, checks_run
