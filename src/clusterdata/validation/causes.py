"""Causes first: findings grouped by root cause, the contributor's own files at the top.

One typo in an id makes errors in files the contributor never touched: every row elsewhere that
refers to the old id. Listed by file name, those knock-on errors come first and fill the ten
annotations GitHub shows, and the contributor's own line shows nothing. So, after every layer
ran, each finding gets a `cause`: the `cause_id` of the finding that explains it.

- Dangling references to the same missing id in the same table form one group. It is led by
  the finding about that id's own row when there is one (a `breaking-change` that renamed or
  removed it), else by the first of the references in a changed file, else the first.
- Other findings on the cell a dangling reference sits on (a SQL check that reads the same
  cell) join the reference's group. Likewise, several findings about one cell (a code that lost
  its leading zero breaks its pattern, its code list and a SQL check) are one group, led by the
  Table Schema finding (type, then constraint), which says most plainly what is wrong.
- The layout notices of one file (byte-order mark, line endings, `not-canonical`) are one
  group, led by `not-canonical`, which lists them all.
- Every other finding leads its own group.

Groups are ordered with those led from a file the pull request changed first, then by the
leader's place (file, line); within a group the leader comes first. Suggestions ("did you
mean …?") are added here too, so every reporter shows the same words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace

from clusterdata.core.findings import Finding
from clusterdata.core.package import DataPackage, Resource


def _targets(package: DataPackage) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(resource, column) of a single-field foreign key → (referenced table, its path)."""
    paths = {r.name: r.path for r in package.resources}
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    for resource in package.resources:
        for fk in resource.table_schema.foreign_keys:
            if len(fk.fields) != 1:
                continue
            target = fk.reference.target(resource.name)
            out[(resource.name, fk.fields[0])] = (target, paths.get(target))
    return out


#: Layout findings: the project canonicalises these; `not-canonical` names them all.
LAYOUT_CHECKS = frozenset(
    {"not-canonical", "byte-order-mark", "line-endings", "mixed-line-endings"}
)


def _lead_rank(finding: Finding) -> tuple[int, tuple[str, int, str, str, str]]:
    """Which of several findings about one cell (or one file's layout) leads the group."""
    if finding.check == "not-canonical":
        rank = 0
    elif finding.check == "type-error":
        rank = 1
    elif finding.check.startswith("constraint-"):
        rank = 2
    else:
        rank = 3
    return rank, finding.sort_key()


def _key_text(resource: Resource | None, value: str) -> str | None:
    """How a `breaking-change` message names a single-field key: `id='x'`."""
    if resource is None or len(resource.table_schema.primary_key) != 1:
        return None
    return f"{resource.table_schema.primary_key[0]}={value!r}"


def group(
    findings: list[Finding], package: DataPackage, changed: Collection[str] = ()
) -> list[list[Finding]]:
    """The findings as root-cause groups, leader first, in the order a person should read."""
    targets = _targets(package)
    resources = {r.name: r for r in package.resources}
    by_missing: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.check == "foreign-key" and finding.value and finding.resource:
            target = targets.get((finding.resource, finding.column or ""))
            if target is not None:
                by_missing[(target[0], finding.value)].append(finding)
    leader_of: dict[int, Finding] = {}
    cell_leader: dict[tuple[str | None, int | None, str | None], Finding] = {}
    breaking = [f for f in findings if f.check == "breaking-change"]
    for (table, value), references in by_missing.items():
        leader = _cause_row(breaking, resources.get(table), value)
        if leader is None:
            own = [f for f in references if f.path in changed]
            leader = min(own or references, key=Finding.sort_key)
        for reference in references:
            leader_of[id(reference)] = leader
            cell_leader[(reference.path, reference.line, reference.column)] = leader
    by_cell: dict[tuple[str | None, int | None, str | None], list[Finding]] = defaultdict(list)
    layout: dict[str | None, list[Finding]] = defaultdict(list)
    for finding in findings:
        if id(finding) in leader_of:
            continue
        cell = (finding.path, finding.line, finding.column)
        if cell in cell_leader:
            leader_of[id(finding)] = cell_leader[cell]
        elif finding.check in LAYOUT_CHECKS:
            layout[finding.path].append(finding)
        elif finding.column is not None and finding.line is not None:
            by_cell[cell].append(finding)
    for members in [*by_cell.values(), *layout.values()]:
        if len(members) > 1:
            leader = min(members, key=_lead_rank)
            for member in members:
                leader_of[id(member)] = leader
    groups: dict[int, list[Finding]] = defaultdict(list)
    leaders: dict[int, Finding] = {}
    for finding in findings:
        leader = leader_of.get(id(finding), finding)
        leader = leader_of.get(id(leader), leader)  # a leader that is itself led
        leaders[id(leader)] = leader
        groups[id(leader)].append(finding)
    ordered = sorted(leaders.values(), key=lambda f: (f.path not in changed, *Finding.sort_key(f)))
    result = []
    for leader in ordered:
        members = sorted(groups[id(leader)], key=Finding.sort_key)
        rest = [f for f in members if f is not leader]
        result.append([leader, *rest] if any(f is leader for f in members) else members)
    return result


def _cause_row(breaking: list[Finding], target: Resource | None, value: str) -> Finding | None:
    """The `breaking-change` about the missing id's own row: its rename or removal."""
    text = _key_text(target, value)
    if target is None or text is None:
        return None
    for finding in breaking:
        if finding.path == target.path and text in finding.message:
            return finding
    return None


def explain(
    findings: list[Finding], package: DataPackage, changed: Collection[str] = ()
) -> list[Finding]:
    """Suggestions added, `cause` set, and the findings in cause order (see the module doc)."""
    from clusterdata.validation.suggest import suggest_for

    suggested = suggest_for(findings, package)
    out: list[Finding] = []
    for members in group(suggested, package, changed):
        cause = members[0].cause_id
        out.extend(replace(f, cause=cause) for f in members)
    return out


def groups_of(findings: list[Finding]) -> list[list[Finding]]:
    """Consecutive findings with the same `cause`, as `explain` ordered them."""
    out: list[list[Finding]] = []
    for finding in findings:
        if out and finding.cause is not None and out[-1][0].cause == finding.cause:
            out[-1].append(finding)
        else:
            out.append([finding])
    return out
