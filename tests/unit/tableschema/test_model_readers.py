"""Issue 13: a schema is parsed once (`tableschema.model`) and every consumer reads the model.
Outside `tableschema/`, reading a schema's keys, constraints, missing values or categories from
the descriptor's dicts is allowed only where the descriptor itself is the subject."""

from __future__ import annotations

import re

from fixtures.packages import REPO

SRC = REPO / "src" / "clusterdata"

#: A read (or write) of one of the properties the model normalises, on a descriptor dict.
RAW_READ = re.compile(
    r"""(?:get\(|\[)"(?:primaryKey|foreignKeys|uniqueKeys|missingValues|categories|"""
    r"""categoriesOrdered|constraints)"\]?"""
)

#: file → why it reads the descriptor rather than the model.
ALLOWED = {
    # The data dictionary shows each field's constraints as declared.
    "authoring/generate.py",
    # Schema changes are changes of the declaration: constraints are compared as written.
    "diff/schema.py",
    # `parse_cell` (public) takes a field descriptor, with its own missing values.
    "diff/reading.py",
    # Writes the descriptor frictionless-py is given (only the usable foreign keys).
    "validation/structure/run.py",
}


def test_only_the_listed_modules_read_schema_properties_from_descriptor_dicts() -> None:
    readers = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if not path.relative_to(SRC).as_posix().startswith("tableschema/")
        and RAW_READ.search(path.read_text("utf-8"))
    }
    assert readers <= ALLOWED, sorted(readers - ALLOWED)


def test_the_guard_recognises_a_raw_read() -> None:
    assert RAW_READ.search('pk = schema.get("primaryKey")')
    assert RAW_READ.search('c = field["constraints"]')
    assert not RAW_READ.search("pk = resource.table_schema.primary_key")
