"""Where frictionless-py 5.21 disagrees with the Data Package v2 standard, clusterdata follows
the standard; these tests pin what frictionless-py itself says (outside layer 1, as it ships),
next to the tests of `test_v2_fields.py` and `test_v2_package.py` that pin clusterdata's verdict.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.packages import write_package
from fixtures.v2packages import (
    CATEGORIES,
    GROUPED,
    JSON_SCHEMA,
    LIST,
    PACKAGE_V2,
    UNIQUE,
    frictionless_py,
)


def test_frictionless_py_ignores_categories(tmp_path: Path) -> None:
    """frictionless-py calls a value outside `categories` valid; the standard says it "MUST
    exactly match one of the values" (`test_a_value_outside_the_categories_is_a_constraint_error`)."""
    descriptor = write_package(
        tmp_path, {"t": (CATEGORIES, "fruit,level\npear,9\n")}, **{"$schema": PACKAGE_V2}
    )
    assert frictionless_py(descriptor) == set()


def test_frictionless_py_ignores_unique_keys(tmp_path: Path) -> None:
    """frictionless-py does not check `uniqueKeys` (`test_unique_keys_report_...`)."""
    descriptor = write_package(
        tmp_path, {"t": (UNIQUE, "a,b,c\n1,x,y\n1,x,y\n")}, **{"$schema": PACKAGE_V2}
    )
    assert frictionless_py(descriptor) == set()


def test_frictionless_py_rejects_json_schema_constraints(tmp_path: Path) -> None:
    """frictionless-py refuses a package whose schema has `jsonSchema` ('constraint
    "jsonSchema" is not supported by type "object"'); the standard defines the constraint for
    object and array fields (`test_a_json_value_that_does_not_conform_...`)."""
    from frictionless import FrictionlessException, Package

    descriptor = write_package(
        tmp_path, {"t": (JSON_SCHEMA, 'point,names\n"{}",[]\n')}, **{"$schema": PACKAGE_V2}
    )
    with pytest.raises(FrictionlessException, match="jsonSchema"):
        Package(str(descriptor)).validate()


def test_frictionless_py_ignores_group_char_on_integers(tmp_path: Path) -> None:
    """frictionless-py reads "1 234" with `groupChar: " "` on an integer as a type error."""
    descriptor = write_package(
        tmp_path, {"t": (GROUPED, "people,jobs\n1 234,1\n")}, **{"$schema": PACKAGE_V2}
    )
    assert frictionless_py(descriptor) == {("type-error", "people")}


def test_frictionless_py_reads_python_integer_syntax_in_list_items(tmp_path: Path) -> None:
    """frictionless-py reads the integer item "1_0" of "1_0;2" as 10 (Python's `int()`); an
    integer is "indicated in the standard way for any valid integer", digits only, and list
    items are read "as it were individual values of the corresponding data type"
    (`test_list_items_are_read_as_values_of_the_item_type`, line 3)."""
    schema = {"fields": [LIST["fields"][0]]}
    descriptor = write_package(tmp_path, {"t": (schema, "ids\n1_0;2\n")}, **{"$schema": PACKAGE_V2})
    assert frictionless_py(descriptor) == set()
