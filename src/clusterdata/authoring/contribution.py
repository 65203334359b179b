"""Contribution rules: what a pull request may do to the data, checked against its base in git.

`clusterdata validate --base REF` runs these after the usual checks:

- `breaking-change`: a row that exists on the base side lost its key (renamed or removed), a
  table or field disappeared, or a primary key was redefined. Consumers join on ids, so an id
  is forever; maintainers accept a deliberate break with `--allow-breaking` (then a warning).
- `missing-source`: a new or changed row leaves its source empty. The source field is the one a
  schema names with `"x-source-field"`, else a field called `source_id`; tables without one are
  not checked.
- `generated-file-edited`: a file the release process writes was edited by hand: the descriptor
  or `docs/data-dictionary.md` differ from what `clusterdata generate` writes, or a published
  file under `dist/` was changed or deleted (a published version is immutable).
- `not-canonical`: a CSV is not what `clusterdata format` would write.

The base side is compared at the merge base of REF and HEAD, so a branch that is behind its
base is not blamed for changes made on the base since; in a pull request's merge commit the
merge base is the base branch's tip. The base is read with `git archive` into a private
temporary folder: the work tree and the index are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clusterdata.authoring.canonical import (
    REFUSE_ON,
    FormatRefused,
    Table,
    canonicalize,
    first_difference,
    normalize_cell,
    read_table,
)
from clusterdata.core.findings import Finding, Severity, error, merge, summarise, warning
from clusterdata.core.gitrepo import Git
from clusterdata.core.package import DataPackage, Resource, UsageError, open_package
from clusterdata.validation.pipeline import Report

#: The rules this module adds to a report's count of checks run.
RULES = ("breaking-change", "missing-source", "generated-file-edited", "not-canonical")
BREAKING_HINT = (
    "Keep the row and its id: consumers of the data join on ids. To retire a row, keep it and "
    "record that it ended (for example an end date or status column, if the table has one); to "
    "correct a misspelt id, add the new row and keep the old one. A maintainer can accept a "
    "deliberate breaking change with `clusterdata validate --allow-breaking`."
)


# --- rows -----------------------------------------------------------------------------------


@dataclass
class Rows:
    """A table keyed for comparison: cells normalised as `format` writes them."""

    resource: Resource
    fields: list[str]
    #: key → (row as field → cell, physical line)
    by_key: dict[tuple[str, ...], tuple[dict[str, str], int]]
    #: rows in file order, for tables without a primary key
    ordered: list[tuple[dict[str, str], int]]


def _rows(resource: Resource) -> Rows | None:
    """The table's rows by key, or None when it cannot be read or matched to its schema."""
    try:
        table: Table = read_table(resource)
    except (FormatRefused, OSError):
        return None
    header = [normalize_cell(c) for c in table.header]
    fields = resource.field_names
    if sorted(header) != sorted(fields) or len(set(header)) != len(header):
        return None
    by_key: dict[tuple[str, ...], tuple[dict[str, str], int]] = {}
    ordered = []
    for record, line in zip(table.rows, table.lines, strict=True):
        if len(record) != len(header) or not any(c.strip() for c in record):
            continue
        row = {name: normalize_cell(cell) for name, cell in zip(header, record, strict=True)}
        ordered.append((row, line))
        if resource.primary_key:
            by_key.setdefault(tuple(row[k] for k in resource.primary_key), (row, line))
    return Rows(resource, fields, by_key, ordered)


def source_field(resource: Resource) -> str | None:
    """The field that cites a source: the schema's `x-source-field`, else `source_id`."""
    declared = resource.schema.get("x-source-field")
    if isinstance(declared, str) and declared in resource.field_names:
        return declared
    return "source_id" if "source_id" in resource.field_names else None


def _key_text(resource: Resource, key: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in zip(resource.primary_key, key, strict=True))


def _breaking(severity: Severity, message: str, **where: object) -> Finding:
    make = error if severity is Severity.ERROR else warning
    return make("breaking-change", message, hint=BREAKING_HINT, **where)


def compare_tables(
    new: DataPackage,
    base: DataPackage | None,
    unreadable: set[str],
    located: set[tuple[str | None, int | None, str | None]],
    *,
    allow_breaking: bool = False,
) -> list[Finding]:
    """Breaking changes and uncited new or changed rows, table by table."""
    severity = Severity.WARNING if allow_breaking else Severity.ERROR
    findings: list[Finding] = []
    base_resources = {r.name: r for r in base.resources} if base is not None else {}
    new_names = {r.name for r in new.resources} | new.rejected
    for name, old in base_resources.items():
        if name not in new_names:
            findings.append(
                _breaking(
                    severity,
                    f"The table {name!r} was removed.",
                    resource=name,
                    path=old.path,
                )
            )
    for resource in new.resources:
        if resource.name in unreadable:
            continue
        current = _rows(resource)
        if current is None:
            continue
        before = base_resources.get(resource.name)
        previous = _rows(before) if before is not None else None
        if before is not None and previous is not None:
            findings.extend(_schema_breaks(severity, before, resource))
            if before.primary_key != resource.primary_key:
                continue
            findings.extend(_row_breaks(severity, previous, current))
        findings.extend(_uncited(previous, current, located))
    return findings


def _schema_breaks(severity: Severity, old: Resource, new: Resource) -> list[Finding]:
    findings = []
    where = {"resource": new.name, "path": new.path, "line": 1}
    for name in old.field_names:
        if name not in new.field_names:
            findings.append(
                _breaking(
                    severity,
                    f"The field {name!r} was removed from {new.name!r}.",
                    column=name,
                    **where,
                )
            )
    if old.primary_key != new.primary_key:
        findings.append(
            _breaking(
                severity,
                f"The primary key of {new.name!r} changed from "
                f"{', '.join(old.primary_key) or '(none)'} to "
                f"{', '.join(new.primary_key) or '(none)'}.",
                **where,
            )
        )
    return findings


def _row_breaks(severity: Severity, previous: Rows, current: Rows) -> list[Finding]:
    """Rows whose key disappeared; a new row with the same other values is a renamed key."""
    resource = current.resource
    if not resource.primary_key:
        return []
    key_fields = set(resource.primary_key)
    cited = source_field(resource)
    compared = [f for f in previous.fields if f in current.fields and f not in key_fields]

    def signature(row: dict[str, str]) -> tuple[str, ...] | None:
        values = tuple(row.get(f, "") for f in compared)
        meaningful = [row.get(f, "") for f in compared if f != cited]
        return values if any(meaningful) else None

    added: dict[tuple[str, ...], list[tuple[tuple[str, ...], int]]] = {}
    for key, (row, line) in current.by_key.items():
        if key not in previous.by_key:
            sig = signature(row)
            if sig is not None:
                added.setdefault(sig, []).append((key, line))
    findings = []
    column = resource.primary_key[0]
    for key, (row, base_line) in previous.by_key.items():
        if key in current.by_key:
            continue
        sig = signature(row)
        candidates = added.get(sig, []) if sig is not None else []
        if candidates:
            new_key, new_line = candidates.pop(0)
            findings.append(
                _breaking(
                    severity,
                    f"The row {_key_text(resource, key)} (line {base_line} on the base side) now "
                    f"has the key {_key_text(resource, new_key)}: an existing id was changed.",
                    resource=resource.name,
                    path=resource.path,
                    line=new_line,
                    column=column,
                    value=", ".join(new_key),
                )
            )
        else:
            findings.append(
                _breaking(
                    severity,
                    f"The row {_key_text(resource, key)} (line {base_line} on the base side) was "
                    "removed.",
                    resource=resource.name,
                    path=previous.resource.path,
                    line=base_line,
                    column=column,
                    value=", ".join(key),
                )
            )
    return findings


def _uncited(
    previous: Rows | None,
    current: Rows,
    located: set[tuple[str | None, int | None, str | None]],
) -> list[Finding]:
    resource = current.resource
    cited = source_field(resource)
    if cited is None:
        return []
    if resource.primary_key and previous is not None:

        def is_new_or_changed(row: dict[str, str]) -> bool:
            key = tuple(row[k] for k in resource.primary_key)
            before = previous.by_key.get(key)
            return before is None or any(
                before[0].get(f) != row.get(f) for f in current.fields if f in previous.fields
            )
    else:
        known: set[tuple[str, ...]] = set()
        if previous is not None:
            shared = [f for f in current.fields if f in previous.fields]
            known = {tuple(r.get(f, "") for f in shared) for r, _ in previous.ordered}
        else:
            shared = current.fields

        def is_new_or_changed(row: dict[str, str]) -> bool:
            return tuple(row.get(f, "") for f in shared) not in known

    findings = []
    for row, line in current.ordered:
        if row.get(cited) or not is_new_or_changed(row):
            continue
        if (resource.path, line, cited) in located:
            continue  # already reported by another check at this cell
        findings.append(
            error(
                "missing-source",
                f"This new or changed row does not cite a source: {cited!r} is empty.",
                resource=resource.name,
                path=resource.path,
                line=line,
                column=cited,
                hint=f"Add the document you took the row from to the sources table, then write its "
                f"id in {cited!r}.",
            )
        )
    return findings


# --- canonical form and generated files ----------------------------------------------------


def canonical_findings(package: DataPackage, unreadable: set[str]) -> list[Finding]:
    """`not-canonical` for each table that `clusterdata format` would rewrite."""
    findings = []
    for resource in package.resources:
        if resource.name in unreadable:
            continue
        try:
            raw = resource.file.read_bytes()
            canonical = canonicalize(resource, raw)
        except (FormatRefused, OSError):
            continue  # the structure layer reports why it cannot be read
        if canonical.data == raw:
            continue
        line, before, after = first_difference(raw, canonical.data)
        findings.append(
            error(
                "not-canonical",
                f"The file is not in canonical form ({'; '.join(canonical.changes)}); first "
                f"difference on this line: {before} should be {after}.",
                resource=resource.name,
                path=resource.path,
                line=line,
                hint="Run `clusterdata format` (or `make format`) and commit the result.",
            )
        )
    return findings


def generated_findings(git: Git, commit: str, package: DataPackage) -> list[Finding]:
    """Hand edits to what `clusterdata generate` and `clusterdata publish` write."""
    findings: list[Finding] = []
    root = git.toplevel
    layout = (root / "schemas" / "tables").is_dir() and package.root == root / "datapackage"
    if layout:
        findings.extend(_stale_generated(git, commit, package, root))
    if (root / "dist").exists() or git.differs(commit, "dist"):
        for status, name in git.changed_files(commit, "dist"):
            if status == "A":
                continue  # a new release folder; `clusterdata verify` checks its hashes
            verb = "deleted" if status == "D" else "changed"
            findings.append(
                error(
                    "generated-file-edited",
                    f"{name} is part of a published release and was {verb}; a published version "
                    "never changes.",
                    value=name,
                    hint=f"Restore it with `git checkout {commit[:12]} -- {name}`; publish a new "
                    "version with `clusterdata publish` instead.",
                )
            )
    return findings


def _stale_generated(git: Git, commit: str, package: DataPackage, root: Path) -> list[Finding]:
    from clusterdata.authoring.generate import outputs

    try:
        expected = outputs(root)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []  # a broken descriptor or schema is reported by the validation layers
    findings = []
    for output in expected:
        if not output.stale():
            continue
        repo_path = output.path.relative_to(root).as_posix()
        try:
            current = output.path.read_bytes()
        except OSError:
            current = b""
        line, before, after = first_difference(current, output.text.encode("utf-8"))
        inside = output.path.is_relative_to(package.root)
        where: dict[str, object] = {"value": repo_path}
        if inside:
            where.update(path=output.path.relative_to(package.root).as_posix(), line=line)
        if git.differs(commit, repo_path):
            message = (
                f"{repo_path} is generated from schemas/ and was edited by hand "
                f"(line {line}: {before} should be {after})."
            )
            hint = (
                "Make the change in schemas/tables/<table>.schema.json instead, then run "
                "`clusterdata generate` (or `make generate`) and commit both."
            )
        else:
            message = f"{repo_path} is out of date with schemas/ (line {line})."
            hint = "Run `clusterdata generate` (or `make generate`) and commit the result."
        findings.append(error("generated-file-edited", message, hint=hint, **where))
    return findings


# --- entry point -----------------------------------------------------------------------------


def _unreadable(report: Report) -> set[str]:
    return {
        f.resource
        for f in report.findings
        if f.is_error and f.resource and (f.check in REFUSE_ON or f.check.endswith("-label"))
    }


def apply_contribution_rules(
    report: Report, base_ref: str, *, allow_breaking: bool = False
) -> Report:
    """The report plus the contribution rules' findings against `base_ref`, summary recomputed.

    Raises `UsageError` (exit 2) when the package is not in a git checkout or the ref is unknown.
    """
    package = report.package
    if package._tempdir is not None:
        raise UsageError("--base compares a package folder in a git checkout, not a zip file.")
    git = Git.discover(package.root)
    commit = git.resolve_base(base_ref)
    try:
        relative = package.root.resolve().relative_to(git.toplevel).as_posix()
    except ValueError as exc:
        raise UsageError(f"{package.root} is not inside {git.toplevel}.") from exc
    unreadable = _unreadable(report)
    # An empty required source cell becomes `missing-source`, whose hint says how to cite.
    located = {
        (f.path, f.line, f.column) for f in report.findings if f.check != "constraint-required"
    }
    findings: list[Finding] = []
    with git.export(commit, relative) as base_root:
        base = None
        descriptor = base_root / package.descriptor_file.name if base_root else None
        if descriptor is not None and descriptor.is_file():
            try:
                base = open_package(descriptor)
            except UsageError:
                base = None
        findings.extend(
            compare_tables(package, base, unreadable, located, allow_breaking=allow_breaking)
        )
    findings.extend(canonical_findings(package, unreadable))
    findings.extend(generated_findings(git, commit, package))
    uncited = {(f.path, f.line, f.column) for f in findings if f.check == "missing-source"}
    kept = [
        f
        for f in report.findings
        if not (f.check == "constraint-required" and (f.path, f.line, f.column) in uncited)
    ]
    merged = merge([*kept, *findings])
    summary = summarise(
        merged,
        report.summary.rows_per_table,
        report.summary.checks_run + len(RULES),
        report.summary.checks_skipped,
    )
    return Report(package=package, findings=merged, summary=summary)
