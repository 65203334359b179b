"""Layer 2: pandera frames derived from the Table Schemas, plus domain checks (in progress)."""

from __future__ import annotations

from clusterdata.findings import Finding
from clusterdata.package import DataPackage
from clusterdata.structure import StructureResult


def check_frames(package: DataPackage, structure: StructureResult) -> tuple[list[Finding], int]:
    return [], 0
