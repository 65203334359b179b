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
- `not-canonical` (a notice, never an error): a CSV is not what `clusterdata format` would
  write. Layout is the project's job, not the contributor's: the pull-request workflow formats
  and commits when it can write to the branch, and the merge to main canonicalises otherwise.
  So `make validate` and the pull request agree on what is an error.

The base side is compared at the merge base of REF and HEAD, so a branch that is behind its
base is not blamed for changes made on the base since; in a pull request's merge commit the
merge base is the base branch's tip. The base is read with `git archive` into a private
temporary folder: the work tree and the index are never touched.
"""

from __future__ import annotations

from pathlib import Path

from clusterdata.authoring.canonical import REFUSE_ON, canonicalize, first_difference
from clusterdata.authoring.csvtable import FormatRefused
from clusterdata.authoring.rowchanges import compare_tables, source_field
from clusterdata.core.findings import Finding, error, merge, notice, summarise
from clusterdata.core.gitrepo import Git
from clusterdata.core.package import DataPackage, UsageError, open_package
from clusterdata.validation.causes import explain
from clusterdata.validation.pipeline import Report

__all__ = ["RULES", "apply_contribution_rules", "compare_tables", "source_field"]

#: The rules this module adds to a report's count of checks run.
RULES = ("breaking-change", "missing-source", "generated-file-edited", "not-canonical")


# --- canonical form and generated files ----------------------------------------------------


def canonical_findings(package: DataPackage, unreadable: set[str]) -> list[Finding]:
    """`not-canonical` for each table that `clusterdata format` would rewrite."""
    findings = []
    for resource in package.resources:
        if resource.name in unreadable or not resource.is_csv:
            continue
        try:
            raw = resource.file.read_bytes()
            canonical = canonicalize(resource, raw)
        except (FormatRefused, OSError):
            continue  # the structure layer reports why it cannot be read
        if canonical.data == raw:
            continue
        findings.append(
            notice(
                "not-canonical",
                f"The layout differs from canonical form: {'; '.join(canonical.changes)}. "
                "Nothing to do: the project puts the layout right when the pull request is "
                "checked or merged.",
                resource=resource.name,
                path=resource.path,
                line=canonical.line or first_difference(raw, canonical.data)[0],
                hint="Optional: run `clusterdata format` (or `make format`) and commit the result.",
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
    changed = _changed_paths(git, commit, relative)
    merged = explain(merge([*kept, *findings]), package, changed)
    summary = summarise(
        merged,
        report.summary.rows_per_table,
        report.summary.checks_run + len(RULES),
        report.summary.checks_skipped,
    )
    return Report(package=package, findings=merged, summary=summary, changed=changed)


def _changed_paths(git: Git, commit: str, relative: str) -> frozenset[str]:
    """The package's files that differ from the base, relative to the package folder."""
    prefix = "" if relative in ("", ".") else relative.rstrip("/") + "/"
    return frozenset(
        name.removeprefix(prefix)
        for _, name in git.changed_files(commit, relative or ".")
        if name.startswith(prefix)
    )
