"""The validation report of a release as a page in the visitor's language.

The report's findings are data (check id, file, line, column, value) plus a message and a hint
written in English by each check. On the Swedish page the headings, the summary and the
explanation of each known check are Swedish; a check without a Swedish text keeps its English
message, marked `lang="en"` so screen readers and translators know.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clusterdata.site.ui import UI

MAX_ROWS = 200

#: Swedish (message, hint) for the checks a valid release can still report (warnings).
CHECKS_SV: dict[str, tuple[str, str]] = {
    "initiative-has-participant": (
        "Inget kluster, ingen region och ingen organisation är kopplad till initiativet.",
        "Lägg till de deltagare källan nämner i cluster_initiatives, region_initiatives eller "
        "organisation_initiatives; nämner källan inga, låt det vara (detta är en varning).",
    ),
    "stated-count-exceeded": (
        "Fler rader är kopplade i datamängden än det antal källan anger.",
        "Kontrollera siffran och de kopplade raderna: en siffra gäller vid sitt eget datum "
        "(as_of), så en senare källa kan lägga till fler; stämmer båda med källorna, låt det "
        "vara (detta är en varning).",
    ),
    "near-duplicate-names": (
        "Två namn är nästan likadana och kan avse samma sak.",
        "Kontrollera om raderna avser samma organisation; slå i så fall ihop dem och behåll "
        "det andra namnet som alternativt namn.",
    ),
}


@dataclass
class Row:
    severity: str
    check: str
    where: str
    value: str
    message: str
    hint: str
    #: The language of message and hint, when it is not the page's.
    text_lang: str | None


def report_context(report: Any, lang: str) -> dict[str, Any]:
    """What templates/validation.html needs: verdict, summary sentence, rows per table, rows."""
    ui = UI[lang]
    s = report.summary
    verdict = ui["valid"] if report.valid else ui["invalid"]
    rows = []
    for f in report.findings[:MAX_ROWS]:
        where = f.path or ""
        if f.line:
            where += f", {ui['line']} {f.line}"
        if f.column:
            where += f", {f.column}"
        known = CHECKS_SV.get(f.check) if lang == "sv" else None
        rows.append(
            Row(
                severity=ui["error"] if f.is_error else ui["warning"],
                check=f.check,
                where=where,
                value="" if f.value is None else str(f.value),
                message=known[0] if known else f.message,
                hint=known[1] if known else (f.hint or ""),
                text_lang="en" if lang != "en" and not known else None,
            )
        )
    more = len(report.findings) - MAX_ROWS
    return {
        "report_title": ui["report_title"].format(verdict=verdict),
        "report_valid": report.valid,
        "report_summary": ui["report_summary"].format(
            tables=s.tables,
            rows=s.rows,
            checks=s.checks_run,
            errors=s.errors,
            warnings=s.warnings,
        ),
        "rows_per_table": list(s.rows_per_table.items()),
        "findings": rows,
        "more_findings": ui["more_findings"].format(n=more) if more > 0 else "",
    }
