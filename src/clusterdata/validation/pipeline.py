"""Run the three layers over a package, in one direction: read → structure → frames → integrity.

Each later layer sees only the tables the earlier one could parse, so a broken file yields its
own located error instead of a cascade of confusing ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from clusterdata.core.findings import Finding, Summary, merge, summarise
from clusterdata.core.package import DataPackage, open_package, safe_path


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

    def to_dict(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary.to_dict(),
        }


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
    """Validate a data package; never raises for bad data (only `UsageError` for no package)."""
    from clusterdata.validation.integrity.run import run_integrity
    from clusterdata.validation.integrity.sqlchecks import load_checks
    from clusterdata.validation.rules.run import check_frames
    from clusterdata.validation.structure.run import check_structure

    package = source if isinstance(source, DataPackage) else open_package(source)
    if checks_dir is None and use_default_checks:
        checks_dir = default_checks_dir(package)
    sql_checks = load_checks(checks_dir)  # a malformed check is a usage error: fail before work
    structure = check_structure(package)
    try:  # layers 2 and 3 reuse the tables layer 1 loaded into DuckDB; always release them
        findings = list(structure.findings)
        checks_run = 1
        frame_findings, frame_checks = check_frames(package, structure)
        findings.extend(frame_findings)
        checks_run += frame_checks
        integrity = run_integrity(package, structure, sql_checks)
        findings.extend(integrity.findings)
        checks_run += integrity.run
    finally:
        structure.close()
    from clusterdata.validation.causes import explain

    merged = explain(merge(findings), package)
    return Report(
        package=package,
        findings=merged,
        summary=summarise(merged, structure.rows, checks_run, integrity.skipped),
    )
