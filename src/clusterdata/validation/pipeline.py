"""Run the three layers over a package, in one direction: read → structure → frames → integrity.

Each later layer sees only the tables the earlier one could parse, so a broken file yields its
own located error instead of a cascade of confusing ones.

The verdict: on the kinds of defect the Table Schema standard defines (`TABLE_SCHEMA_
KINDS`), layer 1 alone is the judge, and it reports what frictionless-py reports
(tests/contract/test_differential.py); later layers' copies of those kinds are dropped, so that
their own readings of a cell (a stricter datetime, a SQL cast) can never add a false positive.
A crash in any layer is an `internal-error` finding (exit 2), and a package of which no table
was checked is never valid.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from clusterdata.core.findings import (
    INTERNAL_ERROR,
    Finding,
    Summary,
    error,
    internal_error,
    merge,
    summarise,
)
from clusterdata.core.package import DataPackage, UsageError, open_package, safe_path


@dataclass
class Report:
    package: DataPackage
    findings: list[Finding]
    summary: Summary
    #: Files (relative to the package root) the change under review touched, when known
    #: (`--base`); reporters spend their attention on these first.
    changed: frozenset[str] = field(default_factory=frozenset)

    @property
    def valid(self) -> bool:
        return not any(f.is_error for f in self.findings)

    @property
    def crashed(self) -> bool:
        """A layer failed (a bug in clusterdata): the verdict is unknown, `validate` exits 2."""
        return any(f.check == INTERNAL_ERROR for f in self.findings)

    def to_dict(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary.to_dict(),
        }


#: Defect kinds the Table Schema / Data Package standards define, as layer 1 names them (the
#: kinds of frictionless-py's errors; `constraint-error` is split per constraint). Only layer 1
#: reports these.
TABLE_SCHEMA_KINDS = frozenset(
    {
        "type-error",
        "primary-key",
        "foreign-key",
        "unique-error",
        "unique-key",
        "missing-cell",
        "extra-cell",
        "blank-row",
        "blank-label",
        "duplicate-label",
        "incorrect-label",
        "missing-label",
        "extra-label",
    }
)


def table_schema_kind(check: str) -> bool:
    """Whether a check id is a defect kind the Table Schema standard defines."""
    return check in TABLE_SCHEMA_KINDS or check.startswith("constraint-")


def default_checks_dir(package: DataPackage) -> Path | None:
    """Where a package's SQL checks are: a folder its descriptor names in `x-checks` (a release
    carries its checks that way), else `schemas/checks/` beside the package folder."""
    declared = package.descriptor.get("x-checks")
    if isinstance(declared, str):
        folder, problem = safe_path(package.root, declared)
        if folder is not None and not problem and folder.is_dir():
            return folder
    candidate = package.root.parent / "schemas" / "checks"
    return candidate if candidate.is_dir() else None


def validate(
    source: str | os.PathLike[str] | DataPackage | None = None,
    *,
    checks_dir: Path | None = None,
    use_default_checks: bool = True,
) -> Report:
    """Validate a data package; never raises for bad data (only `UsageError` for no package).
    Each table that is not CSV is read once for all layers (`tables.read_once`)."""
    from clusterdata.core.tables import read_once

    with read_once():
        return _validate(source, checks_dir=checks_dir, use_default_checks=use_default_checks)


def _validate(
    source: str | os.PathLike[str] | DataPackage | None,
    *,
    checks_dir: Path | None,
    use_default_checks: bool,
) -> Report:
    from clusterdata.validation.evidence import check_evidence
    from clusterdata.validation.integrity.run import run_integrity
    from clusterdata.validation.integrity.sqlchecks import load_checks
    from clusterdata.validation.rules.run import check_frames
    from clusterdata.validation.structure.run import check_structure

    package = source if isinstance(source, DataPackage) else open_package(source)
    if checks_dir is None and use_default_checks:
        checks_dir = default_checks_dir(package)
    sql_checks = load_checks(checks_dir)  # a malformed check is a usage error: fail before work
    try:
        structure = check_structure(package)
    except UsageError:
        raise
    except Exception as exc:  # a bug: reported, never a traceback, never "valid"
        from clusterdata.validation.structure.result import StructureResult

        structure = StructureResult(findings=[internal_error("structure", exc)])
    checks_run = 1
    later: list[Finding] = []
    skipped: dict[str, list[str]] = {}
    try:  # layers 2 and 3 reuse the tables layer 1 loaded into DuckDB; always release them
        try:
            frame_findings, frame_checks = check_frames(package, structure)
            later.extend(frame_findings)
            checks_run += frame_checks
        except UsageError:
            raise
        except Exception as exc:
            later.append(internal_error("frame and domain", exc))
        try:
            integrity = run_integrity(package, structure, sql_checks)
            later.extend(integrity.findings)
            checks_run += integrity.run
            skipped = integrity.skipped
        except UsageError:
            raise
        except Exception as exc:
            later.append(internal_error("cross-table", exc))
        try:
            evidence_findings, evidence_checks = check_evidence(package, structure)
            later.extend(evidence_findings)
            checks_run += evidence_checks
        except UsageError:
            raise
        except Exception as exc:
            later.append(internal_error("source evidence", exc))
    finally:
        structure.close()
    findings = [*structure.findings, *_beyond_table_schema(later)]
    if not structure.rows and not any(f.is_error for f in findings):
        findings.append(
            error(
                "no-table-checked",
                "No table of this package was checked, so it cannot be called valid.",
                path=package.descriptor_file.name,
                hint="List the package's tables under resources, each with a path to a CSV "
                "file and a schema.",
            )
        )
    from clusterdata.validation.causes import explain

    merged = explain(merge(findings), package)
    return Report(
        package=package,
        findings=merged,
        summary=summarise(merged, structure.rows, checks_run, skipped),
    )


#: Kept from layer 2: both layers match patterns with the one bounded matcher
#: (`tableschema.patterns`), so layer 2 cannot disagree with layer 1 there; it goes on where a
#: busy machine ran layer 1's time budget for a hostile pattern out (tests/unit/tableschema/
#: test_patterns.py).
_SHARED_RULES = frozenset({"constraint-pattern"})


def _beyond_table_schema(findings: list[Finding]) -> list[Finding]:
    """Layers 2 and 3's findings without their copies of Table Schema kinds: layer 1 decides
    those (see the module docstring)."""
    return [f for f in findings if f.check in _SHARED_RULES or not table_schema_kind(f.check)]
