"""Descriptor metadata changes (package and resource level): always PATCH, they touch no data.

Keys that describe a build or the table's structure are left out here: build keys are not
changes at all, and structure is the schema and row comparison's job.
"""

from __future__ import annotations

from typing import Any

from clusterdata.diff.model import Change
from clusterdata.release.versioning import Level

#: Descriptor keys that describe a build, not the data: a change in them is not a change.
PACKAGE_VOLATILE = {
    "resources",
    "version",
    "created",
    "$schema",
    "profile",
    "x-release",
    "x-checks",  # where a release carries its SQL checks, not a change of the data
}
RESOURCE_STRUCTURAL = {
    "name",
    "path",
    "schema",
    "bytes",
    "hash",
    "format",
    "mediatype",
    "encoding",
    "dialect",
    "type",
    "profile",
    "scheme",
    "x-release",
}


def diff_resource_metadata(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """A kept resource's descriptor keys (title, licenses, path…) other than its structure."""
    changes = []
    for key in sorted((set(old) | set(new)) - RESOURCE_STRUCTURAL):
        if old.get(key) != new.get(key):
            changes.append(
                Change(
                    "resource-metadata-changed",
                    Level.PATCH,
                    f"{name}: {key} changed",
                    name,
                    None,
                    old.get(key),
                    new.get(key),
                )
            )
    if old.get("path") != new.get("path"):
        changes.append(
            Change(
                "resource-path-changed",
                Level.PATCH,
                f"{name}: path {old.get('path')} → {new.get('path')}",
                name,
                None,
                old.get("path"),
                new.get("path"),
            )
        )
    return changes


def diff_metadata(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    for key in sorted((set(old) | set(new)) - PACKAGE_VOLATILE):
        if old.get(key) != new.get(key):
            changes.append(
                Change(
                    "metadata-changed",
                    Level.PATCH,
                    f"package {key} changed",
                    None,
                    None,
                    old.get(key),
                    new.get(key),
                )
            )
    return changes
