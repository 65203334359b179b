"""The descriptor file and the zip it may come in, read without trusting either: a descriptor
too large, not UTF-8 or not JSON is a located problem, and a zip may not unpack outside its
folder or beyond a size limit.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from clusterdata.core.resource import DESCRIPTOR_NAME, UsageError

#: A descriptor larger than this is not a hand-edited package descriptor.
MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024
#: A zipped package may not unpack to more than this (zip bombs).
MAX_UNZIPPED_BYTES = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class DescriptorProblem:
    """Why a descriptor cannot be read as a package, located for the person who wrote it."""

    message: str
    where: dict[str, Any]


def read_descriptor(path: Path) -> dict[str, Any] | DescriptorProblem:
    try:
        size = path.stat().st_size
        if size > MAX_DESCRIPTOR_BYTES:
            return DescriptorProblem(
                f"The descriptor is {size:,} bytes, too large to be a package descriptor.",
                {"hint": "A datapackage.json describes the data; it should not hold it."},
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return DescriptorProblem(
            "The descriptor is not valid UTF-8.",
            {"line": raw[: exc.start].count(b"\n") + 1, "hint": "Save datapackage.json as UTF-8."},
        )
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        return DescriptorProblem(
            f"The descriptor is not valid JSON: {exc.msg}.",
            {
                "line": exc.lineno,
                "value": _excerpt(text, exc.pos),
                "hint": "Check for a missing comma, quote or bracket near this line.",
            },
        )
    except RecursionError:
        return DescriptorProblem(
            "The descriptor is nested too deeply to be read.",
            {"hint": "A package descriptor needs only a few levels of nesting."},
        )
    if not isinstance(descriptor, dict):
        return DescriptorProblem(
            "The descriptor must be a JSON object.",
            {"hint": 'Start datapackage.json with "{" and list tables under "resources".'},
        )
    return descriptor


def _excerpt(text: str, pos: int) -> str:
    return text[max(0, pos - 20) : pos + 20].replace("\n", " ")


def unzip(archive: Path) -> tuple[tempfile.TemporaryDirectory[str], Path]:
    """Unpack a zipped package into a private folder, refusing entries that escape it."""
    tempdir = tempfile.TemporaryDirectory(prefix="clusterdata-")
    target = Path(tempdir.name).resolve()
    total = 0
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = info.filename
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts or "\\" in name or ":" in name:
                    raise UsageError(
                        f"{archive}: the zip entry {name!r} would be written outside the "
                        "package folder; refusing to unpack it."
                    )
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    raise UsageError(f"{archive}: the zip entry {name!r} is a symbolic link.")
                total += info.file_size
                if total > MAX_UNZIPPED_BYTES:
                    raise UsageError(
                        f"{archive}: unpacks to more than {MAX_UNZIPPED_BYTES:,} bytes; refusing."
                    )
            zf.extractall(target)
    except zipfile.BadZipFile as exc:
        tempdir.cleanup()
        raise UsageError(f"{archive}: not a readable zip file ({exc}).") from exc
    except UsageError:
        tempdir.cleanup()
        raise
    descriptors = sorted(target.rglob(DESCRIPTOR_NAME), key=lambda p: len(p.parts))
    if not descriptors:
        tempdir.cleanup()
        raise UsageError(f"{archive}: the zip holds no {DESCRIPTOR_NAME}.")
    return tempdir, descriptors[0]
