"""What README.md and SECURITY.md promise points at tests that exist, so the pointers cannot rot.

A claim in the documentation is only worth the test that holds it. The documents name those tests
as `tests/<path>.py::test_name` (a file alone where a whole file is the proof); this module fails
when a named file or test is gone, when a row of README's claims table or a numbered promise of
SECURITY.md names no test, when the README's speed figures are not those of bench/results.md, and
when a comment in src/ cites a document that is not in the repository.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from fixtures.packages import REPO

DOCS = ("README.md", "SECURITY.md")
#: A pointer: a test file, optionally `::name` and a parameter id in brackets.
POINTER = re.compile(r"\btests/[\w/.-]+?\.py(?:::\w+(?:\[[^\]\s`]*\])?)?")


@cache
def names_defined(path: Path) -> frozenset[str]:
    """Top-level functions and classes of a test file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    )


def broken_pointers(text: str, root: Path = REPO) -> list[str]:
    """The pointers in `text` whose file or test does not exist under `root`."""
    broken = []
    for pointer in sorted(set(POINTER.findall(text))):
        file, _, rest = pointer.partition("::")
        path = root / file
        name = rest.split("[", 1)[0]
        if not path.is_file() or (name and name not in names_defined(path)):
            broken.append(pointer)
    return broken


def parametrised_pointers() -> list[str]:
    return sorted({p for doc in DOCS for p in POINTER.findall(read(doc)) if "[" in p})


def read(doc: str) -> str:
    return (REPO / doc).read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", DOCS)
def test_every_test_named_in_the_document_exists(doc: str):
    text = read(doc)
    assert POINTER.search(text), f"{doc} names no test at all"
    assert broken_pointers(text) == []


def test_a_pointer_to_a_missing_test_or_file_is_caught(tmp_path: Path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_here():\n    pass\n", "utf-8")
    text = (
        "held by `tests/test_a.py::test_here`, `tests/test_a.py::test_gone`, `tests/test_b.py`"
        " and tests/test_a.py::test_here[case-1]"
    )
    assert broken_pointers(text, tmp_path) == ["tests/test_a.py::test_gone", "tests/test_b.py"]


@pytest.mark.parametrize("pointer", parametrised_pointers() or ["(none)"])
def test_every_parametrised_test_named_in_the_documents_is_collected(pointer: str):
    if pointer == "(none)":
        pytest.skip("the documents name no parametrised case")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", pointer],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end >= 0 else len(text)]


def test_every_row_of_the_readme_claims_table_names_a_test():
    table = section(read("README.md"), "## Claims and their tests")
    rows = [r for r in table.splitlines() if r.startswith("| ") and r[2:5] not in {"cla", "---"}]
    assert len(rows) >= 10
    assert [r for r in rows if not POINTER.search(r)] == []


def test_every_security_promise_names_a_test():
    text = read("SECURITY.md")
    promises = {int(n) for n in re.findall(r"^\*\*(\d+)\. ", text, flags=re.MULTILINE)}
    assert promises == set(range(1, max(promises) + 1)), promises
    tested: set[int] = set()
    for row in section(text, "## How the promises are tested").splitlines():
        cells = row.split("|")
        if len(cells) < 3 or not POINTER.search(row):
            continue
        for first, last in re.findall(r"(\d+)(?:[–-](\d+))?", cells[1]):
            tested.update(range(int(first), int(last or first) + 1))
    assert promises - tested == set()


def test_readme_speed_figures_are_those_of_bench_results():
    readme = read("README.md")
    speed = next(p for p in readme.split("\n\n") if p.startswith("**Speed"))
    figures = re.findall(r"\d[\d,.]*(?: s\b|×| MB\b)", speed)
    assert len(figures) >= 3, speed
    results = (REPO / "bench" / "results.md").read_text(encoding="utf-8")
    assert [f for f in figures if f not in results] == []


#: What a comment in src/ must not cite: documents that live outside the repository.
OUTSIDE = re.compile(r"design\.md|domain\.md|\.\./shared|/work/|\bissues? #?\d+", re.IGNORECASE)


def test_no_comment_in_src_cites_a_document_outside_the_repository():
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sorted((REPO / "src" / "clusterdata").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert found == []


def test_a_comment_citing_an_outside_document_is_caught():
    assert OUTSIDE.search("# see design.md, 'Pitfalls'")
    assert OUTSIDE.search("accepts silently (frictionless-py issue #1048).")
    assert not OUTSIDE.search("# the design keeps one meaning per cell")
