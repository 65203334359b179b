"""Descriptions are written in the dataset's own words: facts carry over, sentences never.

A source's exact words belong in the `quote` column, where they are short, cited evidence. A
`description` says what the source states in words of its own, or is left empty. This module pins
that: no description cell of any table may repeat, or nearly repeat, a quote cell of any table or
a sentence of an archived source text (`datapackage/sources/`).

Both sides are compared as words: NFKC, casefolded, punctuation dropped. A description is a copy
when

* it, or one of its sentences, is at least 80 % alike (difflib's ratio on the word strings) to a
  quote or to a sentence of an archived text: a copied sentence with a word changed is caught
  however short it is; or
* it shares a run of eight or more consecutive words with a quote or an archived text: a copied
  clause inside an otherwise new sentence is caught.

Web pages cited by url are not archived, so a description can only be compared with the quote
taken from them; writing such descriptions in one's own words remains the author's duty.

Reads the CSV files with the csv module only, so it checks the data, not the engine.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
DATA = PACKAGE / "data"
ARCHIVE = PACKAGE / "sources"

SIMILAR = 0.8  # difflib ratio from which a description counts as the same sentence
RUN = 8  # consecutive words a description may not share with a source
DESCRIPTION, QUOTE = "description", "quote"

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n+")


def words(text: str) -> list[str]:
    """The text's words, in the form both sides are compared in."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def sentences(text: str) -> list[str]:
    """The text cut at sentence ends and line breaks (lists and headings are lines of their own)."""
    return [part for part in _SENTENCE_END.split(text) if words(part)]


def _runs(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


@dataclass(frozen=True)
class Copy:
    """A description that repeats a source: where it is, how it was caught, and what it repeats."""

    where: str
    reason: str
    source_text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}: {self.source_text[:120]!r}"


def find_copies(
    descriptions: Iterable[tuple[str, str]], quotes: Iterable[str], texts: Iterable[str]
) -> list[Copy]:
    """Every description (where, text) that repeats a quote or an archived text (see the module)."""
    quotes, texts = [q for q in quotes if words(q)], list(texts)
    candidates = {" ".join(words(s)): s for s in quotes + [s for t in texts for s in sentences(t)]}
    shared: dict[tuple[str, ...], str] = {}
    for text in quotes + texts:
        for run in _runs(words(text)):
            shared.setdefault(run, text)
    copies: list[Copy] = []
    for where, description in descriptions:
        if not words(description):
            continue
        found = _similar(description, candidates)
        if found is not None:
            copies.append(Copy(where, f"{found[0]:.0%} alike", found[1]))
            continue
        run = next((r for r in sorted(_runs(words(description))) if r in shared), None)
        if run is not None:
            copies.append(Copy(where, f"shares the words {' '.join(run)!r}", shared[run]))
    return copies


def _similar(description: str, candidates: dict[str, str]) -> tuple[float, str] | None:
    """(ratio, source text) of the first candidate the description or a sentence of it matches."""
    parts = {" ".join(words(p)) for p in [description, *sentences(description)]}
    for part in sorted(parts):
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(part)
        for normalised, original in candidates.items():
            matcher.set_seq1(normalised)
            if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
                continue
            ratio = matcher.ratio()
            if ratio >= SIMILAR:
                return ratio, original
    return None


# --- the bundled package ---------------------------------------------------------------------


def _tables() -> dict[str, list[dict[str, str]]]:
    tables = {}
    for path in sorted(DATA.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            tables[path.stem] = list(csv.DictReader(handle))
    return tables


def _cells(tables: dict[str, list[dict[str, str]]], column: str) -> list[tuple[str, str]]:
    """(table:row id or line, cell) of every non-empty cell of `column` in any table."""
    return [
        (f"{name}:{row.get('id') or line}", row[column])
        for name, rows in tables.items()
        for line, row in enumerate(rows, start=2)
        if row.get(column)
    ]


def _archived_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(ARCHIVE.glob("*.txt"))]


def test_no_description_in_the_package_repeats_a_quote_or_an_archived_sentence():
    tables = _tables()
    descriptions = _cells(tables, DESCRIPTION)
    quotes = [cell for _, cell in _cells(tables, QUOTE)]
    texts = _archived_texts()
    # the check has something to compare: every description table, quotes of many tables, and
    # every archived source (the five seeds and the two code lists)
    assert {where.split(":")[0] for where, _ in descriptions} == {"clusters", "initiatives"}
    assert len(descriptions) >= 30 and len(quotes) >= 150 and len(texts) >= 7
    copies = find_copies(descriptions, quotes, texts)
    assert not copies, "descriptions that repeat their source:\n" + "\n".join(map(str, copies))


# --- the rule, on fixtures of its own --------------------------------------------------------

# One paragraph a line, as the archived texts are kept.
SOURCE_TEXT = (
    "Kluster i Exempelregionen\n\n"
    "Träklustret Nordved samlar ett fyrtiotal sågverk och snickerier i Exempelregionen. "
    "Klustret arbetar med export, kompetens och gemensamma inköp för att stärka de små företagen."
    "\n\nNordved är ett av de äldsta klustren i landet."
)

QUOTE_CELL = "Klustret grundades 1998 av tolv företag i Exempelby."


def _copies(description: str) -> list[Copy]:
    return find_copies([("clusters:nordved", description)], [QUOTE_CELL], [SOURCE_TEXT])


@pytest.mark.parametrize(
    "description",
    [
        # the sentence itself, with other case, spacing and punctuation
        "träklustret Nordved samlar ett fyrtiotal  sågverk och snickerier\ni exempelregionen!",
        # one word changed in a sentence too short for an eight-word run
        "Nordved är ett av de största klustren i landet.",
        # a sentence of its own followed by a copied one
        "Ett träkluster. Nordved är ett av de äldsta klustren i landet.",
        # the quote cell, not only the archived text, is a source
        "Klustret grundades 1998 av tolv företag i Exempelby",
    ],
    ids=["same-sentence", "one-word-changed", "copied-second-sentence", "copied-quote"],
)
def test_a_description_that_is_a_source_sentence_is_reported_as_alike(description):
    [copy] = _copies(description)
    assert copy.where == "clusters:nordved"
    assert copy.reason.endswith("alike")


def test_a_copied_clause_inside_a_new_sentence_is_reported_with_the_shared_words():
    description = (
        "Sedan länge gäller att klustret arbetar med export, kompetens och gemensamma inköp "
        "för företagen, enligt regionens egen beskrivning av sitt näringsliv och sina satsningar."
    )
    [copy] = _copies(description)
    assert copy.reason.startswith("shares the words")
    assert "arbetar med export kompetens och gemensamma inköp" in copy.reason
    assert copy.source_text == SOURCE_TEXT


@pytest.mark.parametrize(
    "description",
    [
        # the same facts in words of its own
        "Omkring fyrtio sågverk och snickerier i Exempelregionen samverkar här kring export, "
        "kompetensförsörjning och inköp.",
        # seven shared words in a row is below the run, and the sentence is not alike
        "Förr gällde att klustret arbetar med export, kompetens och gemensamma satsningar på "
        "utbildning, marknadsföring och forskning tillsammans med högskolan i regionen.",
        # only names and short phrases in common
        "Nordved, i Exempelregionen, grundat av tolv företag.",
        "",
    ],
    ids=["own-words", "seven-word-run", "names-only", "empty"],
)
def test_a_description_in_its_own_words_is_not_reported(description):
    assert _copies(description) == []


def test_sentences_are_cut_at_sentence_ends_and_line_breaks():
    parts = ["Rubrik", "Ett.", "Två!", "Tre?", "Fyra:", "fem"]
    assert sentences("Rubrik\n\nEtt. Två! Tre? Fyra: fem") == parts
    assert words("Stål- och Verkstad, ÅR 2018.") == ["stål", "och", "verkstad", "år", "2018"]
