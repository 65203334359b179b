"""`{"valid", "findings", "summary"}`: every finding, for programs."""

from __future__ import annotations

import json

from clusterdata.validation.pipeline import Report


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
