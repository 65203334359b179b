"""Is a release folder byte for byte the one its descriptor promises?

A release's `datapackage.json` lists every file with its `bytes` and `hash`; that descriptor is
the trust anchor. `SHA256SUMS` beside it (as `sha256sum` writes it) covers what a descriptor
cannot describe: the zip and the DuckDB file. Everything here reads local files only; the
download side (`clusterdata.loading.download`) reuses these entries to check bytes as they stream.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clusterdata.core.descriptor_file import MAX_DESCRIPTOR_BYTES
from clusterdata.core.package import UsageError, safe_path

#: Hash algorithms a descriptor may name ("sha256:<hex>"); Data Package v1 reads a bare hex as md5.
ALGORITHMS = ("md5", "sha1", "sha256", "sha512")
SUMS_NAME = "SHA256SUMS"


class IntegrityError(Exception):
    """A file is not the one the release's descriptor promises (wrong hash, size or missing)."""

    def __init__(
        self, file: str, message: str, *, expected: str | None = None, actual: str | None = None
    ) -> None:
        self.file = file
        self.expected = expected
        self.actual = actual
        super().__init__(message)


@dataclass(frozen=True)
class Mismatch:
    """One difference between a file and its entry in the descriptor."""

    file: str  # path relative to the release folder, as in the descriptor
    what: str  # "missing", "bytes", "hash", "unverifiable"
    expected: str | None
    actual: str | None

    def sentence(self) -> str:
        if self.what == "missing":
            return f"{self.file}: missing (the descriptor lists it)."
        if self.what == "unverifiable":
            return f"{self.file}: the descriptor gives no usable hash ({self.expected or 'none'})."
        label = "size" if self.what == "bytes" else "hash"
        unit = " bytes" if self.what == "bytes" else ""
        return (
            f"{self.file}: {label} differs: expected {self.expected}{unit}, "
            f"got {self.actual}{unit}."
        )

    def error(self) -> IntegrityError:
        return IntegrityError(
            self.file,
            f"{self.sentence()} The file is not the published one; it was not used.",
            expected=self.expected,
            actual=self.actual,
        )


@dataclass(frozen=True)
class Entry:
    """A file the descriptor promises: where it is, how big, and its hash."""

    path: str
    bytes: int | None
    algorithm: str | None
    digest: str | None
    declared_hash: str | None


def parse_hash(value: object) -> tuple[str | None, str | None]:
    """("sha256", "<hex>") from "sha256:<hex>"; a bare hex is md5 (Data Package v1)."""
    if not isinstance(value, str) or not value.strip():
        return None, None
    text = value.strip()
    algorithm, _, digest = text.rpartition(":")
    algorithm = algorithm.lower() or "md5"
    digest = digest.lower()
    if algorithm not in ALGORITHMS or not re.fullmatch(r"[0-9a-f]+", digest):
        return None, None
    return algorithm, digest


def entries(descriptor: dict[str, Any]) -> list[Entry]:
    """Every local file a descriptor's resources point to, with its promised size and hash."""
    found: list[Entry] = []
    seen: set[str] = set()
    for spec in descriptor.get("resources") or []:
        if not isinstance(spec, dict):
            continue
        paths = spec.get("path")
        for path in paths if isinstance(paths, list) else [paths]:
            if not isinstance(path, str) or not path or path in seen:
                continue
            seen.add(path)
            size = spec.get("bytes")
            algorithm, digest = parse_hash(spec.get("hash"))
            single = not isinstance(paths, list) or len(paths) == 1
            found.append(
                Entry(
                    path=path,
                    bytes=size if single and isinstance(size, int) and size >= 0 else None,
                    algorithm=algorithm if single else None,
                    digest=digest if single else None,
                    declared_hash=spec.get("hash") if isinstance(spec.get("hash"), str) else None,
                )
            )
    return found


def file_digest(path: Path, algorithm: str) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, algorithm).hexdigest()


def check_file(root: Path, entry: Entry) -> Mismatch | None:
    """Compare one file on disk with its entry; None when it is intact."""
    file, problem = safe_path(root, entry.path)
    if problem or file is None:
        return Mismatch(entry.path, "missing", None, problem)
    if not file.is_file():
        return Mismatch(entry.path, "missing", None, None)
    size = file.stat().st_size
    if entry.bytes is not None and size != entry.bytes:
        return Mismatch(entry.path, "bytes", str(entry.bytes), str(size))
    if entry.algorithm is None or entry.digest is None:
        return Mismatch(entry.path, "unverifiable", entry.declared_hash, None)
    actual = file_digest(file, entry.algorithm)
    if actual != entry.digest:
        return Mismatch(
            entry.path, "hash", f"{entry.algorithm}:{entry.digest}", f"{entry.algorithm}:{actual}"
        )
    return None


def check_release(
    root: Path, descriptor: dict[str, Any], *, with_sums: bool = False
) -> list[Mismatch]:
    """Every difference between a release folder and its descriptor (empty: intact).

    `with_sums` also checks the files a `SHA256SUMS` file in the folder lists (`publish` keeps
    the zip and the DuckDB database, which the descriptor cannot describe, there).
    """
    listed = entries(descriptor)
    if with_sums:
        known = {e.path for e in listed}
        listed += [e for e in sums_entries(root) if e.path not in known]
    return [m for e in listed if (m := check_file(root, e)) is not None]


def sums_entries(root: Path) -> list[Entry]:
    """The lines of `SHA256SUMS` ("<hex>  <name>", as sha256sum writes them) as entries."""
    file = root / SUMS_NAME
    if not file.is_file():
        return []
    return parse_sums(file.read_text(encoding="utf-8", errors="replace"))


def parse_sums(text: str) -> list[Entry]:
    found = []
    for line in text.splitlines():
        match = re.fullmatch(r"([0-9a-fA-F]{64}) [ *]?(.+)", line.strip())
        if match:
            digest, name = match.group(1).lower(), match.group(2).strip()
            found.append(Entry(name, None, "sha256", digest, f"sha256:{digest}"))
    return found


def read_descriptor(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_DESCRIPTOR_BYTES:
            raise UsageError(f"{path}: too large to be a package descriptor.")
        loaded = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UsageError(f"{path}: not a readable package descriptor ({exc}).") from exc
    if not isinstance(loaded, dict):
        raise UsageError(f"{path}: the descriptor is not a JSON object.")
    return loaded
