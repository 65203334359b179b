"""Seeded generator of synthetic data packages shaped like the clusters dataset, with defects.

Why: a benchmark is only worth something when we know what it must find. Every defect the
generator injects is written to `manifest.json` as (file, physical line, column, check), so the
runner can say for each tool whether *every* defect was found and located, not just how fast it
ran. Quoted cells holding a newline are written before some defects, so that a tool that numbers
records instead of physical lines misses them.

Shape: `regions` (a few dozen rows), `clusters` (N rows; foreign key to regions; integer year
with minimum/maximum, non-negative count, enum, URL with `format: uri`, Swedish text with å ä ö),
`memberships` (N/2 rows; foreign key to clusters; dates and a number).

Usage: python bench/gen.py --rows 10000 --out bench/out/n10000 [--seed 8] [--defects 20]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

REGIONS = [
    ("SE", "Sverige"),
    ("SE1", "Östra Sverige"),
    ("SE11", "Stockholm"),
    ("SE12", "Östra Mellansverige"),
    ("SE21", "Småland med öarna"),
    ("SE22", "Sydsverige"),
    ("SE23", "Västsverige"),
    ("SE31", "Norra Mellansverige"),
    ("SE32", "Mellersta Norrland"),
    ("SE33", "Övre Norrland"),
    ("SE-AB", "Stockholms län"),
    ("SE-C", "Uppsala län"),
    ("SE-D", "Södermanlands län"),
    ("SE-E", "Östergötlands län"),
    ("SE-F", "Jönköpings län"),
    ("SE-G", "Kronobergs län"),
    ("SE-H", "Kalmar län"),
    ("SE-I", "Gotlands län"),
    ("SE-K", "Blekinge län"),
    ("SE-M", "Skåne län"),
    ("SE-N", "Hallands län"),
    ("SE-O", "Västra Götalands län"),
    ("SE-S", "Värmlands län"),
    ("SE-T", "Örebro län"),
    ("SE-U", "Västmanlands län"),
    ("SE-W", "Dalarnas län"),
    ("SE-X", "Gävleborgs län"),
    ("SE-Y", "Västernorrlands län"),
    ("SE-Z", "Jämtlands län"),
    ("SE-AC", "Västerbottens län"),
    ("SE-BD", "Norrbottens län"),
]
WORDS = [
    "stål",
    "verkstad",
    "skog",
    "pappers",
    "fordon",
    "livsmedel",
    "energi",
    "vård",
    "möbel",
    "träförädling",
    "gruv",
    "sjöfart",
    "älv",
    "kött",
    "bär",
    "design",
    "spel",
    "life",
    "science",
    "kraft",
    "bygg",
    "textil",
    "åker",
    "örlogs",
    "mejeri",
]
KINDS = ["cluster", "initiative", "network", "science-park"]
CHECKS = [
    "type-error",
    "constraint-minimum",
    "constraint-maximum",
    "constraint-enum",
    "constraint-pattern",
    "constraint-required",
    "primary-key",
    "foreign-key",
    "missing-cell",
    "extra-cell",
]

CLUSTERS_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "id",
            "type": "string",
            "constraints": {"required": True, "pattern": "[a-z0-9]+(-[a-z0-9]+)*"},
        },
        {"name": "name", "type": "string", "constraints": {"required": True}},
        {"name": "region_id", "type": "string", "constraints": {"required": True}},
        {"name": "founded", "type": "integer", "constraints": {"minimum": 1900, "maximum": 2030}},
        {"name": "members", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "kind", "type": "string", "constraints": {"enum": KINDS}},
        {"name": "url", "type": "string", "format": "uri"},
        {"name": "description", "type": "string"},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["region_id"], "reference": {"resource": "regions", "fields": ["id"]}}
    ],
}
MEMBERSHIPS_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True}},
        {"name": "cluster_id", "type": "string", "constraints": {"required": True}},
        {"name": "start_date", "type": "date"},
        {"name": "end_date", "type": "date"},
        {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["cluster_id"], "reference": {"resource": "clusters", "fields": ["id"]}}
    ],
}
REGIONS_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "name", "type": "string", "constraints": {"required": True}},
    ],
    "primaryKey": ["id"],
}


def _cell(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


class _Writer:
    """Writes records and keeps the physical line of each one (header = line 1)."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.line = 1
        self.handle.write(",".join(header) + "\n")

    def write(self, cells: list[str]) -> int:
        """Write one record; returns the physical line it starts on."""
        start = self.line + 1
        text = ",".join(_cell(c) for c in cells)
        self.handle.write(text + "\n")
        self.line = start + text.count("\n")
        return start

    def close(self) -> None:
        self.handle.close()


def _slug(rng: random.Random, index: int) -> str:
    return f"{rng.choice(WORDS).replace('å', 'a').replace('ä', 'a').replace('ö', 'o')}-{index}"


def generate(rows: int, out: Path, seed: int = 8, defects: int = 20) -> dict[str, Any]:
    """Write the package and manifest into `out`; returns the manifest."""
    rng = random.Random(seed)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, Any]] = []
    accepted: list[dict[str, Any]] = []

    def note(path: str, line: int, column: str | None, check: str, value: str) -> None:
        manifest.append(
            {"file": path, "line": line, "column": column, "check": check, "value": value}
        )

    with (data / "regions.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,name\n")
        for rid, name in REGIONS:
            handle.write(f"{rid},{name}\n")
    region_ids = [r for r, _ in REGIONS]

    # Which rows carry which defect: disjoint positions spread over the whole table.
    n_main = rows
    n_second = rows // 2
    main_kinds = [
        "type-error",
        "constraint-minimum",
        "constraint-maximum",
        "constraint-enum",
        "constraint-pattern",
        "constraint-required",
        "primary-key",
        "foreign-key",
        "uri",
    ]
    second_kinds = [
        "type-date",
        "type-number",
        "foreign-key",
        "missing-cell",
        "extra-cell",
        "constraint-minimum",
    ]
    main_positions = rng.sample(range(10, n_main), defects * len(main_kinds))
    main_plan = {pos: main_kinds[i // defects] for i, pos in enumerate(main_positions)}
    second_positions = rng.sample(range(10, n_second), defects * len(second_kinds))
    second_plan = {pos: second_kinds[i // defects] for i, pos in enumerate(second_positions)}
    # A few valid-but-unusual integers frictionless accepts (it strips whitespace, takes '+5').
    tolerated = set(rng.sample([p for p in range(10, n_main) if p not in main_plan], defects))

    ids: list[str] = []
    path = "data/clusters.csv"
    writer = _Writer(data / "clusters.csv", [f["name"] for f in CLUSTERS_SCHEMA["fields"]])
    type_values = ["1987.5", "1e3", "nittonhundra", "19 87", "0x7C6"]
    for i in range(n_main):
        cid = _slug(rng, i)
        kind = main_plan.get(i)
        multiline = kind is not None and i % 2 == 0
        cells = [
            cid,
            f"{rng.choice(WORDS).capitalize()}klustret i {rng.choice(REGIONS)[1]}",
            rng.choice(region_ids),
            str(rng.randint(1950, 2024)),
            str(rng.randint(0, 500)),
            rng.choice(KINDS),
            f"https://www.example.se/{cid}",
            "Ett kluster för företag i regionen"
            + ("\nmed en andra rad, å ä ö" if multiline else ", å ä ö"),
        ]
        column = None
        if kind == "type-error":
            column, cells[3] = "founded", type_values[len(manifest) % len(type_values)]
        elif kind == "constraint-minimum":
            column, cells[3] = "founded", "1850"
        elif kind == "constraint-maximum":
            column, cells[3] = "founded", "2150"
        elif kind == "constraint-enum":
            column, cells[5] = "kind", "okänd"
        elif kind == "constraint-pattern":
            column, cells[0] = "id", f"Ogiltig_{i}"
            cid = cells[0]
        elif kind == "constraint-required":
            column, cells[1] = "name", ""
        elif kind == "primary-key":
            column, cells[0] = "id", ids[rng.randrange(len(ids))]
            cid = cells[0]
        elif kind == "foreign-key":
            column, cells[2] = "region_id", "SE-XX"
        elif kind == "uri":
            column, cells[6] = "url", "www.example.se utan schema"
        if i in tolerated:
            cells[4] = rng.choice([" 12", "+5", "07 "])
        line = writer.write(cells)
        if i in tolerated:
            accepted.append({"file": path, "line": line, "column": "members", "value": cells[4]})
        if kind is not None:
            check = "type-error" if kind == "uri" else kind
            note(
                path,
                line,
                column,
                check,
                cells[
                    ["id", "name", "region_id", "founded", "members", "kind", "url"].index(column)
                ],
            )
        ids.append(cid)
    writer.close()

    path = "data/memberships.csv"
    writer = _Writer(data / "memberships.csv", [f["name"] for f in MEMBERSHIPS_SCHEMA["fields"]])
    valid_ids = [c for j, c in enumerate(ids) if main_plan.get(j) != "primary-key"]
    for i in range(n_second):
        kind = second_plan.get(i)
        year = rng.randint(2000, 2023)
        cells = [
            str(i + 1),
            rng.choice(valid_ids),
            f"{year}-{rng.randint(1, 12):02d}-01",
            f"{year + 1}-{rng.randint(1, 12):02d}-28",
            f"{rng.uniform(0, 1e6):.2f}",
        ]
        column, check, value = None, kind, ""
        if kind == "type-date":
            column, check = "start_date", "type-error"
            value = cells[2] = rng.choice(["2020-02-30", "2020/01/02", "20200102"])
        elif kind == "type-number":
            column, check = "amount", "type-error"
            value = cells[4] = "1,5"
        elif kind == "foreign-key":
            column, value = "cluster_id", f"saknas-{i}"
            cells[1] = value
        elif kind == "constraint-minimum":
            column, value = "amount", "-12.5"
            cells[4] = value
        elif kind == "missing-cell":
            column = "amount"
            cells = cells[:4]
        elif kind == "extra-cell":
            column, value = "(column 6)", "extra"
            cells.append(value)
        line = writer.write(cells)
        if check is not None:
            note(path, line, column, check, value)
    writer.close()

    descriptor = {
        "name": f"bench-{rows}",
        "resources": [
            {"name": "regions", "path": "data/regions.csv", "schema": REGIONS_SCHEMA},
            {"name": "clusters", "path": "data/clusters.csv", "schema": CLUSTERS_SCHEMA},
            {"name": "memberships", "path": "data/memberships.csv", "schema": MEMBERSHIPS_SCHEMA},
        ],
    }
    (out / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    result = {
        "rows": {"regions": len(REGIONS), "clusters": n_main, "memberships": n_second},
        "seed": seed,
        "defects": manifest,
        "accepted": accepted,
    }
    (out / "manifest.json").write_text(
        json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--defects", type=int, default=20, help="defects per kind")
    args = parser.parse_args()
    manifest = generate(args.rows, args.out, args.seed, args.defects)
    print(f"{args.out}: {len(manifest['defects'])} defects injected")


if __name__ == "__main__":
    main()
