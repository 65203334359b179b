"""Locate and read a data package without trusting it.

`open_package` is the one way in: it finds the descriptor (a file, its folder or a zip), and
`admission` decides what of it is safe to read; nothing raises but a `UsageError` (nothing we
can read as a package, exit 2). The model (`Resource`, `DataPackage`) lives in `resource`.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from clusterdata.core.admission import admit, check_file_integrity, safe_path
from clusterdata.core.descriptor_file import DescriptorProblem, read_descriptor, unzip
from clusterdata.core.findings import error
from clusterdata.core.resource import (
    DESCRIPTOR_NAME,
    PLAIN_DIALECT_KEYS,
    READERS,
    TABULAR_FORMATS,
    TEXT_FORMATS,
    DataPackage,
    Resource,
    UsageError,
    as_list,
    declares_v2,
    missing_reader,
)

__all__ = [
    "DESCRIPTOR_NAME",
    "PLAIN_DIALECT_KEYS",
    "READERS",
    "TABULAR_FORMATS",
    "TEXT_FORMATS",
    "DataPackage",
    "DescriptorProblem",
    "Resource",
    "UsageError",
    "as_list",
    "bundled_descriptor",
    "check_file_integrity",
    "declares_v2",
    "locate",
    "missing_reader",
    "open_package",
    "repo_root",
    "safe_path",
    "schemas_dir",
]


def repo_root() -> Path:
    """The checkout this module runs from (editable install), where the bundled package lives."""
    return Path(__file__).resolve().parents[3]


def bundled_descriptor() -> Path:
    """The default package: `CLUSTERDATA_PACKAGE`, else `datapackage/` in the working directory
    (a contributor's checkout of the dataset), else the one this installation ships with."""
    override = os.environ.get("CLUSTERDATA_PACKAGE")
    if override:
        return Path(override)
    here = Path("datapackage") / DESCRIPTOR_NAME
    if here.is_file():
        return here
    checkout = repo_root() / "datapackage" / DESCRIPTOR_NAME
    # A wheel ships the newest release as package data (setup.py); a checkout has none.
    shipped = Path(__file__).resolve().parents[1] / "shipped" / DESCRIPTOR_NAME
    return shipped if shipped.is_file() and not checkout.is_file() else checkout


def schemas_dir() -> Path:
    return repo_root() / "schemas"


def locate(source: str | os.PathLike[str] | None) -> Path:
    """The descriptor file for a path that names a descriptor, its folder or a zip."""
    path = bundled_descriptor() if source is None else Path(source)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder. Give a datapackage.json or its folder.")
    if path.is_dir():
        candidate = path / DESCRIPTOR_NAME
        if not candidate.is_file():
            raise UsageError(
                f"{path}: this folder has no {DESCRIPTOR_NAME}, so it is not a data package."
            )
        return candidate
    if not path.is_file():
        raise UsageError(f"{path}: not a regular file.")
    return path


def open_package(source: str | os.PathLike[str] | None = None) -> DataPackage:
    """Read a package; raises `UsageError` only when there is no package to speak of."""
    path = locate(source)
    tempdir = None
    if zipfile.is_zipfile(path):
        tempdir, path = unzip(path)
    root = path.parent.resolve()
    display = path.name
    descriptor = read_descriptor(path)
    if isinstance(descriptor, DescriptorProblem):
        finding = error("descriptor-error", descriptor.message, path=display, **descriptor.where)
        package = DataPackage(root=root, descriptor_file=path, descriptor={}, findings=[finding])
        package._tempdir = tempdir
        return package
    package = DataPackage(root=root, descriptor_file=path, descriptor=descriptor)
    package._tempdir = tempdir
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        package.findings.append(
            error(
                "descriptor-error",
                "The descriptor lists no resources.",
                path=display,
                hint='Add a "resources" list with one entry per table.',
            )
        )
        return package
    for index, spec in enumerate(resources):
        admit(package, index, spec, display)
    return package
