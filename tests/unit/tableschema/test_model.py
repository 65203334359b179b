"""The typed Table Schema model: each normalisation the consumers rely on, pinned for v1 and v2
descriptors (https://specs.frictionlessdata.io/table-schema/,
https://datapackage.org/standard/table-schema/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.packages import SCHEMAS, write_package

from clusterdata.core.package import open_package
from clusterdata.tableschema.model import Category, Constraints, Field, Schema

V2_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"


def test_primary_key_string_becomes_one_field_tuple() -> None:
    assert Schema.from_descriptor({"fields": [{"name": "id"}], "primaryKey": "id"}).primary_key == (
        "id",
    )


def test_primary_key_list_keeps_its_order_and_drops_names_that_are_not_text() -> None:
    schema = Schema.from_descriptor({"primaryKey": ["b", 1, "a"]})
    assert schema.primary_key == ("b", "a")


def test_a_schema_without_a_primary_key_has_an_empty_one() -> None:
    assert Schema.from_descriptor({"fields": []}).primary_key == ()
    assert Schema.from_descriptor({"primaryKey": {"not": "a key"}}).primary_key == ()


def test_foreign_key_string_fields_become_tuples_on_both_ends() -> None:
    schema = Schema.from_descriptor(
        {
            "foreignKeys": [
                {"fields": "region_id", "reference": {"resource": "regions", "fields": "id"}}
            ]
        }
    )
    (fk,) = schema.foreign_keys
    assert fk.fields == ("region_id",)
    assert fk.reference.resource == "regions"
    assert fk.reference.fields == ("id",)
    assert fk.pairs_up


@pytest.mark.parametrize("reference", [{"fields": "id"}, {"resource": "", "fields": "id"}])
def test_a_reference_without_a_resource_is_the_table_itself(reference: dict[str, Any]) -> None:
    (fk,) = Schema.from_descriptor(
        {"foreignKeys": [{"fields": "parent", "reference": reference}]}
    ).foreign_keys
    assert fk.reference.resource == ""
    assert fk.reference.target("regions") == "regions"


def test_a_foreign_key_whose_ends_do_not_pair_up_says_so() -> None:
    (fk,) = Schema.from_descriptor(
        {"foreignKeys": [{"fields": ["a", "b"], "reference": {"resource": "t", "fields": "a"}}]}
    ).foreign_keys
    assert not fk.pairs_up


def test_a_malformed_foreign_key_reads_as_having_no_fields_and_no_target() -> None:
    schema = Schema.from_descriptor({"foreignKeys": ["junk", {"reference": "regions"}]})
    (fk,) = schema.foreign_keys  # "junk" is not a key at all
    assert fk.fields == () and fk.reference.resource == "" and not fk.pairs_up


def test_unique_keys_v2_keep_only_keys_whose_fields_all_exist() -> None:
    schema = Schema.from_descriptor(
        {
            "$schema": V2_PROFILE,
            "fields": [{"name": "a"}, {"name": "b"}],
            "uniqueKeys": [["a", "b"], ["a", "nope"], "b", []],
        }
    )
    assert schema.unique_keys == (("a", "b"), ("b",))


def test_missing_values_default_to_the_empty_string() -> None:
    assert Schema.from_descriptor({}).missing_values == ("",)
    assert Schema.from_descriptor({"missingValues": "NA"}).missing_values == ("",)


def test_missing_values_v1_strings() -> None:
    schema = Schema.from_descriptor({"missingValues": ["", "NA"]})
    assert schema.missing_values == ("", "NA")
    assert schema.missing_labels == (("", None), ("NA", None))


def test_missing_values_v2_labelled_objects_keep_their_labels() -> None:
    schema = Schema.from_descriptor(
        {
            "$schema": V2_PROFILE,
            "missingValues": [{"value": "-99", "label": "refused"}, {"value": ""}, {"label": "x"}],
        }
    )
    assert schema.missing_values == ("-99", "")
    assert schema.missing_labels == (("-99", "refused"), ("", None))


def test_an_empty_missing_values_list_means_no_missing_values() -> None:
    assert Schema.from_descriptor({"missingValues": []}).missing_values == ()


def test_a_fields_own_missing_values_replace_the_schemas() -> None:
    schema = Schema.from_descriptor(
        {
            "missingValues": ["NA"],
            "fields": [{"name": "a", "missingValues": [{"value": "?"}]}, {"name": "b"}],
        }
    )
    a, b = schema.fields
    assert a.missing_values == ("?",) and schema.missing_values_of(a) == ("?",)
    assert b.missing_values is None and schema.missing_values_of(b) == ("NA",)


def test_field_type_and_format_have_their_spec_defaults() -> None:
    (field,) = Schema.from_descriptor({"fields": [{"name": "x"}]}).fields
    assert (field.type, field.format) == ("string", "default")
    assert field.constraints == Constraints()


def test_fields_that_are_not_objects_or_have_no_text_name_are_not_fields() -> None:
    schema = Schema.from_descriptor(
        {"fields": [{"name": "a"}, "junk", {"type": "integer"}, {"name": 3}]}
    )
    assert schema.field_names == ["a"]


def test_constraints_are_typed_and_bad_values_read_as_absent() -> None:
    (field,) = Schema.from_descriptor(
        {
            "fields": [
                {
                    "name": "n",
                    "type": "integer",
                    "constraints": {
                        "required": True,
                        "unique": "yes",
                        "enum": [1, 2],
                        "minimum": 0,
                        "exclusiveMaximum": 10,
                        "minLength": True,
                        "pattern": 5,
                    },
                }
            ]
        }
    ).fields
    c = field.constraints
    assert c.required and not c.unique  # only the JSON boolean true counts
    assert c.enum == (1, 2)
    assert c.bounds == {"minimum": 0, "exclusiveMaximum": 10}
    assert c.min_length is None and c.pattern is None
    assert c.descriptor["unique"] == "yes"  # the declaration stays as written


def test_json_schema_constraint_only_on_object_and_array_fields() -> None:
    declared = {"constraints": {"jsonSchema": {"type": "object"}}}
    schema = Schema.from_descriptor(
        {"fields": [{"name": "o", "type": "object", **declared}, {"name": "s", **declared}]}
    )
    assert schema.fields[0].constraints.json_schema == {"type": "object"}
    assert schema.fields[1].constraints.json_schema is None


def test_categories_v2_plain_and_labelled_values_in_declared_order() -> None:
    field = Field.from_descriptor(
        {
            "name": "size",
            "type": "string",
            "categories": ["small", {"value": "large", "label": "L"}, {"value": True}],
            "categoriesOrdered": True,
        }
    )
    assert field.categories == (Category("small"), Category("large", "L"))
    assert field.category_values == ["small", "large"]
    assert field.category_labels == {"large": "L"}
    assert field.categories_ordered


def test_categories_on_a_type_that_may_not_have_them_are_none_and_never_ordered() -> None:
    field = Field.from_descriptor(
        {"name": "d", "type": "date", "categories": ["2020-01-01"], "categoriesOrdered": True}
    )
    assert field.categories is None and not field.categories_ordered


def test_categories_ordered_is_false_unless_declared_true() -> None:
    field = Field.from_descriptor({"name": "n", "type": "integer", "categories": [1, 2]})
    assert field.category_values == [1, 2] and not field.categories_ordered


def test_is_unique_key_knows_the_primary_key_unique_keys_and_unique_fields() -> None:
    schema = Schema.from_descriptor(
        {
            "fields": [
                {"name": "a"},
                {"name": "b", "constraints": {"unique": True}},
                {"name": "c"},
            ],
            "primaryKey": "a",
            "uniqueKeys": [["b", "c"]],
        }
    )
    assert schema.is_unique_key(("a",))
    assert schema.is_unique_key(("b",))
    assert schema.is_unique_key(("b", "c"))
    assert not schema.is_unique_key(("c",))
    assert schema.unique_fields == ["b"]


def test_the_descriptor_is_kept_as_written_for_what_echoes_it() -> None:
    descriptor = {"fields": [{"name": "a", "x-description-sv": "a"}], "primaryKey": "a"}
    schema = Schema.from_descriptor(descriptor)
    assert schema.descriptor is descriptor
    assert schema.fields[0].descriptor is descriptor["fields"][0]


def test_anything_that_is_not_an_object_is_an_empty_schema() -> None:
    assert Schema.from_descriptor("schemas/t.json") == Schema()


def test_a_resource_parses_its_schema_once(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "id"}], "primaryKey": "id"}
    package = open_package(write_package(tmp_path, {"t": (schema, "id\na\n")}))
    resource = package.resources[0]
    assert resource.table_schema is resource.table_schema
    assert resource.primary_key == ["id"]
    assert resource.schema == schema  # the descriptor is still there, unchanged


def test_a_schema_file_of_the_bundled_package_parses_to_its_declared_keys() -> None:
    declared = json.loads((SCHEMAS / "tables" / "clusters.schema.json").read_text("utf-8"))
    schema = Schema.from_descriptor(declared)
    assert schema.field_names == [f["name"] for f in declared["fields"]]
    assert [fk.reference.resource for fk in schema.foreign_keys] == [
        fk["reference"]["resource"] for fk in declared["foreignKeys"]
    ]
